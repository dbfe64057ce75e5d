"""Free-form questions: read the intent, find the entities, answer from structured data or the best facts."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from bot.answer import Answer, Field
from bot.dialogue import FRESH, Context
from bot.engine import figures, followup, lookup, photo, voice
from bot.engine.format import attribution, bullets, quote_field, quoted, sanitize, sources
from bot.engine.names import Entity, Mention
from bot.engine.reading import ANSWER_TYPES, Question, read, read_sentence, with_concepts, with_entities
from bot.engine.search import Doc, Hit
from bot.engine.text import STOPWORDS, clip, stem, terms, words
from bot.kb.models import Country, Quote, SmallTalk, Source

if TYPE_CHECKING:
    from bot.engine.core import Engine

QUOTE_OPENERS = {("who", "said"), ("who", "says"), ("who", "called"), ("who", "described"), ("who", "stated")}
META_CONCEPTS = ("envoy", "quote", "event")
WHO_FILLERS = {"who", "is", "was", "what", "about", "tell", "me", "s"}

_NAMED_NUMBER = re.compile(r"\b[A-Za-z]+-\d+\b")  # the 19 of a name like "XYZ-19" is no figure
_FIGURE = re.compile(
    r"\d|\b(?:one|two|three|four|five|six|seven|eight|nine|ten|dozen|hundred|thousand|million|billion)\b", re.IGNORECASE
)
_DATE = re.compile(r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|"
                   r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept?|Oct|Nov|Dec)\.?\s+\d|\b(?:19|20)\d\d\b|\blast week\b|"
                   r"\b(?:late|early|mid)[- ](?:January|February|March|April|May|June|July|August|September|October|"
                   r"November|December)\b|\b(?:this|next|last) (?:year|month)\b")
_MONTHS = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
           "november", "december")
_MONTH = "(?:" + "|".join((*_MONTHS, "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sept?", "oct", "nov",
                            "dec")) + r")\.?"
_OTHER_TIME = re.compile(r"\b(?:start|beginning|end|middle) of\b|\b(?:last|next|this) (?:month|year|week)\b|"
                         r"\b(?:yesterday|tomorrow|today)\b|\b(?:19|20)\d\d\b|"
                         r"\b(?:in|on|by|since|before|after|during|early|late|mid|start of|end of)[- ]" + _MONTH
                         + r"(?:\s+\d{1,2}(?:st|nd|rd|th)?)?\b|\b" + _MONTH + r"\s+\d{1,2}(?:st|nd|rd|th)?\b",
                         re.IGNORECASE)
_RELATIVE = re.compile(r"start|beginning|end|middle|last|next|yesterday|tomorrow|before|after|since|early|late|mid",
                       re.IGNORECASE)
_MONEY = re.compile(r"\\?\$\s?\d|\d[\d,.]*\s*(?:million|billion)?\s*(?:dollars|won|ringgit|baht|pesos?)\b",
                    re.IGNORECASE)
_BECAUSE = re.compile(r"\b(?:because|due to|thanks to|owes? to|owing to|as a result|that is why|which is why|since|"
                      r"so that|in order to|to help|therefore|thus|led to|behind|based on|lessons?|the key|key to|"
                      r"helped|result of|reason|by being|by using)\b", re.IGNORECASE)
GAP_ANSWERED = 0.6  # a passage covering this much of a question answers it, though it uses a "not covered" word
CONFIDENT = 0.4  # below it an answer says it may not answer exactly (calibrated on the question sets)
CLOSEST = 0.3
_SPLIT = re.compile(r"\s*(?:,\s*)?(?:\b(?:and|also|plus|then|as well as)\b|[+&])\s*(?=(?:who|whose|what|whats|what's|"
                    r"where|when|how|which|did|does|do|is|are|was)\b)", re.IGNORECASE)


def answer_question(eng: Engine, text: str, context: Context = FRESH) -> Answer:
    """Answer a question in plain words, read against the conversation so far."""
    toks = words(text)
    talk = eng.lexicon.talk(toks) if toks else None
    if talk is not None:
        return voice.small_talk(eng, talk)
    q = read(eng, text)
    talk = _talk_concept(eng, q)
    if talk is None and (opening := eng.lexicon.opening_talk(toks)) is not None and not [
            e for e in q.of_kind("country", "person", "organization", "partner") if e.id not in eng.everywhere]:
        talk = opening  # "tell me a joke about covid", "whats ur fav asean country"
    if talk is not None:
        return voice.small_talk(eng, talk)
    if not q.tokens and not q.mentions and not q.concepts:
        return Answer(title="I didn't catch a question", body="Ask about the article, or try !help.", kind="help",
                      suggestions=("!help",))
    if q.before and not q.mentions and q.has("refer"):  # "the philippines didnt send an ambassador? so who did they"
        q = with_entities(q, list(dict.fromkeys(m.entity for m in read_sentence(eng, q.before).mentions)))
    followed = followup.follow(eng, q, context)
    if isinstance(followed, Answer):
        return followed
    q = followed
    parts = _parts(eng, q)
    answer = _combine(_answer_parts(eng, parts)) if len(parts) > 1 else _answer(eng, q)
    return followup.remember(eng, q, answer, context)


def _talk_concept(eng: Engine, q: Question) -> SmallTalk | None:
    """A greeting, thanks or a call for help in any language: its words and nothing else asked."""
    talk = [c for c in q.concepts if c in eng.lexicon.talk_concepts]
    others = [c for c in q.concepts if c not in eng.lexicon.talk_concepts and c not in {"what", "which", "refer"}]
    if not talk or others or q.mentions:
        return None
    spans = {i for c in talk for a, b in q.concepts[c] for i in range(a, b)}
    if any(i not in spans and t not in eng.lexicon.filler_words for i, t in enumerate(q.tokens)):
        return None
    return eng.lexicon.talk_concepts[talk[0]]


def remember_command(eng: Engine, name: str, arg: str, answer: Answer) -> Answer:
    """A command's answer with the context it leaves ("!ambassador Thailand", then "what did he say?")."""
    if not arg or answer.kind == "error":
        return answer
    q = read_sentence(eng, arg)
    attribute = {"ambassador": "envoy", "stats": "figure:confirmed,active,deaths", "quote": "quote"}.get(name)
    if attribute == "envoy":
        q = with_concepts(q, ["envoy"])
    answer = followup.remember(eng, q, answer, FRESH)
    return replace(answer, context=replace(answer.context, attribute=attribute)) if attribute else answer


def _parts(eng: Engine, q: Question) -> list[Question]:
    """A double question ("who is the thai ambassador and who is the lao one") as its parts; a part without
    a subject of its own keeps the one before it ("... and how much did it give the philippines")."""
    pieces = [p for p in _SPLIT.split(q.text) if p.strip()]
    if len(pieces) < 2 or any(len(words(p)) < 2 for p in pieces):
        return [q]  # "when and where was it" is one question with two answer types
    parts = [read_sentence(eng, p) for p in pieces]
    out = [parts[0]]
    for part in parts[1:]:
        prev = out[-1]
        if not part.mentions or part.has("refer"):
            part = with_entities(part, [m.entity for m in prev.mentions if not part.of_kind(m.entity.kind)])
        if prev.has("event") and not part.has("event"):
            part = with_concepts(part, ["event"])
        if prev.has("envoy") and not part.has("envoy") and part.has("who"):
            part = with_concepts(part, ["envoy"])
        if prev.figures and not part.figures and not part.has("envoy", "quote") and not followup.own_words(eng, part):
            part = with_concepts(part, [*prev.figures, "how_many"])  # "... and which had the fewest"
        out.append(part)
    return out


def _answer_parts(eng: Engine, parts: list[Question]) -> list[Answer]:
    """Each part's answer; a part whose best passage an earlier part already gave takes its next best."""
    answers: list[Answer] = []
    for part in parts:
        answer = _answer(eng, part)
        if any(answer.body == a.body for a in answers):
            seen = tuple(a.body for a in answers)
            answer = _answer(eng, replace(part, seen=seen))
        answers.append(answer)
    return answers


def _combine(answers: list[Answer]) -> Answer:
    """One answer from the answers to the parts of a double question."""
    body = "\n\n".join(f"**{a.title}**" + (f"\n{a.body}" if a.body else "") for a in answers)
    fields = tuple(f for a in answers for f in a.fields)[:25]
    refs = tuple(dict.fromkeys(r for a in answers for r in a.sources))
    kind = "answer" if any(a.found for a in answers) else answers[0].kind
    return Answer(title=" · ".join(dict.fromkeys(a.title for a in answers)), body=body, fields=fields,
                  sources=refs, kind=kind)


def _answer(eng: Engine, q: Question) -> Answer:
    """Answer one (part of a) question."""
    answer = _route(eng, q)
    if (q.has("present") or q.tokens[:1] in {("is",), ("are",), ("does",), ("do",), ("has",), ("have",)}) \
            and answer.found:
        answer = voice.dated(eng, answer)
    return answer


def _route(eng: Engine, q: Question) -> Answer:
    text = q.text
    toks = list(q.tokens)
    mentions = list(q.mentions)
    members = q.of_kind("country")
    people = q.of_kind("person")
    outsiders = q.of_kind("partner", "place")
    roles = q.of_kind("role")
    if len(members) > 1 and not q.carried:
        members = _attached(q, members)
    member = eng.kb.countries[members[0].id] if members else None
    if member is None and people:
        member = eng.kb.country_of_envoy(people[0].id)  # an envoy's name stands for their country

    if roles:
        return lookup.not_covered(eng, f"a {roles[0].name}", "No one in that role is named or quoted in it.")
    unknown = _unknown_name(eng, text, mentions)
    if unknown:
        return lookup.not_covered(eng, f"anyone or anything called “{sanitize(unknown)}”")
    places = q.of_kind("place")
    if places:  # "how much aid did the US give the philippines": the article names no US aid
        return lookup.not_covered(eng, places[0].name)
    gap = eng.lexicon.gap(toks)
    if gap is not None and ((gap[0].now and q.has("present")) or not _gives(
            eng, q, [gap[1], *(p for p in gap[0].phrases if len(p) == 1)])):
        subject = member.name if member else (outsiders[0].name if outsiders else None)
        return voice.gap_answer(eng, gap[0].what, subject, member)
    if q.ambiguous and not people and not members:
        return voice.which_of(eng, q, list(q.ambiguous))
    if (pictured := photo.answer(eng, q)) is not None:
        return pictured

    partners = [e for e in outsiders if e.kind == "partner"]
    if partners and q.has("envoy") and not members and not people and _asked_of(q, partners[0]):
        return lookup.outside(eng, partners[0], "envoy")  # "who is korea's ambassador"
    if q.has("who") and not people and not members:
        holders = voice.holders(eng, q)
        if holders is not None:
            return holders
    if people and not q.has("quote") and (post := voice.post_of(eng, q, people[0])) is not None:
        return post
    if not q.mentions and len(toks) == 3 and toks[0] == "who" and toks[1] in {"is", "was"} \
            and toks[2] not in STOPWORDS and eng.lexicon.gap(toks) is None:
        return lookup.not_covered(eng, f"anyone called “{sanitize(toks[2].title())}”")  # "who is mark"

    if q.has("envoy") and q.has("quote") and not members and not people and not outsiders and not q.figures \
            and not _leftover(eng, q):
        return voice.all_envoys(eng, q)  # "what did the ambassador say": which country's?
    if not q.mentions and (same := voice.same_name(eng, q)) is not None:
        return same  # "what's the fund", "when was the summit": which of them
    if not members and not people and not q.has("quote") and (holder := voice.title_holder(eng, q)):
        return lookup.person_card(eng, holder)  # "what about the charge d'affaires"
    if q.has("quote") and not members and not people and not outsiders:  # "what did the chair say"
        quote_words = frozenset(eng.lexicon.concept_words.get("quote", ()))
        speakers = voice.role_people(eng, q, quote_words | {"what", "did", "does"})
        if len(speakers) > 1:
            return voice.which_of(eng, q, [eng.names.entities[p.id] for p in speakers])
        if speakers:
            people = [eng.names.entities[speakers[0].id]]
            member = eng.kb.country_of_envoy(speakers[0].id)
    if q.has("quote") and people and not eng.quotes(speaker=people[0].id) and member is None:
        return voice.not_about_person(eng, eng.kb.people[people[0].id], quoted=False)  # "what did moon say"

    strict = tuple(toks[:2]) in QUOTE_OPENERS
    if q.has("quote") and not strict and (member or people) and not eng.index.query_terms(_query(eng, q, True)):
        return lookup.quote(eng, people[0].name if people else member.name if member else "")  # "what did X say"
    if strict or q.has("quote"):
        found, coverage = _quote_answer(eng, q, member, people, strict)
        if found and (strict or coverage >= _fact_coverage(eng, q, member, people)):
            return found
        if not strict:
            return _from_facts(eng, q, member, people, outsiders, drop_meta=True)
    envoy_asked = not q.has("why") and (q.has("envoy") or (q.has("envoy_weak") and q.has("who", "which", "list")
                                                          and not q.has("quote")))
    if envoy_asked and not q.figures and not q.has("where", "when"):
        if len(members) > 1:
            return _combine([lookup.envoy_answer(eng, eng.kb.countries[m.id]) for m in members])
        if member:
            return lookup.envoy_answer(eng, member)
        if people and eng.kb.country_of_envoy(people[0].id):
            return lookup.ambassador(eng, people[0].name)
        if outsiders and _asked_of(q, outsiders[0]):
            return lookup.outside(eng, outsiders[0], "envoy")
        if (q.has("envoy") or q.has("list") or "countries" in toks) and not people and not _leftover(eng, q):
            return voice.all_envoys(eng, q)
    others = [m for m in mentions if m.entity.kind in {"person", "organization"} and m.entity.id not in eng.everywhere]
    if not q.figures and q.has("figures") and q.has("theme") and "date" in q.asks and eng.has("figures"):
        return _stats_overview(eng, q)  # "what date were the covid numbers from"
    if q.figures and not q.has("why") and (q.has("how_many", "figures", "present", "most", "fewest", "none", "sum",
                                                     "compare")
                      or not _leftover(eng, q)) and not (others and not member) and eng.has("figures"):
        if member:
            late = next((m for m in _OTHER_TIME.finditer(text) if m.group(0).lower() != "today"), None)
            if late and not _same_date(late.group(0), member):
                return voice.no_figures_for(eng, member, q.figures, late.group(0))
            if len(members) > 1:
                rank = "most" if q.has("most") else ("fewest" if q.has("fewest") else ("sum" if q.has("sum") else None))
                return figures.several(eng, [eng.kb.countries[m.id] for m in members], q.figures, rank)
            return figures.one(eng, member, q.figures)
        if outsiders:
            return lookup.outside(eng, outsiders[0], eng.kb.profile.figures_name)
        return _stats_overview(eng, q)
    orgs = [e for e in q.of_kind("organization") if e.id not in eng.everywhere]
    if orgs and q.first("define") == 0 and not people and not member and not q.asks and not _leftover(eng, q):
        return lookup.organization(eng, eng.kb.organizations[orgs[0].id])
    if people and len([t for t in toks if t not in WHO_FILLERS]) <= 4:
        return lookup.who(eng, people[0].name)
    return _from_facts(eng, q, member, people, outsiders)


ROUTE_CONCEPTS = ("envoy", "envoy_weak", "list", "event", "who", "what", "which", "theme", "refer")


def _leftover(eng: Engine, q: Question) -> list[str]:
    """The question's content words beyond names, fillers and the words that chose its route."""
    spans = {i for m in q.mentions for i in range(m.start, m.end)}
    spans |= {i for c in (*ROUTE_CONCEPTS, *q.figure_ids) for a, b in q.concepts.get(c, ()) for i in range(a, b)}
    return [t for i, t in enumerate(q.tokens) if i not in spans and i not in q.translated and t not in STOPWORDS
            and len(t) > 2 and t not in eng.lexicon.filler_words and t not in {"country", "countries"}]


def _asked_of(q: Question, entity: Entity) -> bool:
    """True when the envoy words are about this entity ("Korea's ambassador", "the envoy of Japan"), not about
    someone speaking of it ("which ambassador called Korea a model country")."""
    envoy = [a for a, _ in q.concepts.get("envoy", [])]
    places = [m.start for m in q.mentions if m.entity == entity]
    between = {"of", "from", "for", "to"}
    return any(abs(a - p) == 1 or (abs(a - p) == 2 and q.tokens[min(a, p) + 1] in between)
               for a in envoy for p in places)


def _attached(q: Question, members: list[Entity]) -> list[Entity]:
    """Member states the question is about: a demonym qualifying an unrelated noun ("thai food") is not,
    unless it is the only one named."""
    kept = []
    for m in q.mentions:
        if m.entity not in members or m.entity in kept:
            continue
        nxt = q.tokens[m.end] if m.end < len(q.tokens) else ""
        if nxt and nxt not in STOPWORDS and not any(nxt in ws for ws in eng_words(q)):
            continue
        kept.append(m.entity)
    return kept or members


def eng_words(q: Question) -> list[frozenset[str]]:
    """The concept words found in the question (what a name may qualify: "thai ambassador", "thai cases")."""
    return [frozenset(q.tokens[a] for a, _ in spans if a < len(q.tokens)) for spans in q.concepts.values()]


def _same_date(phrase: str, member: Country) -> bool:
    """True when a time phrase in a figures question is the article's own date for the figures ("as of june 22")."""
    as_of = member.stats.as_of.lower() if member.stats else ""
    said = words(phrase)
    if not as_of or _RELATIVE.search(phrase) or "today" in said:
        return False
    dated = set(words(as_of))
    months = {d[:3] for d in dated if not d.isdigit()}
    return all(w in dated or w in {"in", "on", "by", "during", "of", "as"} or (not w.isdigit() and w[:3] in months)
               for w in said)


def _gives(eng: Engine, q: Question, phrases: list[tuple[str, ...]]) -> bool:
    """True when the article says the asked thing of the question's subject (Seoul's population, not Indonesia's):
    a document about the subject has all the content words of one of the phrases asking for it."""
    subjects = [m.entity.id for m in q.mentions if m.entity.kind in {"country", "person", "organization"}
                and m.entity.id not in eng.everywhere]
    wanted = [asked for p in phrases if (asked := {stem(w) for w in p if w not in STOPWORDS})]
    docs = eng.index.docs
    if not subjects:  # "which year did ASEAN weather the crisis": a passage that answers it well uses the word
        said = " ".join(t for t in q.content if t not in eng.lexicon.filler_words)  # "today" counts here
        top = eng.search(said, kinds={"fact", "paragraph"}, limit=1)
        return bool(top) and top[0].coverage >= GAP_ANSWERED and any(a <= set(top[0].doc.terms) for a in wanted)
    return any(asked <= set(docs[i].terms) for sid in subjects for i in eng.index.about(sid)
               if docs[i].kind in {"fact", "paragraph"} for asked in wanted)


def _quote_answer(eng: Engine, q: Question, member: Country | None, people: list[Entity],
                  strict: bool) -> tuple[Answer | None, float]:
    """The quote a "who said ..." or "what did X say" question is after, if one fits, and its coverage."""
    person = people[0].id if people else None
    entity = member.id if member and (person is None or eng.kb.country_of_envoy(person)) else person
    query = _query(eng, q, drop_meta=True)
    hits = eng.search(query, kinds={"quote"}, entity=person, limit=3) if person and entity != person else []
    if not [h for h in hits if h.coverage >= 0.4]:  # an envoy's own words first, then their section's
        hits = eng.search(query, kinds={"quote"}, entity=entity, limit=3)
    if not hits and entity and not member:  # a person without a matching quote: maybe words about them
        topic = _rarest_slots(eng, query)[:1]
        hits = [h for h in eng.search(q.text, kinds={"quote"}, limit=3)
                if all(_matches(h, t) for t in topic) and h.doc.record.speaker in (None, person)]
    topic = _rarest_slots(eng, query)[:2]
    if topic:  # a quote whose own words miss the topic is only near it (its paragraph has the word)
        wanted = set().union(*topic)
        hits = sorted((h if wanted & set(terms(f"{h.doc.text} {h.doc.record.context or ''}"))
                       else Hit(h.doc, h.score / 2, h.coverage / 2) for h in hits), key=lambda h: -h.score)
    good = [h for h in hits if h.coverage >= (0.4 if strict else 0.25)]
    if not good:
        return None, 0.0
    top: Quote = good[0].doc.record
    who = attribution(eng.kb, top)
    body = f"{quoted(top)}\n— {who}"
    if q.has("who") and top.speaker:
        body = f"**{eng.kb.people[top.speaker].name}** said it.\n{body}"
    more = [h.doc.record for h in good[1:] if h.score >= 0.7 * good[0].score]
    fields = tuple(quote_field(eng.kb, x) for x in more)
    return Answer(title="Who said it" if strict else "What was said", body=body, fields=fields,
                  sources=sources(eng.kb, [top.source, *(x.source for x in more)])), good[0].coverage


def _fact_coverage(eng: Engine, q: Question, member: Country | None, people: list[Entity]) -> float:
    """How well the best fact covers the question (to compare with the best quote)."""
    focus = member.id if member else (people[0].id if people else None)
    hits = eng.search(_query(eng, q, drop_meta=True), kinds={"fact"}, entity=focus, limit=1)
    return hits[0].coverage if hits else 0.0


def _unknown_name(eng: Engine, text: str, mentions: list[Mention]) -> str | None:
    """A capitalised name of two or more words that the article never uses (e.g. "Kim Jong-un")."""
    known = {w for m in mentions for w in m.entity.name.lower().split()}
    covered = eng.names.spans_words(text, mentions)  # "Việt Nam" is a name the article knows, in other letters
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
        toks = [t for w in name for t in words(w) if t not in covered]
        if len(toks) >= 2 and all(t not in eng.names.vocabulary and t not in known for t in toks):
            return " ".join(name)
    return None


def _query(eng: Engine, q: Question, drop_meta: bool = False, keep_names: bool = False) -> str:
    """The question's search words: without fillers and names of the subject (filtered on instead), and with
    `drop_meta` without words about saying, representing and the event itself ("say", "envoy")."""
    drop = {i for m in q.mentions if not keep_names and m.entity.kind in {"country", "person"}
            for i in range(m.start, m.end)}
    fillers = eng.lexicon.filler_words
    words_of = eng.lexicon.concept_words
    meta = set().union(*(words_of.get(c, frozenset()) for c in META_CONCEPTS)) if drop_meta else set()
    meta |= words_of.get("present", frozenset()) | words_of.get("figures", frozenset())  # "still", "numbers"
    meta |= words_of.get("define", frozenset()) - {"what", "is", "are", "was", "were", "me", "about"}  # "stand for"
    if q.asks or q.has("compare"):
        meta |= words_of.get("span", frozenset())  # "when did it start and end", "before and after"
    if q.carried or q.has("refer"):
        meta |= {"country", "countries", "nation", "government"}  # "his country": the country filtered on
    kept = [t for i, t in enumerate(q.tokens) if i not in drop and i not in q.translated and t not in fillers
            and t not in meta]
    kept += [t for t in q.english if t not in meta]  # "vaksin" is searched as "vaccine"
    if kept or drop:
        return " ".join(kept)  # nothing but a name: a bare name, answered with what the article says of it
    return " ".join([t for t in q.tokens if t not in fillers] or q.tokens)


def _stats_overview(eng: Engine, q: Question) -> Answer:
    """Region-wide figure questions: which had none, the most, the fewest; else the table."""
    field = q.figures[0] if q.figures else q.figure_ids[0]
    rows = [(c, v) for c in eng.kb.members if c.stats and (v := c.stats.value(field)) is not None]
    label = figures.noun(eng, field)
    as_of = rows[0][0].stats.as_of if rows and rows[0][0].stats else ""
    notes = [f"The article gives its figures as of {as_of}."] if "date" in q.asks and as_of else []
    if q.has("none"):
        names = [c.name for c, v in rows if v == 0]
        notes.append(f"Reporting no {label} as of {as_of}: {', '.join(names) or 'none of them'}.")
    if q.has("most"):
        c, v = max(rows, key=lambda r: r[1])
        notes.append(f"The most {label} as of {as_of}: {c.name}, with {v:,}.")
    if q.has("fewest"):
        c, v = min(rows, key=lambda r: r[1])
        notes.append(f"The fewest {label} as of {as_of}: {c.name}, with {v:,}.")
    if q.has("sum") and not notes:
        notes.append(f"Adding up the article's figures: {sum(v for _, v in rows):,} {label} "
                     f"as of {as_of} (the article itself gives no total).")
    return lookup.stats_table(eng, "\n".join(notes))


def _from_facts(eng: Engine, q: Question, member: Country | None, people: list[Entity], outsiders: list[Entity],
                drop_meta: bool = False) -> Answer:
    """Answer from the best-matching facts, then paragraphs, preferring a passage holding an answer of the
    asked type; say so when nothing fits."""
    orgs = [m.entity.id for m in q.mentions if m.entity.kind == "organization" and m.entity.id not in eng.everywhere]
    partners = [e.id for e in outsiders if e.kind == "partner"]
    carried_orgs = [o for o in orgs if o in q.carried]  # "how much did korea put into it": into the fund
    focus = member.id if member else (people[0].id if people else (
        carried_orgs[0] if carried_orgs else (partners[0] if partners else None)))
    query = _query(eng, q, drop_meta=drop_meta, keep_names=focus is None)
    loose = _query(eng, q, drop_meta=drop_meta, keep_names=True)
    if focus is None and orgs and (q.carried or not eng.search(query, kinds={"fact", "event"}, limit=1)):
        focus = orgs[0]  # nothing but a name to go on ("What did the WHO say?"): what the article says of it
    if focus and not eng.index.query_terms(query) and q.asks:  # "when was it": its passages, of the asked type
        query = loose
    if focus and not eng.index.query_terms(query):  # a bare name: what the article says of it
        if member:
            return lookup.country(eng, member.name)
        if people:
            return lookup.who(eng, people[0].name)
        if facts := eng.facts_about(focus)[:3]:
            return Answer(title=f"What the article says about {eng.kb.name_of(focus)}",
                          body=clip(bullets(f.text for f in facts), 3000),
                          sources=sources(eng.kb, (f.source for f in facts)))
    hits = eng.search(query, kinds={"fact", "event"}, entity=focus, limit=6)
    paras = eng.search(query, kinds={"paragraph"}, entity=focus, limit=3)
    carried = focus in q.carried  # "it" in "how much did korea put into it": trust it, the filter says enough
    said_by = drop_meta and bool(people)  # "what did lee hyuk say about tourism": his words, no one else's
    partner = focus in partners  # "what did japan contribute": about Japan or not at all
    if focus and not member and not carried and not said_by and not partner and (
            not hits or hits[0].coverage < CLOSEST):
        hits = eng.search(loose, kinds={"fact", "event"}, limit=6)
        paras = eng.search(loose, kinds={"paragraph"}, limit=3)
    if focus is None or q.has("event"):
        about_event = q.has("event") or (focus is None and q.has("envoy", "envoy_weak")) or (
            bool(eng.event_words) and eng.event_words <= set(q.tokens))  # "the june 15 thing"
        hits = _prefer_labelled(eng, q, hits, about_event)
    if q.seen:  # "what else?", and the second part of "what is X and what is Y": other passages than before
        hits = [h for h in hits if not _was_seen(h, q.seen)]
        paras = [h for h in paras if not _was_seen(h, q.seen)]
    if q.excluded:  # "what did indonesia build besides test kits"
        wanted = [slot for slot in eng.index.query_terms(query) if eng.index.idf(slot[0]) > 0]
        hits = _without(hits, q.excluded, wanted) or hits
        paras = _without(paras, q.excluded, wanted) or paras
    if "date" in q.asks:
        own = [t for t in q.tokens if t.isdigit()]

        def dated(hit: Hit) -> bool:
            text = hit.doc.text
            return bool(_DATE.search(re.sub(r"\b(?:" + "|".join(own) + r")\b", "", text) if own else text))

        typed_hits, typed_paras = _typed(hits, dated), _typed(paras, dated)
        labelled = bool(hits) and hits[0].doc.kind == "event" and hits[0].coverage == 1.0
        if not labelled and (hits or paras) and not any(dated(h) for h in (*hits, *paras) if h.coverage >= CLOSEST):
            return _no_date(eng, (hits or paras)[0])  # "when was the korea times founded": no date given
        hits, paras = typed_hits or hits, typed_paras or paras
    if "number" in q.asks and q.tokens[:1] != ("when",):
        counted = _counted(eng, q)
        rarest = [counted] if counted else _rarest_slots(eng, query)
        holds = _MONEY.search if q.has("money") else _has_figure
        with_figures = _figured(hits, rarest, holds)
        paras = _figured(paras, rarest, holds)
        if not with_figures and not paras:
            return _no_figure(eng, q, member, outsiders, hits)
        hits = with_figures
    if q.has("why"):
        reasons = [h for h in (*hits, *paras) if h.coverage >= CLOSEST and _BECAUSE.search(h.doc.text)]
        if not reasons:
            return voice.no_reason(eng, hits[0] if hits else (paras[0] if paras else None))
        hits = [h for h in reasons if h.doc.kind != "paragraph"]
        paras = [h for h in reasons if h.doc.kind == "paragraph"]
    if "person" in q.asks:
        people_ids = eng.people_ids
        hits = _typed(hits, lambda h: not people_ids.isdisjoint(h.doc.entities)) or hits
    best = hits[0] if hits else None
    if paras and (best is None or paras[0].coverage > best.coverage + 0.2):
        best, hits = paras[0], paras
    if best is None or best.coverage < (CLOSEST / 2 if carried else CLOSEST):
        return _nothing(eng, q, member, outsiders)
    near = 0.6 if q.has("present") else 0.75  # "still": the later measures too
    good = [h for h in hits if h.coverage >= CLOSEST and (h.score >= near * best.score or (
        h.coverage >= max(CONFIDENT, best.coverage - 0.01) and h.doc.kind == best.doc.kind))][:3]
    confident = best.coverage >= CONFIDENT
    title = "From the article" if confident else "The closest the article comes"
    body = best.doc.text
    if not confident:
        body = "The article may not answer this exactly. Closest passage:\n" + body
    extra = [h.doc.text for h in good[1:] if not (best.doc.kind == "event" and h.doc.kind == "fact"
                                                  and h.coverage < best.coverage)]
    fields = (Field("Also in the article", clip(bullets(extra), 1024)),) if extra else ()
    refs = [Source(section=h.doc.section, paragraphs=list(h.doc.paragraphs)) for h in good]
    named = [m.entity.id for m in q.mentions if m.entity.kind in {"country", "partner", "person", "organization"}]
    focus_ids = list(dict.fromkeys([*([focus] if focus else []), *named, *_things_in(eng, best.doc)]))
    shown = tuple(h.doc.text[:SHOWN] for h in good)
    return Answer(title=title, body=clip(body, 3000), fields=fields, sources=sources(eng.kb, refs),
                  context=Context(entities=tuple(focus_ids[:4]), shown=shown))


def _things_in(eng: Engine, doc: Doc) -> list[str]:
    """The people and organisations an answer's passage is about, most specific first: what "he" or "it" may
    mean next."""
    about = doc.record.about if doc.kind == "fact" else sorted(doc.entities)
    return [e for e in about if (e in eng.kb.organizations and e not in eng.everywhere) or e in eng.kb.people]


SHOWN = 60  # the opening characters of a passage that identify it in `Context.shown`


def _was_seen(hit: Hit, seen: tuple[str, ...]) -> bool:
    """True when an earlier answer showed this passage (by its opening words, or whole inside an answer)."""
    opening = hit.doc.text[:SHOWN]
    return any(opening == s or hit.doc.text in s for s in seen)


def _without(hits: list[Hit], excluded: tuple[str, ...], wanted: list[tuple[str, ...]]) -> list[Hit]:
    """The hits that are about more than what the question sets aside ("besides test kits"): they have a word
    of the question beyond it."""
    gone = {stem(t) for t in excluded}
    rest = [slot for slot in wanted if not gone & set(slot)]
    return [h for h in hits if not gone <= set(h.doc.terms) or any(_matches(h, slot) for slot in rest)]


def _typed(hits: list[Hit], holds: Callable[[Hit], bool]) -> list[Hit]:
    """The hits whose text holds an answer of the asked type, if any of them is nearly as good as the best."""
    if not hits or (hits[0].doc.kind == "event" and hits[0].coverage == 1.0):
        return []  # the event items the question asks for stand first already
    typed = [h for h in hits if holds(h)]
    if typed and typed[0].coverage >= CLOSEST and typed[0].score >= 0.5 * hits[0].score:
        return typed + [h for h in hits if h not in typed]
    return []


QUESTION_LABELS = {"date": "date", "place": "place"}


def _prefer_labelled(eng: Engine, q: Question, hits: list[Hit], about_event: bool) -> list[Hit]:
    """Put the event items first that the question asks for ("who hosted" -> Host, "when and where" -> Date,
    Place), when it is about the event itself (or about the envoys, with no one else named)."""
    gatherings = eng.lexicon.concept_words.get("gathering", frozenset())
    other_event = any(set(words(eng.kb.organizations[e.id].kind)) & gatherings for e in q.of_kind("organization"))
    beyond = [t for t in _beyond_labels(eng, q) if t in eng.names.vocabulary]  # words that can pick a passage
    if not about_event or other_event or len(beyond) > 1 or any(t.isdigit() for t in beyond):
        return hits  # "who hosted the may 29 meeting" is about another meeting: the passages tell
    toks = q.tokens
    stems = {stem(t) for t in toks}
    ranked: list[tuple[int, int, Doc]] = []
    for doc, label, asks in eng.event_asks:
        found = [i for i in range(len(toks)) for a in asks if toks[i : i + len(a)] == a]
        if not found and label not in stems:
            continue
        ranked.append((min(found, default=len(toks)), -len(found), doc))
    if not ranked:
        return hits
    ranked.sort(key=lambda r: (r[1], r[0]))  # the item most of the question's words ask for, then the first
    wanted = {t for t in q.asks if t in QUESTION_LABELS}
    chosen = [d for _, _, d in ranked[: max(1, len(wanted))]]
    score = hits[0].score if hits else 1.0
    return [*(Hit(d, score, 1.0) for d in chosen), *(h for h in hits if h.doc not in chosen)]


def _figured(hits: list[Hit], rarest: list[tuple[str, ...]], holds: Callable[[str], object]) -> list[Hit]:
    """The hits stating a figure (an amount of money, when asked for one) and having the question's rarest word,
    else its second rarest: what the figure is of."""
    with_figures = [h for h in hits if holds(h.doc.text)]
    for slot in rarest[:2] or [()]:
        found = [h for h in with_figures if _matches(h, slot)]
        if found:
            return found
    return []


def _beyond_labels(eng: Engine, q: Question) -> list[str]:
    """The question's words beyond those asking for an event item, the event's own words and its date."""
    asked = {t for _, _, asks in eng.event_asks for a in asks for t in a} | eng.event_words
    concepts = {"event", "envoy", "envoy_weak", "theme", "refer", *ANSWER_TYPES}
    spans = {i for c in concepts for a, b in q.concepts.get(c, ()) for i in range(a, b)}
    spans |= {i for m in q.mentions for i in range(m.start, m.end)}
    return [t for i, t in enumerate(q.tokens) if i not in spans and t not in STOPWORDS and t not in asked
            and t not in eng.lexicon.filler_words and t not in {"thing", "one", "it"}]


def _has_figure(text: str) -> bool:
    """True when the text states a number (the 19 of a name such as "COVID-19" does not count)."""
    return bool(_FIGURE.search(_NAMED_NUMBER.sub("", text)))


def _counted(eng: Engine, q: Question) -> tuple[str, ...]:
    """What a "how many X" question counts (X with its synonyms), when it names it: the figure must be of it."""
    spans = q.concepts.get("how_many", [])
    if not spans:
        return ()
    end = spans[0][1]
    theme = eng.lexicon.concept_words.get("theme", frozenset())
    for tok in q.tokens[end : end + 3]:
        if tok in STOPWORDS or tok in eng.lexicon.filler_words or tok in theme or tok.isdigit():
            continue
        slots = eng.index.query_terms(tok)
        return slots[0] if slots and eng.index.idf(slots[0][0]) > 0 and not q.has("money") else ()
    return ()


def _rarest_slots(eng: Engine, query: str) -> list[tuple[str, ...]]:
    """The query words (with their synonyms) that the fewest documents use, rarest first: what it is about."""
    known = [slot for slot in eng.index.query_terms(query) if eng.index.idf(slot[0]) > 0]
    return sorted(known, key=lambda slot: -eng.index.idf(slot[0]))


def _matches(hit: Hit, slot: tuple[str, ...]) -> bool:
    """True when the hit's document has the slot's word or one of its synonyms (or there is no slot)."""
    return not slot or any(t in hit.doc.terms for t in slot)


def _no_date(eng: Engine, top: Hit) -> Answer:
    """A "when" question the passages give no date for: say so, and what the best of them says."""
    if top.coverage < CLOSEST:
        return voice.not_found(eng, "")
    return Answer(title="No date in the article",
                  body="The article gives no date for that. What it does say:\n" + top.doc.text,
                  sources=sources(eng.kb, [Source(section=top.doc.section, paragraphs=list(top.doc.paragraphs))]),
                  kind="not_covered")


def _no_figure(eng: Engine, q: Question, member: Country | None, outsiders: list[Entity], hits: list[Hit]) -> Answer:
    """A "how many" question the article gives no number for: say so, and what it does say."""
    if not hits or hits[0].coverage < CONFIDENT:
        return _nothing(eng, q, member, outsiders)
    top = hits[0]
    return Answer(title="No figure in the article",
                  body="The article gives no figure for that. What it does say:\n" + top.doc.text,
                  sources=sources(eng.kb, [Source(section=top.doc.section, paragraphs=list(top.doc.paragraphs))]),
                  kind="not_covered")


def _nothing(eng: Engine, q: Question, member: Country | None, outsiders: list[Entity]) -> Answer:
    """The article does not say: offer what it covers about the subject."""
    carried = [e for e in q.of_kind("organization") if e.id in q.carried and e.id in eng.kb.organizations]
    if carried and not member:  # "who runs it": not said; what is said of it
        card = lookup.organization(eng, eng.kb.organizations[carried[0].id])
        return replace(card, title="Not in the article", kind="not_covered",
                       body=f"The article does not say that about {card.title}. What it says of it:\n{card.body}")
    people = [eng.kb.people[e.id] for e in q.of_kind("person")]
    if people and (member is None or eng.kb.country_of_envoy(people[0].id) is None or q.has("quote")):
        return voice.not_about_person(eng, people[0])
    if member:
        return voice.not_about(eng, member)
    if outsiders:
        return lookup.outside(eng, outsiders[0], "answer to that")
    return voice.not_found(eng, q.text)


__all__ = ["Hit", "answer_question"]
