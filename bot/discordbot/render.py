"""Turn an engine `Answer` into Discord pages (embeds or plain text) that always fit Discord's limits.

Long text is split at paragraph, line, sentence or word boundaries, never inside a word (a single
"word" longer than a whole limit, such as a huge URL, is the only thing ever cut). Pages beyond the
first are shown with the pager buttons in `views.py`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import discord

from bot.answer import Answer, SourceRef
from bot.engine.text import clip
from bot.kb.article import Article

CONTENT_LIMIT = 2000
TITLE_LIMIT = 256
DESCRIPTION_LIMIT = 4096
FIELD_NAME_LIMIT = 256
FIELD_VALUE_LIMIT = 1024
FIELD_COUNT_LIMIT = 25
FOOTER_LIMIT = 2048
EMBED_TOTAL_LIMIT = 6000
EMBEDS_PER_MESSAGE = 10

PAGE_CHARS = 4000  # readability: a page stays well under Discord's 6,000 (long answers get the pager)
FOOTER_SOURCES_LIMIT = 1000
PAGE_SUFFIX_ROOM = 24  # " · page 10/12" and the like

COLOURS = {
    "answer": discord.Colour.blurple(),
    "help": discord.Colour.teal(),
    "unsure": discord.Colour.orange(),
    "not_covered": discord.Colour.light_grey(),
    "error": discord.Colour.red(),
}


@dataclass(slots=True)
class Page:
    """One screen of an answer: an embed, or plain content when the bot may not embed."""

    embed: discord.Embed | None = None
    content: str | None = None


def _cut_point(text: str, limit: int) -> int:
    """Where to cut `text` (longer than `limit`) so the first part fits and no word is split."""
    for sep, keep, floor in (("\n\n", 0, limit // 3), ("\n", 0, limit // 3), (". ", 1, limit // 3), (" ", 0, 1)):
        i = text.rfind(sep, 0, limit + 1 - keep)
        if i >= floor:
            return i + keep
    return limit


def split_text(text: str, limit: int) -> list[str]:
    """Split `text` into stripped chunks of at most `limit` characters at natural boundaries."""
    text = text.strip()
    chunks: list[str] = []
    while len(text) > limit:
        cut = _cut_point(text, limit)
        head = text[:cut].rstrip()
        if head:
            chunks.append(head)
        text = text[cut:].lstrip()
    if text:
        chunks.append(text)
    return chunks


def shorten(text: str, limit: int, placeholder: str = "…") -> str:
    """`text` on one line if it fits, else its longest run of whole words that fits, plus `placeholder`."""
    return clip(" ".join(text.split()), limit, placeholder)


def sources_line(sources: Sequence[SourceRef], limit: int = FOOTER_SOURCES_LIMIT) -> str:
    """`Source: "Heading" ¶3; ...`, dropping whole labels (not letters) when too long."""
    if not sources:
        return ""
    labels = [s.label() for s in sources]
    for keep in range(len(labels), 0, -1):
        more = len(labels) - keep
        line = "Source: " + "; ".join(labels[:keep]) + (f"; and {more} more" if more else "")
        if len(line) <= limit:
            return line
    return shorten("Source: " + labels[0], limit)


def _blocks(answer: Answer, body_limit: int) -> tuple[list[str], list[tuple[str, str, bool]]]:
    """The answer's description chunks and its fields, each piece within Discord's limits."""
    body = answer.body
    title = answer.title or "\u200b"
    if len(title) > TITLE_LIMIT:  # keep the full title readable: it opens the description
        body = f"**{title}**\n\n{body}".strip()
    desc = split_text(body, body_limit) if body else []
    fields: list[tuple[str, str, bool]] = []
    items = [(f.name, f.value, f.inline) for f in answer.fields]
    if answer.suggestions:
        items.append(("Did you mean", ", ".join(f"`{s}`" for s in answer.suggestions), False))
    for name, value, inline in items:
        name = shorten(name or "\u200b", FIELD_NAME_LIMIT - 10)
        parts = split_text(value, FIELD_VALUE_LIMIT) or ["\u200b"]
        for i, part in enumerate(parts):
            fields.append((name if i == 0 else f"{name} (cont.)", part, inline and len(parts) == 1))
    return desc, fields


def render_embeds(answer: Answer) -> list[Page]:
    """Embed pages: the body first, then fields, at most 25 fields and about `PAGE_CHARS` characters a page."""
    title = shorten(answer.title or "\u200b", TITLE_LIMIT)
    footer = sources_line(answer.sources)
    budget = min(PAGE_CHARS, EMBED_TOTAL_LIMIT - len(title) - len(footer) - PAGE_SUFFIX_ROOM)
    desc, fields = _blocks(answer, min(DESCRIPTION_LIMIT, budget))
    raw: list[tuple[str, list[tuple[str, str, bool]]]] = [(d, []) for d in desc] or [("", [])]
    used = len(raw[-1][0])
    for name, value, inline in fields:
        size = len(name) + len(value)
        page_fields = raw[-1][1]
        if len(page_fields) >= FIELD_COUNT_LIMIT or used + size > budget:
            raw.append(("", []))
            used = 0
        raw[-1][1].append((name, value, inline))
        used += size
    colour = COLOURS.get(answer.kind, discord.Colour.blurple())
    pages = []
    for n, (description, page_fields) in enumerate(raw, start=1):
        embed = discord.Embed(title=title, description=description or None, colour=colour)
        for name, value, inline in page_fields:
            embed.add_field(name=name, value=value, inline=inline)
        suffix = f"page {n}/{len(raw)}" if len(raw) > 1 else ""
        text = " · ".join(p for p in (footer, suffix) if p)
        if text:
            embed.set_footer(text=text)
        pages.append(Page(embed=embed))
    return pages


def render_text(answer: Answer) -> list[Page]:
    """Plain-text pages (no embed permission): the console rendering, split under 2,000 characters."""
    text = answer.to_text()
    chunks = split_text(text, CONTENT_LIMIT - PAGE_SUFFIX_ROOM) or ["\u200b"]
    if len(chunks) == 1:
        return [Page(content=chunks[0])]
    return [Page(content=f"{c}\n\n(page {n}/{len(chunks)})") for n, c in enumerate(chunks, start=1)]


def render(answer: Answer, *, embeds: bool = True) -> list[Page]:
    """All pages of an answer, as embeds or as plain text."""
    return render_embeds(answer) if embeds else render_text(answer)


def render_sources(article: Article, sources: Iterable[SourceRef]) -> list[list[discord.Embed]]:
    """The cited paragraphs, as messages of at most 10 embeds and 6,000 characters each."""
    embeds: list[discord.Embed] = []
    for ref in sources:
        try:
            section = article.section(ref.section)
        except KeyError:
            continue
        numbers = sorted(set(ref.paragraphs)) or [p.number for p in section.paragraphs[:3]]
        paras = [p for p in section.paragraphs if p.number in numbers]
        text = "\n\n".join(f"**¶{p.number}** {p.text}" for p in paras) or "(no paragraph text)"
        title = shorten(ref.heading or section.heading or article.title, TITLE_LIMIT)
        for part in split_text(text, DESCRIPTION_LIMIT - 200):
            embeds.append(discord.Embed(title=title, description=part, colour=discord.Colour.dark_grey()))
    messages: list[list[discord.Embed]] = []
    size = 0
    for embed in embeds:
        length = len(embed)
        if not messages or len(messages[-1]) >= EMBEDS_PER_MESSAGE or size + length > EMBED_TOTAL_LIMIT:
            messages.append([])
            size = 0
        messages[-1].append(embed)
        size += length
    return messages


def fits(embed: discord.Embed) -> bool:
    """True when an embed is within every Discord limit (used by tests and as a safety net)."""
    return (
        len(embed) <= EMBED_TOTAL_LIMIT
        and len(embed.title or "") <= TITLE_LIMIT
        and len(embed.description or "") <= DESCRIPTION_LIMIT
        and len(embed.fields) <= FIELD_COUNT_LIMIT
        and all(len(f.name or "") <= FIELD_NAME_LIMIT and len(f.value or "") <= FIELD_VALUE_LIMIT
                for f in embed.fields)
        and len(embed.footer.text or "") <= FOOTER_LIMIT
    )


__all__ = ["Page", "fits", "render", "render_embeds", "render_sources", "render_text", "shorten", "split_text"]
