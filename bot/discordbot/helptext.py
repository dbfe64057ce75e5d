"""`!help` on Discord: the engine's commands plus the admin and daily commands the caller may run.

The engine knows only its own commands (`Engine.help`); the commands registered here by cogs (`reload`,
`sync`, `daily ...`) are added for users who pass their checks (`Command.can_run`), and an unknown name
gets the closest commands of both kinds.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import msgspec
from discord.ext import commands
from rapidfuzz import fuzz, process

from bot.answer import Answer, Field
from bot.engine.core import NO_COMMAND

if TYPE_CHECKING:
    from bot.discordbot.app import BotContext

CLOSE = 70  # a name this close to an admin command's is offered as "did you mean" (the engine's cutoff too)


def extra_commands(bot: commands.Bot) -> list[commands.Command[Any, ..., Any]]:
    """Commands not generated from an engine spec (admin and daily ones), groups followed by their subcommands."""
    return [c for c in bot.walk_commands() if "spec" not in c.extras]


async def may_run(ctx: BotContext, command: commands.Command[Any, ..., Any]) -> bool:
    """Whether the caller passes the command's checks (and its parents'), without running it."""
    try:
        parent = command.parent
        if isinstance(parent, commands.Command) and not await parent.can_run(ctx):
            return False
        return await command.can_run(ctx)
    except commands.CommandError:
        return False


async def runnable(ctx: BotContext) -> list[commands.Command[Any, ..., Any]]:
    """The admin and daily commands the caller may run."""
    return [c for c in extra_commands(ctx.bot) if await may_run(ctx, c)]


def usage_of(command: commands.Command[Any, ..., Any], prefix: str) -> str:
    """"!daily set [channel:...]": the command's `usage`, else its name and signature."""
    if command.usage:
        return prefix + command.usage.removeprefix("!")
    return f"{prefix}{command.qualified_name} {command.signature}".strip()


def command_field(command: commands.Command[Any, ..., Any], prefix: str) -> Field:
    """One line of the list: usage and what it does."""
    return Field(usage_of(command, prefix), command.short_doc or "")


async def closest(ctx: BotContext, name: str, limit: int = 3) -> tuple[str, ...]:
    """The admin and daily commands the caller may run whose name is close to `name` ("relaod" -> "reload")."""
    names = {c.qualified_name: c for c in await runnable(ctx)}
    hits = process.extract(name.lower(), list(names), scorer=fuzz.ratio, limit=limit, score_cutoff=CLOSE)
    return tuple(n for n, _, _ in hits)


def with_suggestions(answer: Answer, names: tuple[str, ...], prefix: str) -> Answer:
    """An engine "No command" answer with the closest admin commands added first."""
    if not names or not answer.title.startswith(NO_COMMAND):
        return answer
    return msgspec.structs.replace(answer, suggestions=(*(f"{prefix}{n}" for n in names), *answer.suggestions))


async def help_answer(ctx: BotContext, arg: str) -> Answer:
    """`!help`: the engine's list plus the caller's admin and daily commands; `!help <command>` for either."""
    bot = ctx.bot
    prefix = bot.settings.prefix
    name = " ".join(arg.strip().lstrip("!/").split()).lower()
    if not name:
        answer = bot.engine.help("")
        extra = tuple(command_field(c, prefix) for c in await runnable(ctx))
        return msgspec.structs.replace(answer, fields=(*answer.fields, *extra))
    command = bot.get_command(name)
    if command is None or "spec" in command.extras:
        return with_suggestions(bot.engine.help(name), await closest(ctx, name), prefix)
    if not await may_run(ctx, command):
        return Answer(title=usage_of(command, prefix), kind="help",
                      body=f"`{prefix}{command.qualified_name}` is only for server managers and the bot's owners.")
    subcommands = getattr(command, "commands", ())
    fields = tuple(command_field(c, prefix) for c in sorted(subcommands, key=lambda c: c.name))
    return Answer(title=usage_of(command, prefix), body=command.help or command.short_doc or "", fields=fields,
                  kind="help")


__all__ = ["closest", "extra_commands", "help_answer", "may_run", "runnable", "usage_of", "with_suggestions"]
