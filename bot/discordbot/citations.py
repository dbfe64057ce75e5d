"""Citations written compactly into a button's custom id, and read back against the article on a press.

Two forms, both without headings (they come from the article on press):
- by section id, `lead.1-3.7;vietnam`: readable, and still right after a reload that keeps those sections;
- by position, `0.1-3.7;12` with a mark of the article's layout (`article_mark`): much shorter for the long
  slugs of section ids, and refused rather than misread once the article's sections or paragraphs change.

Pure Python: no Discord here.
"""

from __future__ import annotations

import base64
import hashlib
from collections.abc import Iterable, Sequence

from bot.answer import SourceRef
from bot.kb.article import Article

MARK_LENGTH = 6


def _ranges(numbers: Iterable[int]) -> list[str]:
    """`1, 2, 3, 7` -> `["1-3", "7"]`."""
    runs: list[list[int]] = []
    for n in sorted(set(numbers)):
        if runs and n == runs[-1][1] + 1:
            runs[-1][1] = n
        else:
            runs.append([n, n])
    return [str(a) if a == b else f"{a}-{b}" for a, b in runs]


def _numbers(parts: Iterable[str]) -> tuple[int, ...]:
    """`["1-3", "7"]` -> `(1, 2, 3, 7)`; anything else is skipped."""
    out: list[int] = []
    for part in parts:
        first, _, last = part.partition("-")
        if first.isdigit() and (not last or last.isdigit()):
            out.extend(range(int(first), int(last or first) + 1))
    return tuple(out)


def encode_sources(sources: Sequence[SourceRef]) -> str:
    """`lead.1-3;vietnam.2`: the section ids and paragraph ranges of the citations."""
    return ";".join(".".join([ref.section, *_ranges(ref.paragraphs)]) for ref in sources)


def decode_sources(text: str) -> tuple[SourceRef, ...]:
    """The citations `encode_sources` wrote."""
    refs = []
    for part in filter(None, text.split(";")):
        section, *numbers = part.split(".")
        refs.append(SourceRef(section, "", _numbers(numbers)))
    return tuple(refs)


def article_mark(article: Article) -> str:
    """Six characters that change when the article's sections or their paragraph counts change."""
    layout = "\n".join(f"{s.id}:{len(s.paragraphs)}" for s in article.sections)
    digest = hashlib.blake2b(layout.encode(), digest_size=6).digest()
    return base64.urlsafe_b64encode(digest).decode()[:MARK_LENGTH]


def encode_positions(article: Article, sources: Sequence[SourceRef]) -> list[str]:
    """Each citation as `position.ranges` (`0.1-3`), in order; a section the article lacks is left out."""
    parts = []
    for ref in sources:
        position = article.position(ref.section)
        if position is not None:
            parts.append(".".join([str(position), *_ranges(ref.paragraphs)]))
    return parts


def decode_positions(article: Article, text: str) -> tuple[SourceRef, ...]:
    """The citations `encode_positions` wrote (joined by ";"), for the same article."""
    refs = []
    for part in filter(None, text.split(";")):
        position, *numbers = part.split(".")
        if position.isdigit() and int(position) < len(article.sections):
            refs.append(SourceRef(article.sections[int(position)].id, "", _numbers(numbers)))
    return tuple(refs)


__all__ = ["article_mark", "decode_positions", "decode_sources", "encode_positions", "encode_sources"]
