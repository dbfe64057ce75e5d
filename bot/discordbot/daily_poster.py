"""The Discord side of the daily scheduler: send a spotlight to a channel, find it again after a crash.

Maps discord.py errors onto the scheduler's (`post_errors`): a deleted or invisible channel is `ChannelGone`, a
missing permission `NoPermission` (both pause the channel), 5xx / 429 / network errors
`TransientPostError` (retried with backoff by `bot.daily.service`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import aiohttp
import discord

from bot.answer import Answer
from bot.daily.service import CannotCheck, ChannelGone, NoPermission, PostError, TransientPostError
from bot.discordbot.render import FOOTER_LIMIT, render, shorten
from bot.discordbot.views import NO_MENTIONS

log = logging.getLogger(__name__)

HISTORY_LIMIT = 100
NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


def _transient(exc: discord.HTTPException) -> bool:
    return exc.status == 429 or exc.status >= 500


@dataclass(frozen=True)
class Meaning:
    """What Discord's refusals mean while doing one thing: the error each becomes and its message, a template over
    `status`, `text` and `detail` (the text, else the status). `other`: any other 4xx (None: raised as it is)."""

    forbidden: tuple[type[PostError], str]
    not_found: tuple[type[PostError], str]
    other: tuple[type[PostError], str] | None
    transient: str = "Discord error {status}: {text}"  # a 5xx or 429: TransientPostError


LOOKUP = Meaning(forbidden=(NoPermission, "the bot cannot see the channel (Missing Access)"),
                 not_found=(ChannelGone, "the channel no longer exists"),
                 other=(ChannelGone, "the channel cannot be used ({status} {text})"),
                 transient="Discord error {status} looking up the channel")
POST = Meaning(forbidden=(NoPermission, "Discord refused the post: {detail}"),
               not_found=(ChannelGone, "Discord says the channel is gone: {detail}"), other=None)
HISTORY = Meaning(forbidden=(CannotCheck, "cannot read the history: {detail}"),
                  not_found=(ChannelGone, "the channel is gone: {detail}"),
                  other=(CannotCheck, "cannot read the history: {status} {text}"))


def _error(kind: tuple[type[PostError], str], exc: discord.HTTPException) -> PostError:
    cls, template = kind
    return cls(template.format(status=exc.status, text=exc.text, detail=exc.text or exc.status))


@contextlib.contextmanager
def post_errors(meaning: Meaning) -> Iterator[None]:
    """Raise discord.py's errors in the block as the scheduler's `PostError`s, as `meaning` says; rate limits
    and network errors are `TransientPostError`."""
    try:
        yield
    except discord.Forbidden as exc:
        raise _error(meaning.forbidden, exc) from None
    except discord.NotFound as exc:
        raise _error(meaning.not_found, exc) from None
    except discord.HTTPException as exc:
        if _transient(exc):
            raise TransientPostError(meaning.transient.format(status=exc.status, text=exc.text)) from None
        if meaning.other is None:
            raise
        raise _error(meaning.other, exc) from None
    except discord.RateLimited as exc:
        raise TransientPostError(f"rate limited for {exc.retry_after:.0f} s") from None
    except NETWORK_ERRORS as exc:
        raise TransientPostError(f"network error: {exc!r}") from None


class DiscordPoster:
    """Implements `bot.daily.service.Poster` over a connected bot."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            with post_errors(LOOKUP):
                channel = await self.bot.fetch_channel(channel_id)
        if not isinstance(channel, discord.abc.Messageable) or isinstance(channel, discord.abc.PrivateChannel):
            raise ChannelGone("it is not a server text channel")
        return channel

    def _permissions(self, channel: Any) -> discord.Permissions | None:
        guild = getattr(channel, "guild", None)
        if guild is None or guild.me is None:
            return None
        return channel.permissions_for(guild.me)

    async def send(self, channel_id: int, answer: Answer, *, nonce: str, marker: str) -> int:
        """Post the answer's first page with the marker (embed footer, or last line as text)."""
        channel = await self._channel(channel_id)
        perms = self._permissions(channel)
        if perms is not None and not (perms.view_channel and perms.send_messages):
            missing = "View Channel" if not perms.view_channel else "Send Messages"
            raise NoPermission(f"the bot lacks the {missing} permission")
        embeds = perms is None or perms.embed_links
        page = render(answer, embeds=embeds)[0]
        kwargs: dict[str, Any] = {"nonce": nonce, "allowed_mentions": NO_MENTIONS}
        if page.embed is not None:
            footer = page.embed.footer.text
            page.embed.set_footer(text=shorten(f"{marker} · {footer}" if footer else marker, FOOTER_LIMIT))
            kwargs["embed"] = page.embed
        else:
            kwargs["content"] = f"{page.content}\n\n{marker}"
        with post_errors(POST):
            message = await channel.send(**kwargs)
        return int(message.id)

    async def find(self, channel_id: int, *, marker: str, after: datetime) -> int | None:
        """The bot's own message with `marker` since `after`, looking at up to 100 messages."""
        channel = await self._channel(channel_id)
        perms = self._permissions(channel)
        if perms is not None and not perms.read_message_history:
            raise CannotCheck("the bot lacks the Read Message History permission")
        if self.bot.user is None:  # not logged in (the scheduler starts once the bot is ready)
            raise CannotCheck("the bot is not logged in")
        me = self.bot.user.id
        since = discord.Object(discord.utils.time_snowflake(after))
        with post_errors(HISTORY):
            async for m in channel.history(limit=HISTORY_LIMIT, after=since, oldest_first=True):
                if m.author.id == me and (marker in m.content or any(marker in (e.footer.text or "")
                                                                     for e in m.embeds)):
                    return int(m.id)
        return None
