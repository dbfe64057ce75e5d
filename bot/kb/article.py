"""The article text, split into sections and numbered paragraphs for citations and passage search."""

from __future__ import annotations

import re
from functools import cached_property

import msgspec

LEAD_ID = "lead"


class Paragraph(msgspec.Struct, frozen=True):
    """One paragraph of the article: its section, 1-based number within the section, and text."""

    section: str
    number: int
    text: str


class Section(msgspec.Struct, frozen=True):
    """A headed part of the article."""

    id: str
    heading: str
    paragraphs: tuple[Paragraph, ...]


class Article(msgspec.Struct, frozen=True, dict=True):
    """The whole article: title and sections in reading order (`dict=True` holds the section index, worked out on
    first use and not kept in a saved copy)."""

    title: str
    sections: tuple[Section, ...]

    @cached_property
    def _positions(self) -> dict[str, int]:
        """Section id -> where the first section with that id stands."""
        positions: dict[str, int] = {}
        for i, s in enumerate(self.sections):
            positions.setdefault(s.id, i)
        return positions

    def section(self, section_id: str) -> Section:
        """The section with this id (KeyError when there is none)."""
        at = self.position(section_id)
        if at is None:
            raise KeyError(section_id)
        return self.sections[at]

    def position(self, section_id: str) -> int | None:
        """Where a section stands in the article (0 for the lead), None for an unknown id; the first section
        with an id."""
        return self._positions.get(section_id)

    def paragraph(self, section_id: str, number: int) -> Paragraph:
        """Paragraph `number` (1-based) of a section (KeyError when out of range)."""
        paras = self.section(section_id).paragraphs
        if not 1 <= number <= len(paras):
            raise KeyError(f"{section_id} ¶{number}")
        return paras[number - 1]

    def paragraphs(self) -> list[Paragraph]:
        """Every paragraph in reading order."""
        return [p for s in self.sections for p in s.paragraphs]


def slugify(text: str) -> str:
    """A lowercase, hyphenated id made from a heading."""
    text = text.lower().replace("'", "").replace("\u2019", "")
    return re.sub(r"[^a-z0-9]+", "-", text).strip("-")


def clean(text: str) -> str:
    """Undo markdown escapes and fold the line breaks inside a paragraph."""
    text = text.replace("\\$", "$")
    return re.sub(r"\s+", " ", text).strip()


def parse_article(markdown: str) -> Article:
    """Split markdown into sections at `##` headings; the part before the first one is the lead.

    A paragraph whose text already stands earlier in the same section (the page repeats some
    passages) is dropped, so each passage is cited and searched once.
    """
    title = ""
    sections: list[tuple[str, str, list[str]]] = [(LEAD_ID, "", [])]
    for block in re.split(r"\n\s*\n", markdown):
        block = block.strip()
        if not block:
            continue
        if block.startswith("## "):
            heading = clean(block[3:])
            sections.append((slugify(heading), heading, []))
            continue
        if block.startswith("# ") and not title:
            title = clean(block[2:])
            continue
        text = clean(block)
        paras = sections[-1][2]
        if any(text in earlier for earlier in paras):
            continue
        paras.append(text)
    built = []
    for sid, heading, paras in sections:
        heading = heading or title
        built.append(
            Section(sid, heading, tuple(Paragraph(sid, i, t) for i, t in enumerate(paras, start=1)))
        )
    return Article(title, tuple(built))
