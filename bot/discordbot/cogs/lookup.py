"""Every engine command the knowledge base can answer (`Engine.available_specs`) as one hybrid command:
`!country Vietnam` and `/country`.

The commands are generated from the specs, so names, aliases, usage, help text and examples stay in
one place. They all share one implementation, `run_command`; each spec's `summary` is its help text.
`ping` and `invite` are answered here rather than by the engine: only the Discord client knows the
gateway latency and the application id.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Coroutine
from typing import Any, Optional

import discord
from discord import app_commands
from discord.ext import commands
from discord.ext.commands.parameters import Parameter, Signature

from bot.answer import Answer, Field
from bot.discordbot.app import AnyBot, BotContext
from bot.discordbot.helptext import extra_commands, help_answer
from bot.discordbot.options import StaleOption, as_text
from bot.discordbot.render import shorten
from bot.discordbot.respond import answer_in_conversation, send_answer, send_note, too_long
from bot.engine.names import rank_names
from bot.engine.specs import CommandSpec

log = logging.getLogger(__name__)

MAX_CHOICES = 25
CHOICE_LIMIT = 100  # Discord's limit on a choice's name and value

# The slash option each argument kind becomes: `/country country:Vietnam`.
OPTION_NAMES = {"country": "country", "person": "person", "country_or_person": "name", "quote": "about",
                "text": "text"}
OPTION_OVERRIDES = {"ask": "question", "search": "words", "help": "command", "summary": "day", "spotlight": "date"}
# Slash-option descriptions; the knowledge base's profile (`option_hints`) gives its own, with examples.
OPTION_HELP = {
    "country": "A country the article covers",
    "person": "Someone the article names",
    "name": "A country or an envoy's name",
    "about": "A topic, a person or a country",
    "question": "Your question about the article",
    "words": "Words to look for in the article",
    "command": "A command name, e.g. quote",
    "day": "today, tomorrow or YYYY-MM-DD for that day's spotlight (default: the article in brief)",
    "date": "tomorrow or YYYY-MM-DD (default: today)",
    "text": "Text",
}
COMPLETED_KINDS = {"country", "person", "country_or_person", "quote"}
# What the invite asks for, and nothing else (docs/deployment.md explains each one).
INVITE_PERMISSIONS = discord.Permissions(view_channel=True, send_messages=True, embed_links=True,
                                         attach_files=True, read_message_history=True, use_application_commands=True,
                                         send_messages_in_threads=True)
INVITE_SCOPES = ("bot", "applications.commands")


def ping_answer(bot: AnyBot) -> Answer:
    """"Pong!" with the gateway latency (the time from a heartbeat to its acknowledgement)."""
    latency = bot.latency
    body = (f"Gateway latency: {latency * 1000:.0f} ms." if math.isfinite(latency)
            else "Gateway latency: not measured yet (no heartbeat acknowledged so far).")
    return Answer(title="Pong!", body=body, kind="help")


def invite_url(application_id: int) -> str:
    """The OAuth2 link that adds the bot, with its slash commands and the permissions it needs."""
    return discord.utils.oauth_url(application_id, permissions=INVITE_PERMISSIONS, scopes=INVITE_SCOPES)


def invite_answer(bot: AnyBot) -> Answer:
    """The invite link of the running bot's application."""
    if bot.application_id is None:
        return Answer(title="Invite the bot", body="The application id is not known yet; try again in a moment.",
                      kind="error")
    names = ", ".join(name.replace("_", " ").title() for name, on in INVITE_PERMISSIONS if on)
    return Answer(title="Invite the bot", body=f"Add the bot to a server you manage:\n{invite_url(bot.application_id)}",
                  fields=(Field("Permissions it asks for", names),), kind="help")


# Commands the Discord front end answers itself, instead of the engine.
LOCAL_ANSWERS: dict[str, Callable[[AnyBot], Answer]] = {"ping": ping_answer, "invite": invite_answer}


def option_name(spec: CommandSpec) -> str | None:
    """The argument's name as a slash option, or None for a command without argument."""
    if spec.arg is None:
        return None
    return OPTION_OVERRIDES.get(spec.name) or OPTION_NAMES.get(spec.arg, "text")


def usage(spec: CommandSpec, prefix: str) -> str:
    """The usage line with the configured prefix, e.g. "`?country <country>` (e.g. `?country Vietnam`)"."""
    line = prefix + spec.usage.removeprefix("!")
    example = spec.examples[0].removeprefix("!") if spec.examples else ""
    return f"`{line}`" + (f" (e.g. `{prefix}{example}`)" if example else "")


async def run_command(ctx: BotContext, name: str, arg: str) -> None:
    """The one implementation of every engine command: check the input, ask the engine in the user's
    conversation in this channel (or the one of the answer a `!command` replies to), reply."""
    arg = arg.strip()
    note = too_long(arg, ctx.bot.settings.max_input_length)
    if note is not None:
        await send_note(ctx, note)
        return
    local = LOCAL_ANSWERS.get(name)
    if local is not None:
        await send_answer(ctx.bot, ctx, local(ctx.bot))
        return
    if name == "help":  # the engine's commands and the admin and daily ones this user may run
        answer = await help_answer(ctx, arg)
        await answer_in_conversation(ctx.bot, ctx, lambda context: _ready(answer))
        return
    await answer_in_conversation(ctx.bot, ctx, lambda context: ctx.bot.answer_command(name, arg, context),
                                 f"!{name} {arg}")


async def _ready(answer: Answer) -> Answer:
    return answer


def rank(values: list[str], current: str) -> list[str]:
    """The values matching what was typed, best first (`bot.engine.names.match_tier`): names starting with it,
    then names with a word starting with it, then close misspellings; nothing unrelated."""
    if not current.strip():
        return values
    return rank_names(current, values, len(values))


def choices(values: list[str], current: str = "") -> list[app_commands.Choice[str]]:
    """At most 25 autocomplete choices, best first, each within Discord's 100-character limit, no duplicates."""
    out: dict[str, app_commands.Choice[str]] = {}
    for v in rank(values, current):
        v = shorten(v, CHOICE_LIMIT)
        if v and v not in out:
            out[v] = app_commands.Choice(name=v, value=v)
        if len(out) >= MAX_CHOICES:
            break
    return list(out.values())


Completer = Callable[[discord.Interaction[AnyBot], str], Coroutine[Any, Any, list[app_commands.Choice[str]]]]


def _completer(kind: str) -> Completer:
    async def complete(interaction: discord.Interaction[AnyBot], current: str) -> list[app_commands.Choice[str]]:
        engine = interaction.client.engine
        current = as_text(current)
        return choices(engine.complete(kind, current[:CHOICE_LIMIT], limit=MAX_CHOICES), current)

    return complete


async def complete_command_name(interaction: discord.Interaction[AnyBot], current: str
                                ) -> list[app_commands.Choice[str]]:
    """Command names for `/help` (the admin and daily ones too), ranked like every autocomplete."""
    specs = interaction.client.engine.available_specs()
    extra = [c.qualified_name for c in extra_commands(interaction.client)]
    return choices([s.name for s in specs] + extra, as_text(current))


def build_command(spec: CommandSpec, hints: dict[str, str] | None = None) -> commands.HybridCommand[Any, ..., None]:
    """A hybrid command for one spec; its option is named after the argument, described (by `hints` first,
    the knowledge base's option hints) and autocompleted."""
    option = option_name(spec)

    async def callback(ctx: BotContext, **kwargs: str | None) -> None:
        value = kwargs.get(option) if option else None
        if option and value is not None and not isinstance(value, str):
            raise StaleOption(option, value)
        await run_command(ctx, spec.name, value or "")

    callback.__name__ = callback.__qualname__ = spec.name
    callback.__doc__ = spec.summary
    # discord.py reads the options from the signature: give the callback one named after the argument.
    params = [Parameter("ctx", Parameter.POSITIONAL_OR_KEYWORD, annotation=commands.Context)]
    if option:
        params.append(Parameter(
            option, Parameter.KEYWORD_ONLY,
            annotation=str if spec.required else Optional[str],  # noqa: UP045 (a runtime value)
            default=Parameter.empty if spec.required else None,
        ))
        hint = (hints or {}).get(option) or OPTION_HELP.get(option, "Text")
        app_commands.describe(**{option: shorten(hint, 100)})(callback)
    callback.__signature__ = Signature(params)  # type: ignore[attr-defined]  # typeshed's functions lack it
    examples = "\n".join(spec.examples)
    command: commands.HybridCommand[Any, ..., None] = commands.HybridCommand(
        callback, name=spec.name, aliases=list(spec.aliases), description=shorten(spec.summary, 100),
        help=f"{spec.summary}\n\nExamples:\n{examples}", brief=spec.summary, usage=spec.usage,
        extras={"spec": spec},
    )
    if option and spec.arg in COMPLETED_KINDS:
        command.autocomplete(option)(_completer(spec.arg))
    elif spec.name == "help" and option:
        command.autocomplete(option)(complete_command_name)
    return command


class Lookup(commands.Cog):
    """Adds the generated commands when loaded and removes them when unloaded."""

    def __init__(self, bot: AnyBot) -> None:
        self.bot = bot
        self.names: list[str] = []

    async def cog_load(self) -> None:
        """Register one hybrid command per spec the knowledge base can answer."""
        engine = self.bot.engine
        for spec in engine.available_specs():
            command = build_command(spec, engine.kb.profile.option_hints)
            self.bot.add_command(command)
            self.names.append(command.name)
        log.debug("registered %d engine commands", len(self.names))

    async def cog_unload(self) -> None:
        """Remove the generated commands (and their slash twins)."""
        for name in self.names:
            self.bot.remove_command(name)
        self.names.clear()


async def setup(bot: AnyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Lookup(bot))
