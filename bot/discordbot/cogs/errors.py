"""The one error path: text, hybrid and slash command errors end here, and a question that failed unexpectedly
(`apologise`, called by the questions cog) says the same.

The user gets one short line; unexpected errors go to the log with their traceback. Errors a command
or cog handles itself (its own error handler) are skipped. An unknown `!command` gets a
"did you mean" (among the engine's commands and the admin ones the user may run: `bot.discordbot.helptext`)
or, when nothing is close, is answered as a question; "no such command" when it is no question either.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands
from discord.ext import commands
from rapidfuzz import fuzz, process

from bot.answer import Answer
from bot.daily.store import StoreError
from bot.dialogue import Context
from bot.discordbot.app import AnyBot, BotContext
from bot.discordbot.cogs.lookup import usage
from bot.discordbot.helptext import closest, with_suggestions
from bot.discordbot.options import StaleOption
from bot.discordbot.respond import Target, answer_in_conversation, refused, send_answer, send_note, slow_down
from bot.discordbot.views import say_ephemeral

log = logging.getLogger(__name__)

GENERIC = "Sorry, something went wrong while answering; it has been logged."
STALE = "That slash command is out of date; an admin can fix it with `sync`."


class NotAdmin(commands.CheckFailure):
    """The user lacks Manage Server and is not a configured owner."""


async def apologise(target: Target, what: str, *args: object) -> None:
    """After an unexpected error outside a command (call it from the `except`): log the traceback with `what`
    (%-style `args`) and tell the user in one line (`GENERIC`)."""
    log.exception(what, *args)
    await send_note(target, GENERIC)


def unwrap(error: BaseException) -> BaseException:
    """The error a command raised, without discord.py's wrappers."""
    while isinstance(error, (commands.CommandInvokeError, commands.HybridCommandError,
                             app_commands.CommandInvokeError)):
        error = error.original
    return error


def usage_line(ctx: BotContext) -> str:
    """Usage of the command in `ctx`, from its spec or its signature."""
    command = ctx.command
    if command is None:
        return ""
    prefix = ctx.bot.settings.prefix
    spec = command.extras.get("spec")
    if spec is not None:
        return usage(spec, prefix)
    if command.usage:
        return f"`{prefix}{command.usage.removeprefix('!')}`"
    return f"`{prefix}{command.qualified_name} {command.signature}`".replace(" `", "`")


def command_name(ctx: BotContext) -> str:
    """The whole command as the user called it: "!daily set" (not "!set"), "/daily off"; the prefix is the
    configured one, not "@Bot " for a mention."""
    if ctx.interaction is not None:  # a slash command has no aliases; discord.py records no parents for it
        return "/" + (ctx.command.qualified_name if ctx.command else ctx.interaction.command.name
                      if ctx.interaction.command else "")
    # the groups as typed, down to the command's parent (for `!daily` alone discord.py lists `daily` among them)
    parents = ctx.invoked_parents[:len(ctx.command.parents)] if ctx.command else ctx.invoked_parents
    invoked = [*parents, ctx.invoked_with or (ctx.command.name if ctx.command else "")]
    return ctx.bot.settings.prefix + " ".join(invoked)


class Errors(commands.Cog):
    """Handles `on_command_error` and `on_app_command_error` (dispatched by the tree's `on_error`)."""

    def __init__(self, bot: AnyBot) -> None:
        self.bot = bot

    def message_for(self, ctx: BotContext, error: BaseException) -> str | None:
        """The line to show the user, or None when the error is unexpected (and must be logged)."""
        name = command_name(ctx)
        if isinstance(error, commands.MissingRequiredArgument):
            return f"`{name}` needs {error.param.name}. Usage: {usage_line(ctx)}"
        if isinstance(error, commands.CommandOnCooldown):
            return slow_down(error.retry_after)
        if isinstance(error, NotAdmin):
            return f"Sorry, `{name}` is only for server managers and the bot's owners."
        if isinstance(error, StaleOption):
            return STALE
        if isinstance(error, commands.NoPrivateMessage):
            return f"`{name}` only works in a server."
        if isinstance(error, commands.CheckFailure):
            return f"Sorry, you can't use `{name}` here."
        if isinstance(error, commands.UserInputError):
            return f"{error} Usage: {usage_line(ctx)}"
        if isinstance(error, commands.DisabledCommand):
            return f"`{name}` is switched off."
        if isinstance(error, StoreError):
            return (f"Sorry, `{name}` could not use the daily-post database: {error.cause}. Nothing was changed; "
                    "try again in a moment, or tell the bot's operator.")
        return None

    @commands.Cog.listener()
    async def on_command_error(self, ctx: BotContext, error: commands.CommandError) -> None:
        """Reply with one short line; log the traceback of anything unexpected."""
        if ctx.command is not None and ctx.command.has_error_handler():
            return
        if ctx.cog is not None and ctx.cog.has_error_handler():
            return
        original = unwrap(error)
        if isinstance(original, commands.CommandNotFound):
            await self.unknown_command(ctx)
            return
        refusal = isinstance(original, (commands.CommandOnCooldown, commands.CheckFailure))
        if refusal and not self.may_refuse(ctx, original):
            log.debug("command %r refused silently: %s", ctx.invoked_with, original)
            return
        text = self.message_for(ctx, original)
        if text is None:
            log.error("command %r failed (input %r)", ctx.command and ctx.command.qualified_name,
                      ctx.message.content, exc_info=original)
            text = GENERIC
        elif isinstance(original, StaleOption):
            log.warning("slash command %r is out of date: %s", ctx.invoked_with, original)
        elif isinstance(original, StoreError):
            log.warning("command %r: %s", ctx.command and ctx.command.qualified_name, original)
        else:
            log.debug("command %r refused: %s", ctx.invoked_with, original)
        try:
            await send_note(ctx, text)
        except discord.HTTPException:
            log.warning("could not tell the user about an error in %r", ctx.invoked_with, exc_info=True)

    def may_refuse(self, ctx: BotContext, error: BaseException) -> bool:
        """Whether to tell the user why a command was refused (`error`). A refused admin command counts as a use
        against the cooldown; a channel gets one such note per user, kind and cooldown window (a slash command
        always gets its ephemeral reply, which Discord does not count against the channel)."""
        command = ctx.command
        if command is not None and command.extras.get("admin"):  # the global cooldown check skipped it
            self.bot.retry_after(ctx.message)
        if ctx.interaction is not None:
            return True
        if isinstance(error, commands.CommandOnCooldown) or command is None:
            return self.bot.may_note(ctx.message)
        return self.bot.may_note(ctx.message, command.qualified_name)

    async def unknown_command(self, ctx: BotContext) -> None:
        """`!contry Vietnam`: the engine corrects or suggests the command, or answers the line as a question."""
        settings = self.bot.settings
        name = (ctx.invoked_with or "").strip()
        if settings.unknown_commands == "ignore" or not name or not name[0].isalnum():
            return
        if ctx.author.bot:
            return
        line = ctx.message.content[len(ctx.prefix or ""):].strip()
        if await refused(self.bot, ctx, line):
            return
        arg = line[len(name):].strip()
        admin = await closest(ctx, name)  # "!relaod": an admin command is closer than any engine command
        engine_best = process.extractOne(name.lower(), [s.name for s in self.bot.engine.available_specs()],
                                         scorer=fuzz.ratio)
        if admin and (engine_best is None or fuzz.ratio(name.lower(), admin[0]) >= engine_best[1]):
            await send_answer(self.bot, ctx, with_suggestions(self.bot.engine.no_command(name), admin,
                                                              settings.prefix))
            return

        async def ask(context: Context) -> Answer:
            # the engine corrects a close name, suggests commands, or reads the line as a question
            answer = await self.bot.answer_command(name.lower(), arg, context)
            return with_suggestions(answer, admin, settings.prefix)

        try:
            await answer_in_conversation(self.bot, ctx, ask)
        except Exception:
            await apologise(ctx, "failed to answer unknown command %r", line)

    @commands.Cog.listener()
    async def on_app_command_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        """Slash-command errors that did not go through a hybrid command's context."""
        original = unwrap(error)
        if interaction.type is discord.InteractionType.autocomplete:  # it takes choices, never a message
            log.warning("autocomplete for %r failed: %s", interaction.command and interaction.command.qualified_name,
                        original)
            if not interaction.response.is_done():
                try:
                    await interaction.response.autocomplete([])
                except discord.HTTPException:
                    log.warning("could not answer an autocomplete request", exc_info=True)
            return
        if isinstance(original, app_commands.CheckFailure):
            text = "Sorry, you can't use that command here."
            log.debug("app command refused: %s", original)
        elif isinstance(original, (app_commands.CommandNotFound, app_commands.CommandSignatureMismatch)):
            text = STALE
            log.warning("stale slash command: %s", original)
        else:
            log.error("slash command %r failed", interaction.command and interaction.command.qualified_name,
                      exc_info=original)
            text = GENERIC
        try:
            await say_ephemeral(interaction, text)
        except discord.HTTPException:
            log.warning("could not tell the user about a slash-command error", exc_info=True)


async def setup(bot: AnyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Errors(bot))
