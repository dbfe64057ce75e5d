"""Free-form questions: read the intent, find the entities, answer from structured data or the best facts."""

from __future__ import annotations

import re
from itertools import pairwise
from typing import TYPE_CHECKING

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.answer import Answer, Field
from bot.engine import lookup
from bot.engine.format import attribution, bullets, quote_field, quoted, sanitize, sources
from bot.engine.names import Entity, Mention
from bot.engine.search import Doc, Hit
from bot.engine.text import STOPWORDS, clip, stem, words
from bot.kb.models import Country, Quote, Source

if TYPE_CHECKING:
    from bot.engine.core import Engine

ENVOY_WORDS = {"ambassador", "ambassadors", "envoy", "envoys", "represented", "represent", "representing",
               "representative", "affaires", "diplomat", "emissary"}
STATS_WORDS = {"case", "cases", "death", "deaths", "died", "dead", "active", "infections", "infection",
               "infected", "confirmed", "fatalities", "toll", "tolls", "patients"}
COUNT_WORDS = {"many", "number", "numbers", "figure", "figures", "toll", "statistics", "stats", "count", "total",
               "report", "reported", "record", "recorded", "tally", "any", "most", "fewest", "least", "highest",
               "lowest", "no", "zero", "none", "without", "had", "have", "has"}
QUOTE_OPENERS = {("who", "said"), ("who", "says"), ("who", "called"), ("who", "described"), ("who", "stated")}
SAY_WORDS = {"say", "said", "says", "quote", "quoted", "remark", "remarks", "words", "speech", "stated"}
INTENT_SET = ENVOY_WORDS | STATS_WORDS | SAY_WORDS
INTENT_VOCAB = sorted(INTENT_SET)
META_WORDS = ENVOY_WORDS | SAY_WORDS | {"section", "think", "view", "views", "talk", "talked", "speak", "spoke",
                                        "mention", "mentioned", "about", "roundtable"}

_COVID = re.compile(r"covid-19", re.IGNORECASE)
_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)\b", re.IGNORECASE
)
_DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                   r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+\d|\b(?:19|20)\d\d\b|\blast week\b")
CONFIDENT = 0.5
CLOSEST = 0.3


def _intent_words(toks: list[str]) -> set[str]:
    """The question's words, with near-misses of intent words ("ambasador") corrected."""
    out = set(toks)
    for t in toks:
        if len(t) >= 5 and t not in INTENT_SET:
            hit = process.extractOne(t, INTENT_VOCAB, scorer=OSA.distance, score_cutoff=1)
            if hit:
                out.add(hit[0])
    return out


def _unique(mentions: list[Mention], kind: str) -> list[Entity]:
    return list(dict.fromkeys(m.entity for m in mentions if m.entity.kind == kind))


def answer_question(eng: Engine, text: str) -> Answer:
    """Answer a question in plain words."""
    toks = words(text)
    if not toks:
        return Answer(title="I didn't catch a question", body="Ask about the roundtable, or try !help.", kind="help",
                      suggestions=("!help", "!event"))
    said = _intent_words(toks)
    mentions = eng.names.mentions(text)
    members = _unique(mentions, "country")
    people = _unique(mentions, "person")
    outsiders = _unique(mentions, "partner") + _unique(mentions, "place")
    roles = _unique(mentions, "role")
    member = eng.kb.countries[members[0].id] if members else None
    if member is None and people:
        member = eng.kb.country_of_envoy(people[0].id)  # an envoy's name stands for their country

    if roles:
        return lookup.not_covered(eng, f"a {roles[0].name}", "No one in that role is named or quoted in it.")
    unknown = _unknown_name(eng, text, mentions)
    if unknown:
        return lookup.not_covered(eng, f"anyone or anything called “{sanitize(unknown)}”")
    places = _unique(mentions, "place")
    if places and not members:
        return lookup.not_covered(eng, places[0].name)

    strict = tuple(toks[:2]) in QUOTE_OPENERS
    if strict or said & SAY_WORDS:
        found, coverage = _quote_answer(eng, text, member, people, strict)
        if found and (strict or coverage >= _fact_coverage(eng, text, member, people)):
            return found
        if not strict:
            return _from_facts(eng, _drop_meta(text), mentions, member, people, outsiders)
    if said & ENVOY_WORDS:
        if member:
            return lookup.envoy_answer(eng, member)
        if people and eng.kb.country_of_envoy(people[0].id):
            return lookup.ambassador(eng, people[0].name)
    others = [m for m in mentions if m.entity.kind in {"person", "organization"} and m.entity.id != "asean"]
    if said & STATS_WORDS and said & COUNT_WORDS and not (others and not member) and eng.has("figures"):
        if member:
            return lookup.stats(eng, member.name)
        if outsiders:
            return lookup.outside(eng, outsiders[0], "COVID-19 figures")
        return _stats_overview(eng, said)
    if people and len([t for t in toks if t not in {"who", "is", "was", "what", "about", "tell", "me"}]) <= 4:
        return lookup.who(eng, people[0].name)
    return _from_facts(eng, text, mentions, member, people, outsiders)


def _quote_answer(eng: Engine, text: str, member: Country | None, people: list[Entity],
                  strict: bool) -> tuple[Answer | None, float]:
    """The quote a "who said ..." or "what did X say" question is after, if one fits, and its coverage."""
    entity = people[0].id if people else (member.id if member else None)
    query = _without_names(eng, _drop_meta(text))
    hits = eng.search(query, kinds={"quote"}, entity=entity, limit=3)
    if not hits and entity:
        hits = eng.search(text, kinds={"quote"}, limit=3)
    good = [h for h in hits if h.coverage >= (0.4 if strict else 0.25)]
    if not good:
        return None, 0.0
    top: Quote = good[0].doc.record
    who = attribution(eng.kb, top)
    body = f"{quoted(top)}\n— {who}"
    more = [h.doc.record for h in good[1:] if h.score >= 0.7 * good[0].score]
    fields = tuple(quote_field(eng.kb, q) for q in more)
    return Answer(title="Who said it" if strict else "What was said", body=body, fields=fields,
                  sources=sources(eng.kb, [top.source, *(q.source for q in more)])), good[0].coverage


def _fact_coverage(eng: Engine, text: str, member: Country | None, people: list[Entity]) -> float:
    """How well the best fact covers the question (to compare with the best quote)."""
    focus = member.id if member else (people[0].id if people else None)
    query = _without_names(eng, _drop_meta(text))
    hits = eng.search(query, kinds={"fact"}, entity=focus, limit=1)
    return hits[0].coverage if hits else 0.0


def _unknown_name(eng: Engine, text: str, mentions: list[Mention]) -> str | None:
    """A capitalised name of two or more words that the article never uses (e.g. "Kim Jong-un")."""
    known = {w for m in mentions for w in m.entity.name.lower().split()}
    run: list[str] = []
    found: list[list[str]] = []
    for i, raw in enumerate(text.replace("?", " ").replace(",", " ").split()):
        parts = words(raw)
        if i > 0 and raw[:1].isupper() and parts and not parts[0].isdigit():
            run.append(raw)
        else:
            if len(run) >= 2:
                found.append(run)
            run = []
    if len(run) >= 2:
        found.append(run)
    for name in found:
        toks = [t for w in name for t in words(w)]
        if all(t not in eng.names.vocabulary and t not in known for t in toks):
            return " ".join(name)
    return None


def _drop_meta(text: str) -> str:
    """The question without words about saying and representing ("say", "envoy"), its case kept."""
    kept = " ".join(w for w in text.split() if not (set(words(w)) & META_WORDS))
    return kept or text


def _without_names(eng: Engine, text: str) -> str:
    """The question with the names of countries and people taken out (used when filtering by them)."""
    toks = words(text)
    drop = {i for m in eng.names.mentions(text) if m.entity.kind in {"country", "person"}
            for i in range(m.start, m.end)}
    return " ".join(t for i, t in enumerate(toks) if i not in drop)


def _stats_overview(eng: Engine, said: set[str]) -> Answer:
    """Region-wide figure questions: which had none, the most, the fewest; else the table."""
    field = "deaths" if said & {"death", "deaths", "died", "dead", "toll", "fatalities"} else (
        "active" if "active" in said else "confirmed")
    rows = [(c, v) for c in eng.kb.members if c.stats and (v := c.stats.value(field)) is not None]
    label = {"deaths": "deaths", "active": "active cases", "confirmed": "confirmed cases"}[field]
    as_of = rows[0][0].stats.as_of if rows and rows[0][0].stats else "June 22"
    if said & {"no", "zero", "none", "without"}:
        names = [c.name for c, v in rows if v == 0]
        note = f"Reporting no {label} as of {as_of}: {', '.join(names) or 'none of the ten'}."
    elif said & {"most", "highest", "largest", "biggest", "worst", "more"}:
        c, v = max(rows, key=lambda r: r[1])
        note = f"The most {label} as of {as_of}: {c.name}, with {v:,}."
    elif said & {"fewest", "least", "lowest", "smallest", "less"}:
        c, v = min(rows, key=lambda r: r[1])
        note = f"The fewest {label} as of {as_of}: {c.name}, with {v:,}."
    elif said & {"total", "altogether", "combined", "overall"}:
        note = (f"Adding up the article's figures for the ten: {sum(v for _, v in rows):,} {label} "
                f"as of {as_of} (the article itself gives no total).")
    else:
        note = ""
    return lookup.stats_table(eng, note)


def _from_facts(eng: Engine, text: str, mentions: list[Mention], member: Country | None,
                people: list[Entity], outsiders: list[Entity]) -> Answer:
    """Answer from the best-matching facts, then paragraphs; say so when nothing fits."""
    orgs = [m.entity.id for m in mentions if m.entity.kind == "organization" and m.entity.id != "asean"]
    focus = member.id if member else (people[0].id if people else None)
    query = _without_names(eng, text) if focus else text
    if focus is None and orgs and not eng.search(query, kinds={"fact", "event"}, limit=1):
        focus = orgs[0]  # nothing but a name to go on ("What did the WHO say?"): what the article says of it
    if focus and not eng.index.query_terms(query):  # a bare name: what the article says of it
        if member:
            return lookup.country(eng, member.name)
        if people:
            return lookup.who(eng, people[0].name)
        if facts := eng.facts_about(focus)[:3]:
            return Answer(title=f"What the article says about {eng.kb.name_of(focus)}",
                          body=clip(bullets(f.text for f in facts), 3000),
                          sources=sources(eng.kb, (f.source for f in facts)))
    hits = eng.search(query, kinds={"fact", "event"}, entity=focus, limit=4)
    paras = eng.search(query, kinds={"paragraph"}, entity=focus, limit=2)
    if focus and not member and (not hits or hits[0].coverage < CLOSEST):
        hits = eng.search(text, kinds={"fact", "event"}, limit=4)
        paras = eng.search(text, kinds={"paragraph"}, limit=2)
    if focus is None:
        hits = _prefer_labelled(eng, text, hits)
    if words(text)[:1] == ["when"]:
        hits = sorted(hits, key=lambda h: -h.score * (1.3 if _DATE.search(h.doc.text) else 1.0))
    if _asks_quantity(words(text)):
        rarest = _rarest_slot(eng, query)
        with_figures = [h for h in hits if _has_figure(h.doc.text) and _matches(h, rarest)]
        paras = [h for h in paras if _has_figure(h.doc.text) and _matches(h, rarest)]
        if not with_figures and not paras:
            return _no_figure(eng, text, member, outsiders, hits)
        hits = with_figures
    best = hits[0] if hits else None
    if paras and (best is None or paras[0].coverage > best.coverage + 0.2):
        best, hits = paras[0], paras
    if best is None or best.coverage < CLOSEST:
        return _nothing(eng, text, member, outsiders)
    good = [h for h in hits if h.coverage >= CLOSEST and h.score >= 0.75 * best.score][:3]
    confident = best.coverage >= CONFIDENT
    title = "From the article" if confident else "The closest the article comes"
    body = best.doc.text
    if not confident:
        body = "The article may not answer this exactly. Closest passage:\n" + body
    extra = [h.doc.text for h in good[1:]]
    fields = (Field("Also in the article", clip(bullets(extra), 1024)),) if extra else ()
    refs = [Source(section=h.doc.section, paragraphs=list(h.doc.paragraphs)) for h in good]
    return Answer(title=title, body=clip(body, 3000), fields=fields, sources=sources(eng.kb, refs))


QUESTION_LABELS = {"when": "date", "where": "place"}
EVENT_WORDS = {"roundtabl", "event", "gather"}


def _prefer_labelled(eng: Engine, text: str, hits: list[Hit]) -> list[Hit]:
    """Put an event item first when the question names its label ("Who hosted" -> Host, "when" -> Date)."""
    toks = words(text)
    if not {stem(t) for t in toks} & EVENT_WORDS:
        return hits  # only questions about the roundtable itself
    wanted = [QUESTION_LABELS[t] for t in toks[:1] if t in QUESTION_LABELS]
    wanted += [stem(t) for t in toks if t not in STOPWORDS]

    def rank(doc: Doc) -> int | None:
        label = [stem(w) for w in words(doc.record.label)]
        for i, a in enumerate(wanted):
            if any(a[:5] == b[:5] and min(len(a), len(b)) >= 4 for b in label):
                return i
        return None

    ranked = sorted(((r, d) for d in eng.index.of_kind("event") if (r := rank(d)) is not None),
                    key=lambda rd: rd[0])
    if not ranked:
        return hits
    doc = ranked[0][1]
    top = Hit(doc, hits[0].score if hits else 1.0, 1.0)
    return [top, *(h for h in hits if h.doc is not doc)]


def _asks_quantity(toks: list[str]) -> bool:
    """"How many ..." / "how much ...": only an answer with a figure in it will do."""
    return any(a == "how" and b in {"many", "much"} for a, b in pairwise(toks))


def _has_figure(text: str) -> bool:
    """True when the text states a number (the 19 of COVID-19 does not count)."""
    return bool(_FIGURE.search(_COVID.sub("", text)))


def _rarest_slot(eng: Engine, query: str) -> tuple[str, ...]:
    """The query word (with its synonyms) that the fewest documents use: what the question is about."""
    known = [slot for slot in eng.index.query_terms(query) if eng.index.idf(slot[0]) > 0]
    return max(known, key=lambda slot: eng.index.idf(slot[0])) if known else ()


def _matches(hit: Hit, slot: tuple[str, ...]) -> bool:
    """True when the hit's document has the slot's word or one of its synonyms (or there is no slot)."""
    return not slot or any(t in hit.doc.terms for t in slot)


def _no_figure(eng: Engine, text: str, member: Country | None, outsiders: list[Entity], hits: list[Hit]) -> Answer:
    """A "how many" question the article gives no number for: say so, and what it does say."""
    if not hits or hits[0].coverage < CONFIDENT:
        return _nothing(eng, text, member, outsiders)
    top = hits[0]
    return Answer(title="No figure in the article",
                  body="The article gives no figure for that. What it does say:\n" + top.doc.text,
                  sources=sources(eng.kb, [Source(section=top.doc.section, paragraphs=list(top.doc.paragraphs))]),
                  kind="not_covered")


def _nothing(eng: Engine, text: str, member: Country | None, outsiders: list[Entity]) -> Answer:
    """The article does not say: offer what it covers about the subject."""
    if member:
        key = eng.key_points(member.id, limit=3)
        return Answer(title="Not in the article",
                      body=f"The article does not say that about {member.name}."
                      + (f" What it does say about {member.name}:" if key else ""),
                      fields=(Field("Key points", clip(bullets(f.text for f in key), 1024)),) if key else (),
                      sources=sources(eng.kb, (f.source for f in key)), kind="not_covered",
                      suggestions=(f"!country {member.name}", f"!quote {member.name}"))
    if outsiders:
        return lookup.outside(eng, outsiders[0], "answer to that")
    return Answer(title="Not in the article",
                  body=f"I could not find that in the article (“{sanitize(text)}”). It covers the June 15, 2020 "
                       "roundtable, each ASEAN member's COVID-19 figures and measures, ASEAN-Korea cooperation, "
                       "and the Seoul mayor's column.",
                  kind="not_covered", suggestions=("!help", "!event", "!search <words>"))


__all__ = ["Hit", "answer_question"]
