"""What a conversation is about: a small immutable value the engine reads and returns with each answer.

The engine never remembers on its own. A front end keeps the `Context` of the last answer in a
conversation (a channel and user on Discord, the session in the console, an id in `ask --jsonl`)
and passes it with the next line; `Context()` starts afresh.
"""

from __future__ import annotations

import msgspec

SHOWN = 60  # the opening characters of a passage that identify it in `Context.shown`


class Context(msgspec.Struct, frozen=True):
    """The entities in focus (most recent first), the attribute last asked, and what was offered.

    `entities` are knowledge-base ids (countries, people, organisations, topics); `attribute` names
    what was asked of them ("envoy", "figure:deaths", "quote", "date", ...); `candidates` are the ids a
    did-you-mean or an ambiguous name offered, so "the first one" or "the other park" can pick one;
    `sources` are the section ids the last answer cited, `shown` the opening words of its passages.
    """

    entities: tuple[str, ...] = ()
    attribute: str | None = None
    candidates: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    shown: tuple[str, ...] = ()  # the first words of each passage the last answer showed ("what else?" skips them)
    turn: int = 0

    @property
    def empty(self) -> bool:
        """True for a fresh conversation."""
        return not (self.entities or self.attribute or self.candidates)


FRESH = Context()

__all__ = ["FRESH", "Context"]
