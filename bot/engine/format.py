"""Small helpers that turn knowledge-base records into answer text and citations."""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.answer import Field, SourceRef
from bot.engine.text import clip
from bot.kb.loader import KnowledgeBase
from bot.kb.models import Country, Person, Quote, Source


def capital(text: str) -> str:
    """The text with its first letter upper-case ("the roundtable" -> "The roundtable")."""
    return text[:1].upper() + text[1:]


def num(n: int) -> str:
    """A figure as the article prints it: thousands separated by commas."""
    return f"{n:,}"


def sources(kb: KnowledgeBase, refs: Iterable[Source]) -> tuple[SourceRef, ...]:
    """Merge citations by section, in article order."""
    merged: dict[str, set[int]] = {}
    for ref in refs:
        merged.setdefault(ref.section, set()).update(ref.paragraphs)
    return tuple(
        SourceRef(sid, kb.article.section(sid).heading, tuple(sorted(paras)))
        for sid, paras in sorted(merged.items(), key=lambda kv: kb.article.position(kv[0]) or 0)
    )


def section_label(kb: KnowledgeBase, section_id: str) -> str:
    """How a section is named in an attribution: the country whose envoy it speaks for, or its heading."""
    country = kb.section_country.get(section_id)
    heading = kb.article.section(section_id).heading
    if country:
        return f"the {kb.countries[country].name} section (“{heading}”)"
    if section_id == "lead":
        return "the news report"
    return f"the section “{heading}”"


def person_line(kb: KnowledgeBase, person: Person) -> str:
    """"Name, title of Country" or "Name, title" — how the article presents a person."""
    where = ""
    if person.country:
        where = f" of {kb.countries[person.country].in_sentence}"
    return f"{person.name}, {person.title}{where}"


def attribution(kb: KnowledgeBase, quote: Quote) -> str:
    """Who said a quote, as the article attributes it."""
    if quote.speaker:
        text = person_line(kb, kb.people[quote.speaker])
        return f"{text} ({quote.context})" if quote.context else text
    return f"from {section_label(kb, quote.source.section)}"


def quoted(quote: Quote) -> str:
    """The quote's words in typographic quotation marks."""
    return f"“{quote.text.strip()}”"


def quote_field(kb: KnowledgeBase, quote: Quote) -> Field:
    """A quote as an answer field: who said it (name), the words (value)."""
    return Field(clip(attribution(kb, quote), 256), clip(quoted(quote), 1024))


def stats_line(kb: KnowledgeBase, country: Country) -> str:
    """Every figure the article gives for a country on one line ("Confirmed: 141 · Deaths: 3")."""
    s = country.stats
    shown = [(f.label, v) for f in kb.figures if s is not None and (v := s.value(f.id)) is not None]
    if not shown:
        return "The article gives no figures."
    return " · ".join(f"{label}: {num(v)}" for label, v in shown)


def bullets(lines: Iterable[str]) -> str:
    """A bulleted list."""
    return "\n".join(f"• {line}" for line in lines)


# Bidirectional overrides and isolates, marks and zero-width characters: echoed, they reorder or hide text.
INVISIBLE = re.compile("[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff]")
SCHEME = re.compile(r"(?i)\b([a-z][a-z0-9+.-]*):(//)")


def inert(text: str) -> str:
    """Text that cannot become a link or reorder what follows: no bidi or zero-width controls, a zero-width space
    after each "://" (so no URL is detected), look-alike brackets (so no `[text](url)` masked link)."""
    text = INVISIBLE.sub("", text)
    text = SCHEME.sub(lambda m: f"{m.group(1)}:{m.group(2)}\u200b", text)
    return text.replace("[", "\uff3b").replace("]", "\uff3d")


def sanitize(user_text: str, limit: int = 80) -> str:
    """User text safe to echo: no mentions, no markdown, no links, no bidi controls, one line, clipped."""
    text = " ".join(inert(user_text).split())
    text = text.replace("@", "@\u200b").replace("<", "‹").replace(">", "›")
    for ch in "*_`~|\\":
        text = text.replace(ch, "")
    return text if len(text) <= limit else text[: limit - 1] + "…"
