"""Sending answers and short notes: every message goes out with `AllowedMentions.none()`."""

from __future__ import annotations

import io
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

import discord
from discord.ext import commands

from bot.answer import Answer
from bot.charts import chart_filename
from bot.daily.store import StoreError
from bot.dialogue import FRESH, Context
from bot.discordbot.addressing import question_text
from bot.discordbot.render import CONTENT_LIMIT, render, shorten
from bot.discordbot.views import NO_MENTIONS, REPLIED, NotHelpfulButton, Pager, answer_digest, answer_view

if TYPE_CHECKING:
    from bot.discordbot.app import RoundtableBotMixin

log = logging.getLogger(__name__)

Target = commands.Context[Any] | discord.Message


def _bot_may(target: Target, permission: str) -> bool:
    """Whether the bot has `permission` where `target` was sent (always in DMs and interactions)."""
    if isinstance(target, commands.Context):
        return bool(getattr(target.bot_permissions, permission))
    if target.guild is None:
        return True
    perms = target.channel.permissions_for(target.guild.me)
    return bool(getattr(perms, permission))


def may_embed(target: Target) -> bool:
    """True when the bot may post embeds where `target` was sent."""
    return _bot_may(target, "embed_links")


def _quotes(target: Target) -> bool:
    """Whether a reply to `target` quotes it: Discord refuses replies without Read Message History."""
    interaction = target.interaction if isinstance(target, commands.Context) else None
    return interaction is not None or target.guild is None or _bot_may(target, "read_message_history")


async def _reply(target: Target, **kwargs: Any) -> discord.Message:
    """Reply (quoting the user's message) where the bot may read history, else post plainly."""
    if not _quotes(target):
        return await target.channel.send(**kwargs)
    return await target.reply(**kwargs)


async def _send(target: Target, **kwargs: Any) -> discord.Message:
    """Post after a reply: a follow-up for a slash command, else in the channel."""
    if isinstance(target, commands.Context):
        return await target.send(**kwargs)
    return await target.channel.send(**kwargs)


def may_attach(target: Target) -> bool:
    """True when the bot may attach files where `target` was sent."""
    return _bot_may(target, "attach_files")


async def chart_file(bot: RoundtableBotMixin, answer: Answer) -> discord.File | None:
    """The answer's chart as an attachment (drawn in another process the first time, then reused), if any."""
    if answer.chart is None:
        return None
    try:
        png = await bot.chart(answer.chart)
    except Exception:  # a chart is a bonus: the answer goes out without it
        log.exception("could not draw chart %r", answer.chart)
        return None
    return None if png is None else discord.File(io.BytesIO(png), filename=chart_filename(answer.chart))


async def _pager(bot: RoundtableBotMixin, target: Target, answer: Answer, count: int, line: str | None,
                 context: Context) -> Pager | None:
    """The pager of a long answer, when asking `line` again in a fresh conversation gives this same answer and
    the buttons can say how to ask it (see `views`); None otherwise."""
    if line is None:
        return None
    line = " ".join(line.split())
    digest = answer_digest(answer)
    if context != FRESH and answer_digest(await bot.answer_line(line)) != digest:
        log.debug("no pager for %r: its answer depends on the conversation", line)
        return None
    pager = Pager(target.author.id, digest, line, 0, count)
    if pager.fits():
        return pager
    if isinstance(target, discord.Message) and _quotes(target) and question_text(target.content) == line:
        return Pager(target.author.id, digest, REPLIED, 0, count)  # the question is re-read from the message
    return None


async def send_answer(bot: RoundtableBotMixin, target: Target, answer: Answer, *, line: str | None = None,
                      context: Context = FRESH) -> discord.Message | None:
    """Reply to a command or message with an answer's first page (and its chart), its pager, its Source button and
    Not helpful; a miss is recorded where the server turned feedback on.

    `line` is what the engine answers with this answer (a `!command` line or a question) and `context` the
    conversation it was answered in: the pager asks `line` again on a press. An answer that cannot be asked
    again (no line, or a follow-up whose answer depends on the conversation) gets its further pages as messages
    of their own, so no button needs to remember it."""
    pages = render(answer, embeds=may_embed(target))
    pager = await _pager(bot, target, answer, len(pages), line, context) if len(pages) > 1 else None
    view = answer_view(answer.sources, bot.engine.kb.article, pager, NotHelpfulButton.for_answer(answer, line))
    kwargs: dict[str, Any] = {"content": pages[0].content, "embed": pages[0].embed, "allowed_mentions": NO_MENTIONS}
    if view is not None:
        kwargs["view"] = view
    file = await chart_file(bot, answer) if may_attach(target) else None
    if file is not None:
        kwargs["file"] = file
        if pages[0].embed is not None:
            pages[0].embed.set_image(url=f"attachment://{file.filename}")
    message = await _reply(target, **kwargs)
    if pager is None:
        for page in pages[1:]:
            await _send(target, content=page.content, embed=page.embed, allowed_mentions=NO_MENTIONS)
    await _note_miss(bot, target, answer, line)
    return message


async def _note_miss(bot: RoundtableBotMixin, target: Target, answer: Answer, line: str | None) -> None:
    """Record a miss where the server turned feedback on (`bot.daily.feedback`); a database error is logged."""
    if bot.feedback is None or line is None or target.guild is None:
        return
    try:
        await bot.feedback.answered(target.guild.id, " ".join(line.split()), answer)
    except StoreError as exc:
        log.warning("could not record a miss: %s", exc.cause)


async def answer_in_conversation(bot: RoundtableBotMixin, target: Target,
                                 ask: Callable[[Context], Awaitable[Answer]],
                                 line: str | None = None) -> discord.Message | None:
    """Answer `target` in its conversation: `ask` gets the context (the user's in this channel, or the one
    of the answer the message replies to); the answer's context is kept for the conversation before the
    reply goes out (so a quick follow-up sees it) and, by the sent message's id, for replies to it. `line`
    is the engine line `ask` answers, for the pager (`send_answer`)."""
    message = target.message if isinstance(target, commands.Context) else target
    key, context = bot.conversation(message)
    answer = await ask(context)
    bot.conversations.save(key, answer.context)
    sent = await send_answer(bot, target, answer, line=line, context=context)
    if sent is not None:
        bot.conversations.save_message(sent.id, answer.context)
    return sent


def slow_down(retry: float) -> str:
    """The note to a user over the per-user rate: when they may ask again."""
    return f"Slow down a little: you can ask again in {retry:.0f} s."


def too_long(text: str, limit: int, what: str = "That") -> str | None:
    """The note refusing `text` over `limit` characters ("That question is 2100 characters long; ..."), or None."""
    if len(text) <= limit:
        return None
    return f"{what} is {len(text)} characters long; please keep it under {limit}."


async def refused(bot: RoundtableBotMixin, target: Target, text: str, what: str = "That") -> bool:
    """For a line no command check sees (a question, an unknown `!command`): count it against its author's
    cooldown and check its length. True when it is refused, after a note if one is due."""
    message = target.message if isinstance(target, commands.Context) else target
    retry = bot.retry_after(message)
    if retry:
        if bot.may_note(message):
            await send_note(target, slow_down(retry))
        return True
    note = too_long(text, bot.settings.max_input_length, what)
    if note is not None:
        await send_note(target, note)
        return True
    return False


async def send_note(target: Target, text: str) -> None:
    """One short line in reply (ephemeral for slash commands), pinging nobody."""
    text = shorten(text, CONTENT_LIMIT)
    if isinstance(target, commands.Context) and target.interaction is not None:
        await target.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    else:
        await _reply(target, content=text, allowed_mentions=NO_MENTIONS)


__all__ = ["answer_in_conversation", "chart_file", "may_attach", "may_embed", "refused", "send_answer", "send_note",
           "slow_down", "too_long"]
