"""Typed data read from a file: the strict Struct base, the Discord id type, and `convert`, which says in plain
words where data does not fit its type.

Shared by the knowledge base (`bot.kb.loader`) and the config (`bot.config`, `bot.daily.settings`). No YAML
parser here (an engine from the cache starts without one); `bot.kb.yamlio` reads the text and raises the same
`DataError`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypeVar

import msgspec

T = TypeVar("T")
Snowflake = Annotated[int, msgspec.Meta(ge=0, description="a Discord id")]


class Strict(msgspec.Struct, forbid_unknown_fields=True, frozen=True, kw_only=True):
    """Base of a typed part of a file: unknown keys are errors."""


class DataError(ValueError):
    """Data that does not fit: `where` it is (a key path such as `cooldown.per`, or `line 3, column 5` in YAML
    text, or "" for the whole), the `problem` in one line, and the `unknown` key when that is the problem."""

    def __init__(self, where: str, problem: str, unknown: str | None = None) -> None:
        super().__init__(f"{where}: {problem}" if where else problem)
        self.where, self.problem, self.unknown = where, problem, unknown


def _one_line(text: str) -> str:
    """`text`, escaped when it holds a line break or a control character."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


def convert(data: Any, kind: type[T]) -> T:
    """`data` as a `kind` (msgspec, strict: no "1" for 1); raises `DataError` naming the key path, e.g.
    msgspec's "Object contains unknown field `colour` - at `$.a[0]`" becomes `a[0]`, "unknown field 'colour'"."""
    try:
        return msgspec.convert(data, kind, strict=True)
    except msgspec.ValidationError as exc:
        message = str(exc)
    m = re.search(r" - at `\$\.?(.*)`$", message, re.S)
    path, problem = (m.group(1), message[: m.start()]) if m else ("", message)
    path = path if path.isprintable() else repr(path)
    unknown = re.fullmatch(r"Object contains unknown field `(.*)`", problem, re.S)
    if unknown:
        raise DataError(path, _one_line(f"unknown field '{unknown.group(1)}'"), unknown.group(1)) from None
    problem = re.sub(r"^Object missing ", "missing ", problem)
    problem = re.sub(r"field `(.*)`", r"field '\1'", problem, flags=re.S).replace("`", "")
    raise DataError(path, _one_line(problem[:1].lower() + problem[1:])) from None


__all__ = ["DataError", "Snowflake", "Strict", "convert"]
