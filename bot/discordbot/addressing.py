"""Which messages are commands: the prefix, or a mention of the bot (its user or its role) as a prefix.

`@Bot country Vietnam`, `@Bot !country Vietnam` and `@Bot !sync` are commands, so servers without the
Message Content intent (where the bot reads only messages that mention it) can use every command.
`@Bot who hosted the roundtable?` is a question: after a bare mention, a line is a command only when its
first word names a command, is no question word (`who`) and the line does not end with a question mark.
The commands extension (`command_prefix`) and the questions cog (`is_command`) read a message the same
way, so each is answered once.
"""

from __future__ import annotations

import re
from collections.abc import Callable

import discord
from discord.ext import commands

MENTION = re.compile(r"<@[!&]?\d+>|<#\d+>|@everyone|@here")


def question_text(content: str) -> str:
    """A message's text without mentions (of the bot, anyone, @everyone): they are not part of the question."""
    return " ".join(MENTION.sub(" ", content).split())


def mention_forms(bot: commands.Bot, message: discord.Message) -> list[str]:
    """How a message can address the bot at its start: `<@id>`, `<@!id>` and, in a server, its role."""
    me = bot.user
    forms = [] if me is None else [f"<@{me.id}>", f"<@!{me.id}>"]
    role = message.guild.self_role if message.guild is not None else None
    if role is not None:
        forms.append(f"<@&{role.id}>")
    return forms


# A line starting with one of these is a question even when the word names a command (`who`).
QUESTION_WORDS = frozenset({"who", "whom", "whose", "what", "when", "where", "which", "why", "how"})


def command_after_mention(text: str, prefix: str, is_command_name: Callable[[str], bool]) -> bool:
    """Whether the text after a mention of the bot is a command: `!word ...`, or `word ...` naming a command,
    unless it is a question (it ends with "?" or starts with a question word: `who hosted it`)."""
    text = text.strip()
    if text.startswith(prefix):
        return True
    first = text.split(maxsplit=1)[0] if text else ""
    return (bool(first) and not text.endswith("?") and first.lower() not in QUESTION_WORDS
            and is_command_name(first))


def _after(content: str, forms: list[str]) -> str | None:
    for form in forms:
        if content.startswith(form):
            return content[len(form):]
    return None


def is_command(bot: commands.Bot, message: discord.Message, prefix: str) -> bool:
    """Whether the commands extension answers this message (see the module docstring)."""
    if message.content.startswith(prefix):
        return True
    rest = _after(message.content, mention_forms(bot, message))
    return rest is not None and command_after_mention(rest, prefix, lambda name: bot.get_command(name) is not None)


def prefixes_for(bot: commands.Bot, message: discord.Message, prefix: str) -> list[str]:
    """`command_prefix` of the bot: `commands.when_mentioned_or(prefix)`, plus a mention followed by the prefix
    (`@Bot !country`) and the bot's role; a mention followed by a question gets only the plain prefix, so the
    question is left to the questions cog."""
    base = commands.when_mentioned_or(prefix)(bot, message)
    forms = mention_forms(bot, message)
    rest = _after(message.content, forms)
    if rest is None or not is_command(bot, message, prefix):
        return [prefix] if rest is not None else base
    spaced = [f"{m} " for m in forms]
    with_prefix = [f"{m}{prefix}" for m in spaced] + [f"{m}{prefix}" for m in forms]
    # longest first: `@Bot !country` must lose the `!` too, not be read as the command "!country"
    return list(dict.fromkeys([*with_prefix, *spaced, *forms, *base]))


__all__ = ["command_after_mention", "is_command", "mention_forms", "prefixes_for"]
