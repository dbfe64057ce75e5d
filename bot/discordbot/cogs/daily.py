"""Daily spotlight posts: the admin commands and the one scheduler task.

`/daily set`, `/daily off`, `/daily status`, `/daily preview` (and `!daily ...`) need Manage Server
(or a configured owner). Settings and history live in the bot's `Store` (`bot.store`: SQLite on a
thread of its own, or PostgreSQL), so no database call blocks the event loop; without a store the commands say
so and nothing is scheduled. A database error reaches the admin by name ("the database is locked").

The scheduler is one plain asyncio task (`bot.daily.service.DailyService.run`) started in `cog_load`
and cancelled in `cog_unload`, sleeping until the next channel is due and woken when settings change.
It is not `tasks.loop(time=...)`: every guild has its own time and zone, the set of times changes at
run time, and `tasks.loop(time=)` fired repeatedly for UTC+9 times. The
exactly-once protocol is described in `bot.daily.service`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from datetime import date, datetime, timedelta
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer import Answer, Field
from bot.daily import schedule
from bot.daily.backend import Store
from bot.daily.schedule import ChannelSchedule, PostStatus
from bot.daily.service import ConfigChannel, DailyService, apply_config_channels, utcnow
from bot.daily.store import StoreError
from bot.dates import parse_date
from bot.discordbot.app import AnyBot, BotContext
from bot.discordbot.cogs.admin import is_admin
from bot.discordbot.daily_poster import DiscordPoster
from bot.discordbot.hybrid import hybrid_group, subcommand
from bot.discordbot.respond import send_answer, send_note
from bot.engine.spotlight import Rotation

log = logging.getLogger(__name__)

NO_STORE = "Daily posts are not available: the bot runs without its database (see docs/daily.md)."
SEED_RETRY = 60.0  # seconds between tries of applying the config's channels while the database refuses
ADMIN = {"admin": True}


TIME = re.compile(r"\d{1,2}:\d{2}")


class SetFlags(commands.FlagConverter, case_insensitive=True):
    """`!daily set channel:#news time:09:00 timezone:Asia/Seoul`, as the slash command has it; every part is
    optional. Without any `name:` the words are read in order as before: `!daily set #news 09:00 Asia/Seoul`."""

    channel: discord.TextChannel | None = commands.flag(default=None,
                                                        description="Where to post (default: this channel)")
    time: str | None = commands.flag(default=None, description="24-hour HH:MM, e.g. 09:00")
    timezone: str | None = commands.flag(default=None, description="IANA time zone, e.g. Asia/Seoul")

    @classmethod
    async def convert(cls, ctx: commands.Context[Any], argument: str) -> SetFlags:
        """Parse the flags, or the plain `[channel] [HH:MM] [zone]` form when no flag is named."""
        if argument.strip() and cls.__commands_flag_regex__.search(argument) is None:
            argument = positional_flags(argument)
        return await super().convert(ctx, argument)


def positional_flags(text: str) -> str:
    """`#news 09:00 Asia/Seoul` as `channel:#news time:09:00 timezone:Asia/Seoul` (each part optional)."""
    parts = text.split()
    out = []
    if parts and (parts[0].startswith("<#") or parts[0].startswith("#")):
        out.append(f"channel:{parts.pop(0)}")
    if parts and TIME.fullmatch(parts[0]):
        out.append(f"time:{parts.pop(0)}")
    if parts:
        out.append(f"timezone:{' '.join(parts)}")
    return " ".join(out)


class OffFlags(commands.FlagConverter, case_insensitive=True):
    """`!daily off channel:#news`, or `!daily off #news`."""

    channel: discord.TextChannel | None = commands.flag(
        default=None, positional=True, description="The channel to stop (default: every channel of this server)")


class PreviewFlags(commands.FlagConverter, case_insensitive=True):
    """`!daily preview day:2020-06-22`, or `!daily preview 2020-06-22`."""

    day: str | None = commands.flag(default=None, positional=True,
                                    description="A date as YYYY-MM-DD, or tomorrow (default: today)")


def when(dt: datetime | None) -> str:
    """A Discord timestamp: the reader's own local time, plus "in 5 hours"."""
    if dt is None:
        return "not scheduled"
    return f"{discord.utils.format_dt(dt, 'F')} ({discord.utils.format_dt(dt, 'R')})"


class Daily(commands.Cog):
    """Posts a spotlight of the article to each configured channel once a day."""

    def __init__(self, bot: AnyBot) -> None:
        self.bot = bot
        self.store: Store | None = bot.store
        self.settings = bot.settings.daily
        self.service: DailyService | None = None
        self._task: asyncio.Task[None] | None = None
        self._seeded = False

    # -- life cycle ------------------------------------------------------------------------------

    def rotation(self) -> Rotation:
        """The rotation over the knowledge base in service (rebuilt after `!reload`)."""
        return self.bot.engine.rotation()

    def spotlight(self, day: date) -> tuple[str, Answer]:
        """The scheduler's spotlight function."""
        return self.rotation()(day)

    def owns(self, sch: ChannelSchedule) -> bool:
        """Whether this process posts for the channel (with `shard_ids`, only its own shards' guilds)."""
        count = self.bot.shard_count
        ids = self.bot.shard_ids if isinstance(self.bot, commands.AutoShardedBot) else None
        if not count or not ids or sch.guild_id is None:
            return True
        return (sch.guild_id >> 22) % count in ids

    async def cog_load(self) -> None:
        """Seed config-listed channels and start the scheduler task."""
        if self.store is None:
            log.info("daily posts off: no database")
            return
        cfg = self.settings
        await self._seed()
        self.service = DailyService(self.store, DiscordPoster(self.bot), self.spotlight, grace=cfg.grace,
                                    owns=self.owns)
        if cfg.enabled:
            self._task = asyncio.create_task(self._run(), name="daily-scheduler")
        else:
            log.info("daily posts off: daily.enabled is false")

    async def _seed(self) -> None:
        """Apply the config's channels; a database that refuses is logged, and `_run` tries again."""
        assert self.store is not None
        cfg = self.settings
        entries = [ConfigChannel(c.channel, c.guild, schedule.parse_time(c.time or cfg.time),
                                 schedule.resolve_timezone(c.timezone or cfg.timezone)) for c in cfg.channels]
        try:
            await apply_config_channels(self.store, entries, utcnow())
        except StoreError as exc:
            log.warning("daily: cannot apply the config's channels yet: %s", exc.cause)
            return
        self._seeded = True

    async def _fill_guilds(self) -> int:
        """Fill in the guild of config channels the bot can see; returns how many channels are configured."""
        assert self.store is not None
        channels = await self.store.channels()
        for sch in channels:
            channel = self.bot.get_channel(sch.channel_id)
            guild = getattr(channel, "guild", None)  # a DM channel has none
            if sch.guild_id is None and guild is not None:
                await self.store.set_guild(sch.channel_id, guild.id)
        return len(channels)

    async def _run(self) -> None:
        await self.bot.wait_until_ready()
        assert self.store is not None and self.service is not None
        while not self._seeded:
            await asyncio.sleep(SEED_RETRY)
            await self._seed()
        try:
            log.info("daily scheduler started: %d channel(s) configured", await self._fill_guilds())
        except StoreError as exc:
            log.warning("daily: cannot fill in the guilds of config channels: %s", exc.cause)
        await self.service.run()

    async def cog_unload(self) -> None:
        """Stop the scheduler task."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._task
            self._task = None

    async def cog_check(self, ctx: commands.Context[Any]) -> bool:
        """Every command here is for server managers, in a server."""
        if ctx.guild is None:
            raise commands.NoPrivateMessage()
        return await is_admin(ctx)

    # -- helpers ---------------------------------------------------------------------------------

    async def _zone(self, channel_id: int | None) -> str:
        sch = await self.store.channel(channel_id) if self.store is not None and channel_id else None
        return sch.timezone if sch is not None else self.settings.default_timezone

    async def _local_today(self, channel_id: int | None) -> date:
        return parse_date(None, await self._zone(channel_id))

    async def _status_field(self, sch: ChannelSchedule, now: datetime) -> Field:
        assert self.store is not None
        state = "on" if sch.active else ("paused" if sch.enabled else "off")
        lines = [f"{schedule.format_time(sch.post_time)} {sch.timezone} · **{state}**"]
        if sch.paused_reason:
            lines.append(f"Paused: {sch.paused_reason}")
        if sch.active:
            history = await self.store.history((now - timedelta(days=3)).date())
            lines.append(f"Next post: {when(schedule.next_slot(sch, history, now))}")
        for rec in await self.store.recent(sch.channel_id, 3):
            text = f"{rec.local_date}: {rec.status.value}"
            if rec.status is PostStatus.POSTED and rec.message_id and sch.guild_id:
                text += f" · https://discord.com/channels/{sch.guild_id}/{sch.channel_id}/{rec.message_id}"
            elif rec.error:
                text += f" · {rec.error}"
            lines.append(text)
        return Field(f"#{getattr(self.bot.get_channel(sch.channel_id), 'name', sch.channel_id)}", "\n".join(lines))

    # -- commands --------------------------------------------------------------------------------

    @hybrid_group(name="daily", invoke_without_command=True, extras=ADMIN)
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    async def daily(self, ctx: BotContext) -> None:
        """Daily spotlight posts: set, off, status, preview (server managers only)."""
        await self.daily_status(ctx)

    @subcommand(daily, name="set", extras=ADMIN,
                usage="!daily set [channel:#channel] [time:HH:MM] [timezone:Area/City]")
    async def daily_set(self, ctx: BotContext, *, flags: SetFlags) -> None:
        """Post the daily spotlight in a channel at a time and time zone (also resumes a paused channel)."""
        channel, time, timezone = flags.channel, flags.time, flags.timezone
        if self.store is None:
            await send_note(ctx, NO_STORE)
            return
        target = channel or ctx.channel
        if not isinstance(target, discord.TextChannel):
            await send_note(ctx, "Pick a server text channel, e.g. `/daily set channel:#news`.")
            return
        current = await self.store.channel(target.id)
        try:
            post_time = schedule.parse_time(time) if time else (current.post_time if current else
                                                                self.settings.default_time)
            zone = schedule.resolve_timezone(timezone) if timezone else (current.timezone if current else
                                                                         self.settings.default_timezone)
        except ValueError as exc:
            await send_note(ctx, f"{exc}.")
            return
        perms = target.permissions_for(target.guild.me)
        if not (perms.view_channel and perms.send_messages):
            await send_note(ctx, f"I can't post in {target.mention}: give me View Channel and Send Messages there.")
            return
        sch = await self.store.set_channel(target.id, target.guild.id, post_time, zone, utcnow(),
                                           updated_by=ctx.author.id)
        if self.service is not None:
            self.service.wake()
        history = await self.store.history(utcnow().date() - timedelta(days=3))
        note = "" if perms.embed_links else " I lack Embed Links there, so it will be plain text."
        await send_note(ctx, f"Daily spotlight in {target.mention} at {schedule.format_time(post_time)} ({zone}). "
                             f"Next post: {when(schedule.next_slot(sch, history, utcnow()))}.{note}")

    @daily_set.autocomplete("timezone")
    async def _complete_timezone(self, interaction: discord.Interaction, current: str
                                 ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=z, value=z) for z in schedule.timezone_choices(current[:100])]

    @subcommand(daily, name="off", extras=ADMIN, usage="!daily off [channel:#channel]")
    async def daily_off(self, ctx: BotContext, *, flags: OffFlags) -> None:
        """Stop daily posts in one channel, or in every channel of this server; settings are kept."""
        channel = flags.channel
        if self.store is None:
            await send_note(ctx, NO_STORE)
            return
        assert ctx.guild is not None
        ids = [channel.id] if channel else [c.channel_id for c in await self.store.channels(ctx.guild.id)]
        ids = [i for i in ids if (s := await self.store.channel(i)) is not None and s.guild_id in (None, ctx.guild.id)]
        changed = await self.store.disable(ids, utcnow(), updated_by=ctx.author.id)
        if self.service is not None:
            self.service.wake()
        where = channel.mention if channel else "this server"
        await send_note(ctx, f"Daily posts stopped in {where} ({changed} channel(s)). `/daily set` turns them on again."
                        if changed else f"No daily posts were on in {where}.")

    @subcommand(daily, name="status", extras=ADMIN)
    async def daily_status(self, ctx: BotContext) -> None:
        """This server's daily-post channels: time, zone, state, next post and the last posts."""
        if self.store is None:
            await send_note(ctx, NO_STORE)
            return
        assert ctx.guild is not None
        if ctx.interaction is not None:  # the settings are for the server's managers: only the asker sees them
            await ctx.defer(ephemeral=True)
        now = utcnow()
        chans = await self.store.channels(ctx.guild.id)
        item = self.rotation().item_for(await self._local_today(ctx.channel.id))
        body = (f"Today's spotlight: {item.title}. Grace window: {self.settings.grace_minutes} min."
                if chans else "No channel gets daily posts yet: `/daily set channel:#news time:09:00 "
                              f"timezone:{self.settings.timezone}`.")
        fields = tuple([await self._status_field(s, now) for s in chans[:20]])
        await send_answer(self.bot, ctx, Answer(title="Daily spotlight posts", body=body, fields=fields,
                                                kind="help"))

    @subcommand(daily, name="preview", extras=ADMIN, usage="!daily preview [day:YYYY-MM-DD]")
    async def daily_preview(self, ctx: BotContext, *, flags: PreviewFlags) -> None:
        """Show the spotlight a channel gets today (or on a date), without posting it."""
        day = flags.day
        try:
            on = parse_date(day, await self._zone(ctx.channel.id))
        except ValueError as exc:
            await send_note(ctx, str(exc).replace("--date", "day"))
            return
        await send_answer(self.bot, ctx, self.rotation().answer(on))


async def setup(bot: AnyBot) -> None:
    """Extension entry point."""
    await bot.add_cog(Daily(bot))

