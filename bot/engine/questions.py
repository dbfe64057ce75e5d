
"""Free-form questions: read the intent, find the entities, answer from structured data or the best facts."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from msgspec.structs import replace

from bot.answer import Answer, Field
from bot.dialogue import FRESH, Context
from bot.engine import figures, followup, lookup, passages, photo, voice
from bot.engine.format import sanitize
from bot.engine.names import Entity, Mention
from bot.engine.reading import Question, read, read_sentence, with_concepts, with_entities
from bot.engine.search import Hit
from bot.engine.text import STOPWORDS, clip, stem, words
from bot.kb.models import Country, SmallTalk

if TYPE_CHECKING:
    from bot.engine.core import Engine

QUOTE_OPENERS = {("who", "said"), ("who", "says"), ("who", "called"), ("who", "described"), ("who", "stated")}
WHO_FILLERS = {"who", "is", "was", "what", "about", "tell", "me", "s"}

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
GAP_ANSWERED = 0.6  # a passage covering this much of a question answers it, though it uses a "not covered" word

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
    """A command's answer with the context it leaves ("!ambassador Thailand", then "what did he say?"): the
    entities its handler named, and what the command asks of them."""
    if not arg or answer.kind == "error":
        return answer
    attribute = {"ambassador": "envoy", "stats": "figure:" + ",".join(f.id for f in eng.kb.figures),
                 "quote": "quote"}.get(name, answer.context.attribute)
    return replace(answer, context=replace(answer.context, attribute=attribute, turn=answer.context.turn + 1))


def _parts(eng: Engine, q: Question) -> list[Question]:
    """A double question ("who is the thai ambassador and who is the lao one") as its parts; a part without
    a subject of its own keeps the one before it ("... and how much did it give the philippines")."""
    pieces = [p for p in eng.lexicon.split_parts(q.text) if p.strip()]
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


def _titled(answer: Answer, subject: str) -> Answer:
    """A part's answer titled by its subject ("Indonesia", "Laos: Not in the article")."""
    return replace(answer, title=subject if answer.kind == "answer" and answer.title == passages.FOUND else
                   f"{subject}: {answer.title}")


def _combine(answers: list[Answer]) -> Answer:
    """One answer from the answers to the parts of a double question."""
    titled = len({a.title for a in answers}) > 1  # "From the article" twice says nothing: no headings then
    body = "\n\n".join((f"**{a.title}**\n" if titled else "") + a.body for a in answers if a.body or titled)
    merged: dict[str, list[str]] = {}  # fields of one name (two "Also in the article") as one, each line once
    for f in (f for a in answers for f in a.fields):
        lines = merged.setdefault(f.name, [])
        lines += [line for line in f.value.splitlines() if line not in lines and line.lstrip("• ") not in body]
    fields = tuple(Field(name, clip("\n".join(lines), 1024)) for name, lines in merged.items() if lines)[:25]
    refs = tuple(dict.fromkeys(r for a in answers for r in a.sources))
    kind = "answer" if any(a.found for a in answers) else answers[0].kind
    return Answer(title=" · ".join(dict.fromkeys(a.title for a in answers)), body=body, fields=fields,
                  sources=refs, kind=kind)


def _answer(eng: Engine, q: Question) -> Answer:
    """Answer one (part of a) question."""
    answer = _route(eng, q)
    if (q.has("present") or q.first("present_openers") == 0) and answer.found:
        answer = voice.dated(eng, answer)
    return answer


def _route(eng: Engine, q: Question) -> Answer:
    if q.has("opinion") and not q.has("quote", "own_opinion") and (
            q.has("envoy", "envoy_weak") or q.of_kind("person", "country")):
        q = with_concepts(q, ["quote"])  # "what did the lao envoy think about ...": what they said of it
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
        if subject is None and any(e.id not in eng.everywhere for e in q.of_kind("person", "organization")):
            return passages.nothing(eng, q, member, outsiders, gap[0].what)  # "what became of park"
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
    if people and not members and len(people) == 1 and q.tokens[:2] in WHO_IS \
            and not q.has("envoy", "leads", "works_for"):
        return lookup.who(eng, people[0].name)  # "who is the state counselor mentioned": who they are
    if people and q.has("origin") and not q.has("quote") and eng.kb.country_of_envoy(people[0].id):
        return lookup.ambassador(eng, people[0].name)  # "umar hadi is from which country"
    if people and not q.has("quote") and (post := voice.post_of(eng, q, people[0])) is not None:
        return post
    if people and not q.has("quote") and (org := voice.organization_of(eng, q, people[0])) is not None:
        return org  # "which organization does he lead"
    if not q.mentions and len(toks) == 3 and toks[0] == "who" and toks[1] in {"is", "was"} \
            and toks[2] not in STOPWORDS and eng.lexicon.gap(toks) is None:
        return lookup.not_covered(eng, f"anyone called “{sanitize(toks[2].title())}”")  # "who is mark"

    if q.has("envoy") and q.has("quote") and not members and not people and not outsiders and not q.figures:
        leftover = _leftover(eng, q)
        if not leftover:
            return voice.all_envoys(eng, q)  # "what did the ambassador say": which country's?
        if not q.has("list") and (on := voice.envoys_on(eng, q, leftover)) is not None:
            return on  # "what did the ambassador say about vaccines": each country's section on it
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
    about = q.first("topic_of")  # "what did the myanmar envoy say about suu kyi": she is the topic, not the speaker
    speaker = member or next((c for p in people if (c := eng.kb.country_of_envoy(p.id))), None)
    if q.has("quote") and speaker and people and about is not None:
        spoken_of = {m.entity for m in q.mentions if m.entity.kind == "person" and m.start > about
                     and m.entity.id != speaker.envoy}
        if spoken_of:  # the person is what was said about: their name is searched, the envoy's country speaks
            unnamed = replace(q, mentions=tuple(m for m in q.mentions if m.entity not in spoken_of))
            return passages.from_facts(eng, unnamed, speaker, [], outsiders, drop_meta=True)
    if q.has("quote") and people and not eng.quotes(speaker=people[0].id) and member is None \
            and q.tokens[:2] not in WHO_IS:  # "who is the state counselor mentioned"
        return voice.not_about_person(eng, eng.kb.people[people[0].id], quoted=False)  # "what did moon say"

    strict = tuple(toks[:2]) in QUOTE_OPENERS
    topic = eng.index.query_terms(passages.search_words(eng, q, True))
    if q.has("quote") and not strict and (member or people) and not topic:
        return lookup.quote(eng, people[0].name if people else member.name if member else "")  # "what did X say"
    if strict or q.has("quote"):
        found, coverage = passages.quote_answer(eng, q, member, people, strict)
        if found and (strict or coverage >= passages.fact_coverage(eng, q, member, people)):
            return found
        if not strict:
            return passages.from_facts(eng, q, member, people, outsiders, drop_meta=True)
    # "how many countries sent someone", "how many ambassadors attended": the envoys, counted
    counted = "number" in q.asks and q.has("envoy", "envoy_weak") and not members and not people and not outsiders \
        and not q.figures and set(_leftover(eng, q)) <= eng.lexicon.words_of("how_many", "gathering")
    envoy_asked = not q.has("why") and (q.has("envoy") or counted or (
        q.has("envoy_weak") and q.has("who", "which", "list") and not q.has("quote")))
    if envoy_asked and q.figures and member and q.has("envoy") and len(members) == 1 and eng.has("figures") \
            and not q.has("where", "when", "quote"):  # "malaysia's ambassador and his country's active cases"
        return _combine([lookup.envoy_answer(eng, member), figures.one(eng, member, q.figures)])
    # "what laos ambassador want about vaccine": the envoy is who said it, the vaccine is what is asked
    role = eng.lexicon.words_of("person_role")  # "singapore ambassador name please" asks who
    asks_more = bool(member) and not q.has("who", "which", "list") and any(
        eng.in_article(t) and t not in role for t in _leftover(eng, q))
    if envoy_asked and not q.figures and not q.has("where", "when") and not asks_more:
        if len(members) > 1:
            return _combine([lookup.envoy_answer(eng, eng.kb.countries[m.id]) for m in members])
        if member:
            return lookup.envoy_answer(eng, member)
        if people and eng.kb.country_of_envoy(people[0].id):
            return lookup.ambassador(eng, people[0].name)
        if outsiders and _asked_of(q, outsiders[0]):
            return lookup.outside(eng, outsiders[0], "envoy")
        listed = (q.has("envoy") or q.has("list") or "countries" in toks) and not people and not _leftover(eng, q)
        if counted or listed:
            return voice.all_envoys(eng, q)
    others = [m for m in mentions if m.entity.kind in {"person", "organization"} and m.entity.id not in eng.everywhere]
    if not q.figures and q.has("figures") and q.has("theme") and "date" in q.asks and eng.has("figures"):
        return _stats_overview(eng, q)  # "what date were the covid numbers from"
    if member and len(members) == 1 and not q.figures and q.has("figures") and eng.has("figures") \
            and not q.has("quote", "why") and set(_leftover(eng, q)) <= eng.lexicon.words_of("figures"):
        return lookup.stats(eng, member.name)  # "what were brunei's covid numbers": all of its figures
    opinion = q.has("quote") and not q.has("how_many")  # "what did the lao envoy think about korea's deaths"
    if q.figures and not q.has("why") and not opinion and (
            q.has("how_many", "figures", "present", "most", "fewest", "none", "sum", "compare")
            or not _leftover(eng, q)) and not (others and not member) and eng.has("figures"):
        if member:
            late = next((m for m in _OTHER_TIME.finditer(text) if m.group(0).lower() != "today"), None)
            if late and not _same_date(late.group(0), member):
                return voice.no_figures_for(eng, member, q.figures, late.group(0))
            if len(members) > 1:
                rank = "most" if q.has("most") else ("fewest" if q.has("fewest") else ("sum" if q.has("sum") else None))
                rank = rank or ("most" if q.has("compare") and len(members) == 2 else None)  # which has more, first
                return figures.several(eng, [eng.kb.countries[m.id] for m in members], q.figures, rank)
            return figures.one(eng, member, q.figures)
        if outsiders:
            return lookup.outside(eng, outsiders[0], eng.kb.profile.figures_name)
        return _stats_overview(eng, q)
    # the member state the only thing named: "what did korea do for cambodia" asks Korea's aid, not this
    alone = all(m.entity.id == member.id for m in q.mentions) if member else False
    if alone and member and not people and q.has("measures", "response", "overview") and not q.asks \
            and not q.has("quote", "why", "envoy", "event") \
            and set(_leftover(eng, q)) <= eng.lexicon.words_of("measures", "response", "overview"):
        if q.has("measures", "response"):
            return lookup.measures(eng, member)  # "how did singapore respond to covid", "what did laos do"
        return lookup.country(eng, member.name)  # "tell me about singapore's situation", "how is laos doing"
    orgs = [e for e in q.of_kind("organization") if e.id not in eng.everywhere]
    if orgs and q.first("define") == 0 and not people and not member and not q.asks and not _leftover(eng, q):
        return lookup.organization(eng, eng.kb.organizations[orgs[0].id])
    if people and _about_the_person(eng, q):
        return lookup.who(eng, people[0].name)
    if len(members) > 1 and not people:  # "testing: indonesia vs the philippines": each one's passage
        return _combine([_titled(passages.from_facts(eng, q, eng.kb.countries[m.id], [], outsiders), m.name)
                         for m in members])
    return passages.from_facts(eng, q, member, people, outsiders, drop_meta=asks_more and q.has("envoy"))


def _about_the_person(eng: Engine, q: Question) -> bool:
    """True when a question naming a person asks who they are: a few words beyond the name ("what role did aung
    san suu kyi play"), and, for a person carried from the conversation, nothing of its own ("what platform did
    he launch" asks the passages)."""
    if q.carried and followup.own_words(eng, q):
        return False
    starts = [m.start for m in q.mentions if m.entity.kind == "person"]
    if q.tokens[:1] == ("who",) and starts and starts[0] >= 2 and q.tokens[1] not in COPULAS:
        return False  # "who sent park won-soon as special envoy": someone else, who did something to them
    named = {i for m in q.mentions for i in range(m.start, m.end)}
    beyond = [t for i, t in enumerate(q.tokens) if t not in WHO_FILLERS and i not in named]
    role = eng.lexicon.words_of("person_role")
    names = q.named_words
    if any(t not in role and t not in names and eng.in_article(t) for t in followup.own_words(eng, q)):
        return False  # "what did park won-soon learn from mers": what the passages say, not who he is
    return len(beyond) <= 4


WHO_IS = {("who", "is"), ("who", "was")}  # a question opening so asks who someone is
COPULAS = {"is", "was", "s", "are", "were", "the", "exactly", "really"}  # "who is X", "who was X", "who exactly is X"
ROUTE_CONCEPTS = ("envoy", "envoy_weak", "list", "event", "who", "what", "which", "theme", "refer", "org_word")


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
        if nxt and nxt not in STOPWORDS and not any(nxt in ws for ws in _concept_words_in(q)):
            continue
        kept.append(m.entity)
    return kept or members


def _concept_words_in(q: Question) -> list[frozenset[str]]:
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
    docs = eng.index.docs
    if not subjects:  # "which year did ASEAN weather the crisis": a passage that answers it well uses the word,
        said = [t for t in q.content if t not in eng.lexicon.filler_words]  # and another of the question's
        top = eng.search(" ".join(said), kinds={"fact", "paragraph"}, limit=3)  # ("today" counts here)
        asked = [slots for p in phrases if (slots := eng.index.query_terms(" ".join(p)))]  # synonyms count too:
        gap_words = {t for slots in asked for slot in slots for t in slot}  # "the 660 million citizens of ASEAN"
        others = {stem(t) for t in said} - gap_words

        def answers(terms: set[str]) -> bool:
            return any(all(terms.intersection(slot) for slot in slots) for slots in asked) and bool(others & terms)

        return any(hit.coverage >= GAP_ANSWERED and answers(set(hit.doc.terms)) for hit in top)
    # of a subject, as written: "ASEAN weathered the crisis" in Indonesia's section says nothing of its weather
    wanted = [said_words for p in phrases if (said_words := {w for w in p if w not in STOPWORDS})]
    return any(w <= eng.index.said(i) for sid in subjects for i in eng.index.about(sid)
               if docs[i].kind in {"fact", "paragraph"} for w in wanted)


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


def _stats_overview(eng: Engine, q: Question) -> Answer:
    """Region-wide figure questions: which had none, the most, the fewest; else the table."""
    field = q.figures[0] if q.figures else q.figure_ids[0]
    rows = [(c, v) for c in eng.kb.members if c.stats and (v := c.stats.value(field)) is not None]
    label = figures.noun(eng, field)
    as_of = rows[0][0].stats.as_of if rows and rows[0][0].stats else ""
    notes = [f"The article gives its figures as of {as_of}."] if "date" in q.asks and as_of else []
    named: list[Country] = []  # the one member state a ranking names: what "deaths there?" asks of next
    if q.has("none"):
        zero = [c for c, v in rows if v == 0]
        notes.append(f"Reporting no {label} as of {as_of}: {figures.names(zero) or 'none of them'}.")
    for rank in ("most", "fewest"):
        if q.has(rank) and rows:
            top, v = figures.leaders(rows, rank)
            each = " each" if len(top) > 1 else ""
            notes.append(f"The {rank} {label} as of {as_of}: {figures.names(top)}, with {v:,}{each}.")
            named += top
    named = named if len(named) == 1 else []  # several: a follow-up asks of them all again
    if q.has("sum") and not notes:
        notes.append(f"Adding up the article's figures: {sum(v for _, v in rows):,} {label} "
                     f"as of {as_of} (the article itself gives no total).")
    table = lookup.stats_table(eng, "\n".join(notes))
    return replace(table, context=Context(entities=tuple(c.id for c in named)[:4])) if named else table


__all__ = ["Hit", "answer_question"]
