"""Answers to the structured commands: country, ambassador, stats, who, event, quote, search, summary."""

from __future__ import annotations

import re
from itertools import islice
from typing import TYPE_CHECKING

from msgspec.structs import replace

from bot.answer import Answer, Field
from bot.dialogue import SHOWN, Context
from bot.engine import figures
from bot.engine.format import (
    bullets,
    capital,
    num,
    person_line,
    quote_field,
    quoted,
    sanitize,
    section_label,
    sources,
    stats_line,
)
from bot.engine.names import Entity, Resolution
from bot.engine.text import clip
from bot.kb.models import Country, Fact, Organization, Person, Quote, Source

if TYPE_CHECKING:
    from bot.engine.core import Engine

PLACE_KINDS = {"country", "partner", "place"}


def about(*ids: str | None) -> Context:
    """The context an answer about these entities leaves (the conversation goes on about them)."""
    return Context(entities=tuple(i for i in ids if i))


def _members_hint(eng: Engine) -> str:
    if not eng.has("countries"):
        return f"It covers {eng.kb.profile.scope}."
    return f"It covers the {eng.members.count} {eng.members.group}: {eng.members_line}."


def unsure(what: str, arg: str, res: Resolution, command: str) -> Answer:
    """A "did you mean" answer built from a resolution's candidates."""
    names = tuple(f"{command} {e.name}" for e in res.candidates)
    return Answer(title=f"Which {what} did you mean by “{sanitize(arg)}”?", suggestions=names, kind="unsure")


def not_covered(eng: Engine, subject: str, detail: str = "") -> Answer:
    """The article does not say: say so, and what it does cover."""
    body = f"The article does not cover {subject}." + (f" {detail}" if detail else "")
    return Answer(title="Not in the article", body=body + "\n" + _members_hint(eng), kind="not_covered",
                  suggestions=(*eng.examples_of("country", "event", "quote"), "!help"))


def outside(eng: Engine, entity: Entity, what: str) -> Answer:
    """An answer for a country, place or role the article has no `what` for."""
    if entity.kind == "partner":
        facts = eng.facts_about(entity.id)[:3]
        body = (f"{entity.name} is not {eng.members.one}, and the article gives no {what} for it. "
                f"It appears as {eng.members.partner}:")
        return Answer(title=f"{entity.name}: no {what} in the article",
                      body=body + "\n" + bullets(f.text for f in facts),
                      sources=sources(eng.kb, (f.source for f in facts)), kind="not_covered",
                      suggestions=tuple(f"!country {c.name}" for c in eng.kb.members[:3]))
    return not_covered(eng, entity.name)


def resolve_place(eng: Engine, arg: str, command: str, what: str) -> tuple[Country | None, Answer | None]:
    """A member state named by `arg` (or by its envoy's name), or the answer to give instead."""
    res = eng.names.resolve(arg, PLACE_KINDS | {"person"})
    ent = res.entity
    if ent is None:
        if res.candidates:
            return None, unsure("country", arg, res, command)
        return None, not_covered(eng, f"“{sanitize(arg)}”")
    if ent.kind == "person":
        country = eng.kb.country_of_envoy(ent.id)
        if country is None:
            return None, who(eng, ent.name)
        return country, None
    if ent.kind != "country":
        return None, outside(eng, ent, what)
    return eng.kb.countries[ent.id], None


def country(eng: Engine, arg: str) -> Answer:
    """A member state's envoy, figures and key points."""
    c, other = resolve_place(eng, arg, "!country", f"envoy or {eng.kb.profile.figures_name}")
    if c is None:
        return other or not_covered(eng, arg)
    envoy = eng.kb.people[c.envoy] if c.envoy else None
    key = eng.key_points(c.id)
    figures = capital(eng.kb.profile.figures_name)
    fields = [Field(f"{figures} (as of {c.stats.as_of})", stats_line(eng.kb, c))] if c.stats else []
    if key:
        heading = eng.kb.article.section(c.section).heading if c.section else "the article"
        fields.append(Field(f"Key points (“{heading}”)", clip(bullets(f.text for f in key), 1024)))
    body = f"Represented at {eng.kb.profile.event} by **{envoy.name}**, {envoy.title}." if envoy else ""
    refs: list[Source] = [f.source for f in key]
    if envoy:
        refs.append(envoy.source)
    if c.stats:
        refs.append(c.stats.source)
    title = c.name if c.official_name == c.name else f"{c.name} ({c.official_name})"
    return Answer(title=title, body=body, fields=tuple(fields), sources=sources(eng.kb, refs),
                  context=replace(about(c.id, c.envoy), shown=tuple(f.text[:SHOWN] for f in key)))


def measures(eng: Engine, c: Country, limit: int = 5) -> Answer:
    """What a member state did, as its own section reports it: its facts on the topics marked `measure`, key ones
    first (its key points when the knowledge base marks no such topic)."""
    own = [f for f in eng.facts_about(c.id)
           if f.source.section == c.section and eng.measure_topics.intersection(f.topics)]
    own.sort(key=lambda f: not f.key)  # stable: the article's order within each group
    facts = own[:limit] or eng.key_points(c.id, limit)
    if not facts:
        return country(eng, c.name)
    return Answer(title=eng.kb.profile.measures_title.format(country=c.in_sentence),
                  body=bullets(f.text for f in facts), sources=sources(eng.kb, (f.source for f in facts)),
                  context=replace(about(c.id, c.envoy), shown=tuple(f.text[:SHOWN] for f in facts)))


def envoy_answer(eng: Engine, c: Country) -> Answer:
    """Who represented a member state."""
    p = eng.kb.people[c.envoy] if c.envoy else None
    if p is None:
        return not_covered(eng, f"an envoy for {c.name}")
    body = (f"**{p.name}**, {p.title} of {c.in_sentence}, represented {c.in_sentence} at "
            f"{eng.kb.profile.event_when}.")
    fields = (Field("What the article says", p.description),) if p.description else ()
    return Answer(title=f"Envoy of {c.in_sentence}", body=body, fields=fields, sources=sources(eng.kb, [p.source]),
                  context=about(c.id, p.id))


def ambassador(eng: Engine, arg: str) -> Answer:
    """Who represented a country, or which country a person represented."""
    res = eng.names.resolve(arg, PLACE_KINDS | {"person"})
    ent = res.entity
    if ent is None:
        return unsure("country or envoy", arg, res, "!ambassador") if res.candidates else not_covered(
            eng, f"“{sanitize(arg)}”")
    if ent.kind == "person":
        p = eng.kb.people[ent.id]
        c = eng.kb.country_of_envoy(p.id)
        if c is None:
            return who(eng, p.name)
        body = f"**{p.name}** represented **{c.in_sentence}** at {eng.kb.profile.event}, as {p.title}."
        return Answer(title=f"{p.name}: {c.name}", body=body, fields=(Field("What the article says", p.description),),
                      context=about(p.id, c.id),
                      sources=sources(eng.kb, [p.source]))
    if ent.kind != "country":
        return outside(eng, ent, "envoy")
    return envoy_answer(eng, eng.kb.countries[ent.id])


def stats(eng: Engine, arg: str) -> Answer:
    """Figures for one member state, or a table of all ten."""
    if arg.strip():
        c, other = resolve_place(eng, arg, "!stats", eng.kb.profile.figures_name)
        if c is None or c.stats is None:
            return other or not_covered(eng, arg)
        s = c.stats
        fields = tuple(Field(f.label, num(v), True) for f in eng.kb.figures if (v := s.value(f.id)) is not None)
        return Answer(title=f"{c.name}: {eng.kb.profile.figures_name} as of {s.as_of}", fields=fields,
                      context=about(c.id),
                      sources=sources(eng.kb, [s.source]), chart=f"stats:{c.id}")
    return stats_table(eng)


def stats_table(eng: Engine, note: str = "") -> Answer:
    """Every member state's figures as a monospace table, with its chart; `note` goes above the table."""
    table = eng.once("stats_table", lambda: _stats_table(eng))
    return replace(table, body=f"{note}\n{table.body}") if note else table


def _stats_table(eng: Engine) -> Answer:
    rows = [c for c in eng.kb.members if c.stats]
    figures = eng.kb.figures
    cells = [[num(v) if c.stats and (v := c.stats.value(f.id)) is not None else "–" for f in figures] for c in rows]
    widths = [max([len(f.label), *(len(r[i]) for r in cells)]) for i, f in enumerate(figures)]
    width = max([len("Country"), *(len(c.name) for c in rows)])
    lines = ["  ".join([f"{'Country':<{width}}", *(f"{f.label:>{w}}" for f, w in zip(figures, widths, strict=True))])]
    for c, row in zip(rows, cells, strict=True):
        lines.append("  ".join([f"{c.name:<{width}}", *(f"{v:>{w}}" for v, w in zip(row, widths, strict=True))]))
    as_of = rows[0].stats.as_of if rows and rows[0].stats else eng.as_of
    body = "```\n" + "\n".join(lines) + "\n```"
    title = f"{capital(eng.kb.profile.figures_name)} in {eng.members.region}" + (f" as of {as_of}" if as_of else "")
    return Answer(title=title, body=body, chart="stats",
                  sources=sources(eng.kb, [c.stats.source for c in rows if c.stats]))


def who(eng: Engine, arg: str) -> Answer:
    """Who a person is, and what the article says they did or said."""
    res = eng.names.resolve(arg, {"person", "country", "role"})
    ent = res.entity
    if ent is None:
        if res.candidates:
            return unsure("person", arg, res, "!who")
        return not_covered(eng, f"anyone called “{sanitize(arg)}”",
                           "People it names include " + ", ".join(p.name for p in islice(eng.kb.people.values(), 6))
                           + " …")
    if ent.kind == "country":
        return envoy_answer(eng, eng.kb.countries[ent.id])
    if ent.kind == "role":
        return not_covered(eng, f"a {ent.name}",
                           f"No one in that role spoke at or is quoted about {eng.kb.profile.event}.")
    return person_card(eng, eng.kb.people[ent.id])


def organization(eng: Engine, org: Organization) -> Answer:
    """What an organisation, programme or meeting is, and what the article says of it."""
    facts = [f for f in eng.facts_about(org.id) if f.text not in org.description][:3]
    fields = (Field("In the article", clip(bullets(f.text for f in facts), 1024)),) if facts else ()
    return Answer(title=org.name, body=org.description, fields=fields, context=about(org.id),
                  sources=sources(eng.kb, [org.source, *(f.source for f in facts)]))


def person_card(eng: Engine, p: Person) -> Answer:
    """A person's title, description, quotes and facts."""
    quotes = eng.quotes(speaker=p.id)[:3]
    facts = [f for f in eng.facts_about(p.id) if f.text not in p.description][:3]
    fields = []
    if quotes:
        fields.append(Field("Quoted", clip("\n".join(quoted(q) for q in quotes), 1024)))
    if facts:
        fields.append(Field("In the article", clip(bullets(f.text for f in facts), 1024)))
    refs = [p.source, *(q.source for q in quotes), *(f.source for f in facts)]
    return Answer(title=p.name, body=f"{person_line(eng.kb, p)}.\n{p.description}", fields=tuple(fields),
                  context=about(p.id, p.country if eng.kb.country_of_envoy(p.id) else None),
                  sources=sources(eng.kb, refs))


def event(eng: Engine, arg: str = "") -> Answer:
    """The roundtable: date, place, host, sponsor, attendees."""
    ev = eng.kb.event
    fields = tuple(Field(item.label, clip(item.text, 1024)) for item in ev.items)
    return Answer(title=ev.title, fields=fields, sources=sources(eng.kb, (i.source for i in ev.items)))


def quote_answer(eng: Engine, quotes: list[Quote], title: str) -> Answer:
    """Quotes with their attribution."""
    fields = tuple(quote_field(eng.kb, q) for q in quotes[:5])
    about_them = {e: None for q in quotes[:5] for e in eng.kb.about_quote(q)}
    return Answer(title=title, fields=fields, sources=sources(eng.kb, (q.source for q in quotes[:5])),
                  context=about(*list(about_them)[:4]))


def quote(eng: Engine, arg: str) -> Answer:
    """Quotes by a person, from a country's section, or on a topic; a random one without an argument."""
    if not arg.strip():
        return quote_answer(eng, [eng.rng.choice(eng.kb.quotes)], "A quote from the article")
    res = eng.names.resolve(arg, {"person", "country"})
    if res.entity and res.entity.kind == "person":
        found = eng.quotes(speaker=res.entity.id)
        if found:
            return quote_answer(eng, found, f"Quotes by {res.entity.name}")
        return not_covered(eng, f"a direct quote by {res.entity.name}",
                           f"Try !who {res.entity.name} for what the article says of them.")
    if res.entity and res.entity.kind == "country":
        c = eng.kb.countries[res.entity.id]
        found = eng.quotes(speaker=c.envoy, section=c.section)
        if found:
            return quote_answer(eng, found, f"Quotes from {c.name}")
    topic = eng.topic_for(arg)
    found = eng.quotes(topic=topic.id) if topic else []
    hits = [h.doc.record for h in eng.search(arg, kinds={"quote"}, limit=5) if h.coverage >= 0.5]
    merged = list({q.id: q for q in [*hits, *found]}.values())
    if merged:
        return quote_answer(eng, merged, f"Quotes on “{sanitize(arg, 60)}”")
    names = ", ".join(t.name for t in eng.kb.topics.values())
    return Answer(title="No matching quote", body=f"No quote in the article matches “{sanitize(arg)}”. "
                  f"Topics with quotes: {names}.", kind="not_covered",
                  suggestions=(*eng.examples_of("quote"), "!quote"))


def _search_examples(eng: Engine) -> tuple[str, ...]:
    spec = eng.spec("search")
    return spec.examples if spec else ()


def search(eng: Engine, arg: str) -> Answer:
    """The best matching paragraphs of the article."""
    hits = [h for h in eng.search(arg, kinds={"paragraph"}, limit=3) if h.coverage >= 0.3]
    if not hits:
        return Answer(title="No matching passage", body=f"Nothing in the article matches “{sanitize(arg)}”.",
                      kind="not_covered", suggestions=_search_examples(eng))
    fields = tuple(
        Field(clip(f"{eng.kb.article.section(h.doc.section).heading} ¶{h.doc.paragraphs[0]}", 256),
              clip(h.doc.text, 1024))
        for h in hits
    )
    refs = [Source(section=h.doc.section, paragraphs=list(h.doc.paragraphs)) for h in hits]
    return Answer(title=f"Passages matching “{sanitize(arg, 60)}”", fields=fields, sources=sources(eng.kb, refs))


HELD = ("held on", "held at")  # the asks that say when and where an event item places it
LONG_CLAUSE = 160  # an item longer than this gets a field of its own ("who came") instead of a clause


def _clause(text: str) -> str:
    """An event item's text as a clause: without its parenthetical asides, up to its first ";", no final
    full stop, and a leading "The" lower-cased before a common noun ("the newspaper office")."""
    text = re.sub(r"\s*\([^)]*\)", "", text).split(";")[0].strip().rstrip(".").strip()
    first, _, rest = text.partition(" ")
    if first in {"The", "A", "An"} and rest[:1].islower():
        text = f"{first.lower()} {rest}"
    return text


def _participle(asks: list[str]) -> str | None:
    """The verb an item's asks give it, for "was hosted by ...": the first one-word ask ending in "-ed"."""
    return next((a for a in asks if " " not in a and len(a) > 3 and a.endswith("ed")), None)


def event_sentences(eng: Engine) -> tuple[str, list[Field]]:
    """The event as sentences, from its items: "The roundtable was held on June 15 at the newspaper office in
    central Seoul. It was hosted by ..., mediated by ... and sponsored by ...". Items too long for a clause
    (the attendees) end it and come back as a field; items whose asks give no verb are left to `!event`."""
    held: dict[str, str] = {}
    by: list[str] = []
    fields: list[Field] = []
    for item in eng.kb.event.items:
        clause = _clause(item.text)
        if not clause:
            continue
        how = next((h for h in HELD if h in item.asks), None)
        verb = _participle(item.asks)
        if how and how not in held:
            held[how] = clause
        elif verb and len(clause) <= LONG_CLAUSE:
            by.append(f"{verb} by {clause}")
        elif verb:
            fields.append(Field(item.label, clip(item.text, 1024)))
            break  # the event's own items come first (who came last); the rest is left to `!event`
    sentences = []
    if held:  # "was held on June 15 at the newspaper office"
        places = [f"{h} {c}" if i == 0 else f"{h.split()[-1]} {c}" for i, (h, c) in enumerate(held.items())]
        sentences.append(f"{capital(eng.kb.profile.event)} was {' '.join(places)}.")
    if by:
        joined = by[0] if len(by) == 1 else ", ".join(by[:-1]) + " and " + by[-1]
        sentences.append(("It was " if sentences else f"{capital(eng.kb.profile.event)} was ") + joined + ".")
    return " ".join(sentences), fields


def figures_field(eng: Engine) -> Field | None:
    """The figures in brief: for each kind, the total over the member states, the highest and the lowest."""
    rows = [c for c in eng.kb.members if c.stats]
    lines = []
    for f in eng.kb.figures:
        values = [(v, c) for c in rows if c.stats and (v := c.stats.value(f.id)) is not None]
        if not values:
            continue
        pairs = [(c, v) for v, c in values]
        (most, high), (fewest, low) = figures.leaders(pairs, "most"), figures.leaders(pairs, "fewest")
        lines.append(f"{f.label}: {num(sum(v for v, _ in values))} in all; most {figures.names(most)} ({num(high)}), "
                     f"fewest {figures.names(fewest)} ({num(low)})")
    if not lines:
        return None
    as_of = rows[0].stats.as_of if rows[0].stats else eng.as_of
    return Field(f"{capital(eng.kb.profile.figures_name)}" + (f" as of {as_of}" if as_of else ""), "\n".join(lines))


def summary(eng: Engine, arg: str = "") -> Answer:
    """The article in brief: the event as sentences, who came, the figures, then one line from each section."""
    return eng.once("summary", lambda: _summary(eng))


def _summary(eng: Engine) -> Answer:
    lead, fields = event_sentences(eng)
    refs: list[Source] = [i.source for i in eng.kb.event.items[:1]]
    if (figures := figures_field(eng)) is not None:
        fields.append(figures)
        refs.extend(c.stats.source for c in eng.kb.members[:1] if c.stats)
    for section in eng.kb.article.sections:
        facts: list[Fact] = eng.facts_in.get(section.id, [])
        if not facts:
            continue
        pick = next((f for f in facts if f.key), facts[0])
        refs.append(pick.source)
        name = section_label(eng.kb, section.id)
        fields.append(Field(clip(name[0].upper() + name[1:], 256), clip(pick.text, 1024)))
    return Answer(title=eng.kb.article.title, body=clip(lead or eng.kb.event.title, 1500), fields=tuple(fields[:24]),
                  sources=sources(eng.kb, refs))
