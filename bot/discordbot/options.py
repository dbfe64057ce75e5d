"""Slash-option values that are not what the command declares: Discord still has an older version of it.

Kept apart from the cogs: an extension module is loaded afresh by `load_extension`, so an error class
defined in one would not be the class another cog imported.
"""

from __future__ import annotations

import logging

from discord.ext import commands

log = logging.getLogger(__name__)


class StaleOption(commands.UserInputError):
    """A text option arrived as something else (a number): the registered command is out of date."""

    def __init__(self, option: str, value: object) -> None:
        self.option, self.value = option, value
        super().__init__(f"option {option} came as {type(value).__name__} {value!r}, not text")


def as_text(current: object) -> str:
    """What was typed in an autocompleted option, as text (an out-of-date command may send a number)."""
    if isinstance(current, str):
        return current
    log.warning("autocomplete value %r is %s, not text; the slash commands may need a sync", current,
                type(current).__name__)
    return "" if current is None else str(current)
