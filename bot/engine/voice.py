"""The bot's own voice: small talk, "which one did you mean", "the article does not say", dated answers.

Every word of the article (its scope, its members, its dates) comes from the knowledge base."""

from __future__ import annotations

import re
from collections import Counter
from typing import TYPE_CHECKING

from msgspec.structs import replace

from bot.answer import Answer, Field
from bot.dialogue import Context
from bot.engine import lookup
from bot.engine.format import bullets, person_line, sanitize, sources
from bot.engine.names import Entity
from bot.engine.text import STOPWORDS, clip, stem, words
from bot.kb.models import Country, Person, SmallTalk, Source

if TYPE_CHECKING:
    from bot.engine.core import Engine
    from bot.engine.reading import Question
    from bot.engine.search import Hit

ROLE_FILLERS = {"who", "is", "was", "s", "are", "were", "the", "a", "an", "current", "then"}


def scope(eng: Engine) -> str:
    """One sentence on what the article covers: its headline and the profile's scope."""
    line = eng.kb.profile.scope
    return f"“{eng.kb.article.title}”" + (f", on {line}." if line else ".")


def small_talk(eng: Engine, entry: SmallTalk) -> Answer:
    """The bot's reply to a greeting, thanks, "who are you", "what can you do", "tl;dr" ..."""
    if entry.do:
        name, _, arg = entry.do.partition(" ")
        if eng.spec(name) is not None:
            return eng.command(name, arg)
        return lookup.summary(eng)
    languages = ", ".join(dict.fromkeys(lang.name for lang in eng.kb.languages)) or "English only"
    text = (entry.say or "").format(scope=scope(eng), help="!help", languages=languages)
    title = re.split(r"[:!.?]", text, maxsplit=1)[0].strip()
    return Answer(title=clip(title, 60) or "Hello", body=text, kind="help", suggestions=("!help",))


def dated(eng: Engine, answer: Answer) -> Answer:
    """An answer to a question about "now": the article's facts, said to be as of the article."""
    if eng.lexicon.as_reported.lower() in answer.body.lower() or " as of " in answer.title:
        return answer
    note = eng.lexicon.as_reported
    return replace(answer, body=f"{note[:1].upper()}{note[1:]}: {answer.body}")


def not_found(eng: Engine, text: str) -> Answer:
    """Nothing in the article answers the question."""
    asked = f" (“{sanitize(text)}”)" if text.strip() else ""
    return Answer(title="Not in the article", body=f"I could not find that in the article{asked}. It is {scope(eng)}",
                  kind="not_covered", suggestions=("!help", "!summary full", "!search <words>"))


def not_said(what: str, name: str) -> str:
    """"... does not say that about X.", or of a thing it never gives, "... does not give the weather for X."."""
    return f"The article does not say that about {name}." if what == "that" else \
        f"The article does not give {what} for {name}."


def not_about(eng: Engine, member: Country, what: str = "that") -> Answer:
    """The article does not say `what` about a member state: say so, and what it does say of it."""
    key = eng.key_points(member.id, limit=3)
    return Answer(title="Not in the article",
                  body=not_said(what, member.in_sentence)
                  + (f" What it does say about {member.in_sentence}:" if key else ""),
                  fields=(Field("Key points", clip(bullets(f.text for f in key), 1024)),) if key else (),
                  sources=sources(eng.kb, (f.source for f in key)), kind="not_covered",
                  suggestions=(f"!country {member.name}", f"!quote {member.name}"))


def not_about_person(eng: Engine, person: Person, quoted: bool = True, what: str = "that") -> Answer:
    """The article does not say that of a person (or, `quoted=False`, quotes no words of them): say so, and
    what it does quote or say of them."""
    quotes = eng.quotes(speaker=person.id)[:2]
    facts = [f for f in eng.facts_about(person.id)][:2]
    lines = [f"“{x.text.strip()}”" for x in quotes] or [f.text for f in facts]
    body = not_said(what, person.name) if quoted else f"The article quotes no words of {person.name}."
    if lines:
        body += " What it does say:"
    return Answer(title="Not in the article", body=body,
                  fields=(Field(person.name, clip(bullets(lines), 1024)),) if lines else (),
                  sources=sources(eng.kb, [*(x.source for x in quotes), *(f.source for f in facts)]),
                  kind="not_covered", suggestions=(f"!who {person.name}", f"!quote {person.name}"))


def no_reason(eng: Engine, hit: Hit | None) -> Answer:
    """A "why" question the article gives no reason for: say so, and the nearest passage."""
    body = "The article does not say why."
    if hit is None:
        return Answer(title="Not in the article", body=body, kind="not_covered")
    refs = sources(eng.kb, [Source(section=hit.doc.section, paragraphs=list(hit.doc.paragraphs))])
    return Answer(title="Not in the article", body=f"{body} What it does say:\n{hit.doc.text}", sources=refs,
                  kind="not_covered")


def gap_answer(eng: Engine, what: str, subject: str | None, member: Country | None) -> Answer:
    """A question about something the article never gives (a population, the weather)."""
    if member:
        return not_about(eng, member, what)
    where = f" for {subject}" if subject else ""
    return Answer(title="Not in the article", body=f"The article does not give {what}{where}. It is {scope(eng)}",
                  kind="not_covered", suggestions=("!help", "!summary full"))


def no_figures_for(eng: Engine, member: Country, kinds: tuple[str, ...], when: str) -> Answer:
    """Figures asked for another date than the article's."""
    from bot.engine import figures

    s = member.stats
    when = re.sub(r"^(?:in|on|by|during|since|before|after)\s+", "", when.strip(), flags=re.IGNORECASE)
    said = figures.sentence(eng, member, kinds or tuple(f.id for f in eng.kb.figures[:1]))
    as_of = s.as_of if s else ""
    return Answer(title=f"No figures for “{sanitize(when, 40)}” in the article",
                  body=f"The article does not give figures for {sanitize(when, 40)}; it gives them only as of {as_of}: "
                       f"{said} as of {as_of}.",
                  sources=sources(eng.kb, [s.source]) if s else (), kind="not_covered")


def which_of(eng: Engine, q: Question, candidates: list[Entity], what: str | None = None) -> Answer:
    """Several people or things fit: name each, rather than pick one."""
    lines = [f"{i}. {_describe(eng, e)}" for i, e in enumerate(candidates, 1)]
    word = what or next((t for t in q.tokens if any(t in e.name.lower().split() for e in candidates)), "")
    title = f"Which {word.title()} did you mean?" if word and " " not in word else eng.lexicon.which_one
    return Answer(title=title, body="\n".join(lines), kind="unsure",
                  suggestions=tuple(f"!who {e.name}" for e in candidates[:3]),
                  context=Context(candidates=tuple(e.id for e in candidates), attribute="who"))


def _describe(eng: Engine, e: Entity) -> str:
    if e.kind == "person":
        p = eng.kb.people[e.id]
        return person_line(eng.kb, p) + "".join(f"; {post}" for post in p.positions[:1])
    if e.kind == "country":
        c = eng.kb.countries[e.id]
        envoy = eng.kb.people.get(c.envoy or "")
        return f"{c.name}" + (f" (represented by {envoy.name})" if envoy else "")
    return e.name


def all_envoys(eng: Engine, q: Question) -> Answer:
    """Every member state's envoy: "which countries sent someone", "who is the ambassador"."""
    kb = eng.kb
    rows = [(c, kb.people[c.envoy]) for c in kb.members if c.envoy]
    lines = [f"• {c.name}: {p.name}, {p.title}" for c, p in rows]
    count = len(rows)
    body = f"All {count} member states were represented:\n" + "\n".join(lines)
    if "number" in q.asks:  # "how many ambassadors attended": the count first, by title
        titles = Counter(p.title for _, p in rows)
        by_title = ", ".join(f"{title}: {n}" for title, n in titles.most_common())
        body = f"**{count}** envoys, one for each member state (by title: {by_title}).\n" + "\n".join(lines)
    elif not q.has("list") and "countries" not in q.tokens:
        body = f"Which country? {body}"
    return Answer(title=f"The {count} envoys", body=body, sources=sources(kb, (p.source for _, p in rows)),
                  context=Context(candidates=tuple(c.id for c, _ in rows), attribute="envoy"))


ON_TOPIC = 0.9  # the asked words themselves, not only their synonyms


def envoys_on(eng: Engine, q: Question, words_asked: list[str]) -> Answer | None:
    """"What did the ambassador say about vaccines", with no country: what each country's section says on it, best
    passage per country, so the asker can pick (None when only one country speaks of it)."""
    sections = {c.section: c for c in eng.kb.members if c.section}
    best: dict[str, str] = {}
    for hit in eng.search(" ".join(words_asked), kinds={"quote", "fact"}, limit=30):
        country = sections.get(hit.doc.section)
        if country and country.id not in best and hit.coverage >= ON_TOPIC:
            best[country.id] = hit.doc.text
    if len(best) < 2:
        return None
    lines = [f"• {eng.kb.countries[c].name}: {clip(text, 300)}" for c, text in list(best.items())[:6]]
    several = q.has("envoys")  # "the ambassadors": all of them, no choice to make
    title = f"What {len(lines)} countries' sections say of it" if several else \
        f"Which country's envoy? {len(lines)} sections speak of it"
    # a pick ("indonesia", "the second one") asks the same question of that country
    return Answer(title=title, body="\n".join(lines), kind="answer" if several else "unsure",
                  context=Context(candidates=tuple(best)[:6], attribute="ask:" + " ".join(q.tokens)),
                  suggestions=tuple(f"!country {eng.kb.countries[c].name}" for c in list(best)[:3]))


def holders(eng: Engine, q: Question) -> Answer | None:
    """"Who is the president / the chair / the mayor of Seoul": the people whose post the article names."""
    toks = list(q.tokens)
    orgs = [e for e in q.of_kind("organization") if e.id not in eng.everywhere]
    if orgs and q.has("leads"):  # "who heads the ASEAN-Korea Centre", "who runs it"
        staff = [p for p in eng.kb.people.values() if p.organization == orgs[0].id]
        if staff:
            p = staff[0]
            return Answer(title=p.name, body=f"**{p.name}**, {p.title}.\n{p.description}",
                          sources=sources(eng.kb, [p.source]), context=Context(entities=(p.id, orgs[0].id)))
    toks = [t for t in toks if t not in eng.lexicon.filler_words]
    leads = eng.lexicon.concept_words.get("leads", frozenset())
    if len(toks) < 3 or toks[0] != "who" or toks[1] not in {"is", "was", "s", "are", "were", "the", *leads}:
        return None
    present = eng.lexicon.concept_words.get("present", frozenset())
    role = [t for t in toks[1 if toks[1] in leads else 2:] if t not in ROLE_FILLERS and t not in STOPWORDS
            and t not in present]
    envoy = eng.lexicon.concept_words.get("envoy", frozenset())
    if not role or len(role) > 5 or all(t in envoy for t in role):
        return None  # "who is the ambassador": which country's, answered with the envoys
    found: list[tuple[int, Person]] = []
    for p in eng.kb.people.values():
        posts = [stem(w) for text in (p.title, *p.positions) for w in words(text) if w not in STOPWORDS]
        extra = {stem(w) for w in words(f"{p.description} {eng.kb.name_of(p.country or '')}")}
        hits = [r for r in role if any(_alike(stem(r), w) for w in posts)]
        if hits and all(r in hits or stem(r) in extra for r in role):
            found.append((len(hits), p))
    if not found:
        return None
    top = max(n for n, _ in found)
    people = [p for n, p in found if n == top]
    if len(people) > 1:
        ents = [eng.names.entities[p.id] for p in people]
        return which_of(eng, q, ents, what=" ".join(role))
    p = people[0]
    note = eng.lexicon.as_reported
    post = max((p.title, *p.positions), key=lambda text: sum(any(_alike(stem(r), stem(w)) for w in words(text))
                                                            for r in role))
    return Answer(title=p.name, body=f"**{p.name}**, {post} ({note}).\n{p.description}",
                  sources=sources(eng.kb, [p.source]), context=Context(entities=(p.id,), attribute="who"))


def same_name(eng: Engine, q: Question) -> Answer | None:
    """"What's the fund?", "when was the summit?": one common noun that several organisations' names share;
    name them all."""
    asking = eng.lexicon.words_of("what", "define", "when", "where", "who", "event")
    content = [t for t in q.content if t not in eng.lexicon.filler_words and t not in asking]
    if len(content) != 1:
        return None
    word = stem(content[0])
    named = [eng.kb.organizations[i] for i in eng.named_with.get(word, ()) if i not in eng.everywhere]
    if len(named) < 2:
        return None
    ents = [eng.names.entities[o.id] for o in named[:8]]
    answer = which_of(eng, q, ents, what=content[0])
    lines = [f"{i}. {o.name}: {clip(o.description, 140)}" for i, o in enumerate(named[:8], 1)]
    return replace(answer, body="\n".join(lines), suggestions=())


def title_holder(eng: Engine, q: Question) -> Person | None:
    """The one person whose title the question names and nothing else ("the charge d'affaires", "the mayor")."""
    if q.mentions:
        return None
    framing = eng.lexicon.words_of("follow_on", "who", "what", "refer", "present", "when", "where", "how_many",
                                   "why", "event", "theme", "photo")
    skip = eng.lexicon.filler_words | ROLE_FILLERS | framing
    asked = {stem(t) for t in q.tokens if t not in STOPWORDS and t not in skip and len(t) > 1}
    if not asked:
        return None
    fits = set.intersection(*(eng.titled_with.get(s, set()) for s in asked))
    return eng.kb.people[next(iter(fits))] if len(fits) == 1 else None


def role_people(eng: Engine, q: Question, ignore: frozenset[str]) -> list[Person]:
    """The people whose title or post has every word the question uses beyond `ignore` ("the chair" -> two)."""
    asked = [t for t in q.content if t not in ignore and t not in eng.lexicon.filler_words and t not in ROLE_FILLERS]
    if not asked or len(asked) > 3:
        return []
    def holds(p: Person, t: str) -> bool:
        return any(_alike(stem(t), stem(w)) for text in (p.title, *p.positions) for w in words(text))

    return [p for p in eng.kb.people.values() if all(holds(p, t) for t in asked)]


def post_of(eng: Engine, q: Question, person: Entity) -> Answer | None:
    """"Is Park Won-soon still mayor of Seoul?": a named person's post, when the question asks about it."""
    p = eng.kb.people.get(person.id)
    if p is None:
        return None
    posts = {stem(w) for text in (p.title, *p.positions) for w in words(text) if w not in STOPWORDS}
    named = {t for m in q.mentions for t in q.tokens[m.start:m.end]}
    asked = [t for t in q.content if t not in named and t not in eng.lexicon.filler_words and t not in ROLE_FILLERS]
    hits = [t for t in asked if any(_alike(stem(t), w) for w in posts)]
    if not hits or len(hits) * 2 < len(asked):
        return None
    note = eng.lexicon.as_reported
    return Answer(title=p.name, body=f"**{p.name}**, {p.title} ({note}).\n{p.description}",
                  sources=sources(eng.kb, [p.source]), context=Context(entities=(p.id,), attribute="who"))


def organization_of(eng: Engine, q: Question, person: Entity) -> Answer | None:
    """"Which organization does lee hyuk lead": the organisation a named person heads or works for."""
    if not q.has("works_for"):
        return None
    p = eng.kb.people.get(person.id)
    org = eng.kb.organizations.get(p.organization) if p and p.organization else None
    if p is None or org is None:
        return None
    return Answer(title=p.name, body=f"**{org.name}**: {p.name} is {p.title}.\n{p.description}",
                  sources=sources(eng.kb, [p.source]), context=Context(entities=(p.id, org.id), attribute="who"))


def _alike(a: str, b: str) -> bool:
    """Two stems of one word family ("chair" and "chairman")."""
    return a == b or (min(len(a), len(b)) >= 4 and (a.startswith(b) or b.startswith(a)))
