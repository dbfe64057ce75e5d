"""The Discord side of the daily scheduler: send a spotlight to a channel, find it again after a crash.

Maps discord.py errors onto the scheduler's: a deleted or invisible channel is `ChannelGone`, a
missing permission `NoPermission` (both pause the channel), 5xx / 429 / network errors
`TransientPostError` (retried with backoff by `bot.daily.service`).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

import aiohttp
import discord

from bot.answer import Answer
from bot.daily.service import CannotCheck, ChannelGone, NoPermission, TransientPostError
from bot.discordbot.render import FOOTER_LIMIT, render, shorten
from bot.discordbot.views import NO_MENTIONS

log = logging.getLogger(__name__)

HISTORY_LIMIT = 100
NETWORK_ERRORS = (aiohttp.ClientError, asyncio.TimeoutError, OSError)


def _transient(exc: discord.HTTPException) -> bool:
    return exc.status == 429 or exc.status >= 500


class DiscordPoster:
    """Implements `bot.daily.service.Poster` over a connected bot."""

    def __init__(self, bot: discord.Client) -> None:
        self.bot = bot

    async def _channel(self, channel_id: int) -> discord.abc.Messageable:
        channel = self.bot.get_channel(channel_id)
        if channel is None:
            try:
                channel = await self.bot.fetch_channel(channel_id)
            except discord.NotFound:
                raise ChannelGone("the channel no longer exists") from None
            except discord.Forbidden:
                raise NoPermission("the bot cannot see the channel (Missing Access)") from None
            except discord.HTTPException as exc:
                if _transient(exc):
                    raise TransientPostError(f"Discord error {exc.status} looking up the channel") from None
                raise ChannelGone(f"the channel cannot be used ({exc.status} {exc.text})") from None
            except NETWORK_ERRORS as exc:
                raise TransientPostError(f"network error: {exc!r}") from None
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
        try:
            message = await channel.send(**kwargs)
        except discord.Forbidden as exc:
            raise NoPermission(f"Discord refused the post: {exc.text or exc.status}") from None
        except discord.NotFound as exc:
            raise ChannelGone(f"Discord says the channel is gone: {exc.text or exc.status}") from None
        except discord.HTTPException as exc:
            if _transient(exc):
                raise TransientPostError(f"Discord error {exc.status}: {exc.text}") from None
            raise
        except discord.RateLimited as exc:
            raise TransientPostError(f"rate limited for {exc.retry_after:.0f} s") from None
        except NETWORK_ERRORS as exc:
            raise TransientPostError(f"network error: {exc!r}") from None
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
        try:
            async for m in channel.history(limit=HISTORY_LIMIT, after=since, oldest_first=True):
                if m.author.id == me and (marker in m.content or any(marker in (e.footer.text or "")
                                                                     for e in m.embeds)):
                    return int(m.id)
        except discord.Forbidden as exc:
            raise CannotCheck(f"cannot read the history: {exc.text or exc.status}") from None
        except discord.NotFound as exc:
            raise ChannelGone(f"the channel is gone: {exc.text or exc.status}") from None
        except discord.HTTPException as exc:
            if _transient(exc):
                raise TransientPostError(f"Discord error {exc.status}: {exc.text}") from None
            raise CannotCheck(f"cannot read the history: {exc.status} {exc.text}") from None
        except NETWORK_ERRORS as exc:
            raise TransientPostError(f"network error: {exc!r}") from None
        return None
