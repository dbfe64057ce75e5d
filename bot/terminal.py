"""Answers rendered for a terminal, and typed lines cleaned of terminal escape sequences.

On a terminal `**bold**` becomes ANSI bold, the title stands out and sources are dimmed; anywhere else
(a pipe, a file) the same answer is plain text with no markup and no escape codes. Code fences are
dropped and the lines inside them are kept verbatim, so monospace tables stay aligned either way.
"""

from __future__ import annotations

import os
import re
from typing import TextIO

from bot.answer import Answer

BOLD = "\x1b[1m"
DIM = "\x1b[2m"
RESET = "\x1b[0m"
TITLE_COLOURS = {"answer": "\x1b[36m", "help": "\x1b[32m", "unsure": "\x1b[33m", "not_covered": "", "error": "\x1b[31m"}

_FENCE = re.compile(r"^\s*```")
_BOLD_MARK = re.compile(r"\*\*(?=\S)(.+?)(?<=\S)\*\*")
_CODE_MARK = re.compile(r"`([^`\n]+)`")
# CSI (arrow keys, bracketed paste markers), OSC (ended by BEL or ST), SS2/SS3 and other two-byte escapes
_ESCAPE = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b[NO].|\x1b[@-_]|\x1b")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def clean_line(line: str) -> str:
    """A typed or pasted line without escape sequences or control characters (tabs become spaces)."""
    return _CONTROL.sub("", _ESCAPE.sub("", line).replace("\t", " "))


def styled(stream: TextIO) -> bool:
    """True when `stream` is a terminal that should get bold and colour (not with `NO_COLOR` or `TERM=dumb`)."""
    try:
        tty = stream.isatty()
    except (AttributeError, ValueError):
        return False
    return tty and not os.environ.get("NO_COLOR") and os.environ.get("TERM") != "dumb"


def _safe(text: str) -> str:
    """`text` without control characters, keeping newlines: an answer may echo what was typed."""
    return "\n".join(clean_line(part) for part in text.split("\n"))


def _inline(text: str, style: bool) -> str:
    """One line of prose with its markup rendered (ANSI) or removed (plain)."""
    text = _CODE_MARK.sub(r"\1", text)
    return _BOLD_MARK.sub(rf"{BOLD}\1{RESET}" if style else r"\1", text)


def render_markup(text: str, style: bool) -> str:
    """Discord-style markup as terminal text: bold outside code fences, fenced lines verbatim, fences dropped."""
    out: list[str] = []
    fenced = False
    for line in _safe(text).split("\n"):
        if _FENCE.match(line):
            fenced = not fenced
            continue
        out.append(line if fenced else _inline(line, style))
    return "\n".join(out)


def render(answer: Answer, style: bool) -> str:
    """The answer for a terminal (`style`) or for plain text: title, body, fields, suggestions, sources."""

    def paint(codes: str, text: str) -> str:
        return f"{codes}{text}{RESET}" if style and codes else text

    parts = [paint(BOLD + TITLE_COLOURS.get(answer.kind, ""), _inline(_safe(answer.title), False))]
    if answer.body:
        parts.append(render_markup(answer.body, style))
    for f in answer.fields:
        parts.append(paint(BOLD, _inline(_safe(f.name), False) + ":") + "\n" + render_markup(f.value, style))
    if answer.suggestions:
        parts.append("Did you mean: " + ", ".join(paint(BOLD, _safe(s)) for s in answer.suggestions) + "?")
    if answer.sources:
        parts.append(paint(DIM, "Source: " + "; ".join(_safe(s.label()) for s in answer.sources)))
    return "\n\n".join(parts)


__all__ = ["clean_line", "render", "render_markup", "styled"]
