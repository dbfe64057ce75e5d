"""The bot: a `commands.Bot` (or `AutoShardedBot`) subclass that gets its dependencies in `__init__`.

Start-up follows discord.py's `examples/advanced_startup.py`: settings, knowledge base and (later)
the store are passed in, extensions load in `setup_hook`, nothing happens at import time.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import multiprocessing
import os
from collections.abc import Awaitable, Callable
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.answer import Answer
from bot.charts import ChartCache, follow_parent, save_chart, saved_chart, stats_data_png
from bot.config import Settings
from bot.conversations import ConversationStore
from bot.daily.backend import Store
from bot.daily.feedback import FeedbackService
from bot.dialogue import FRESH, Context
from bot.discordbot.addressing import is_command, prefixes_for
from bot.discordbot.views import DYNAMIC_ITEMS, NO_MENTIONS
from bot.engine import Engine
from bot.kb.loader import KnowledgeBase, load_knowledge

log = logging.getLogger(__name__)

# Loaded in this order by `setup_hook`; add a feature by adding its module here.
EXTENSIONS: tuple[str, ...] = (
    "bot.discordbot.cogs.errors",
    "bot.discordbot.cogs.lookup",
    "bot.discordbot.cogs.questions",
    "bot.discordbot.cogs.admin",
    "bot.discordbot.cogs.daily",
    "bot.discordbot.cogs.feedback",
)

HEARTBEAT_SECONDS = 30.0

ConversationKey = tuple[int, int]  # (channel id, user id): threads and DMs are channels too


class RoundtableTree(app_commands.CommandTree):
    """The slash-command tree: its errors go to the same place as text-command errors."""

    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        """Hand the error to the errors cog (`on_app_command_error`) instead of only logging it."""
        self.client.dispatch("app_command_error", interaction, error)


def intents_for(settings: Settings) -> discord.Intents:
    """Default intents, plus the privileged Message Content intent unless the config turns it off."""
    intents = discord.Intents.default()
    intents.message_content = settings.message_content
    return intents


if TYPE_CHECKING:  # the mixin is only ever mixed into a `commands.Bot` (both classes below): type it as one
    _BotBase = commands.Bot
else:
    _BotBase = object


class RoundtableBotMixin(_BotBase):
    """What both bot classes share; use `create_bot` rather than the classes."""

    def __init__(
        self,
        settings: Settings,
        kb: KnowledgeBase,
        *,
        store: Store | None = None,
        open_store: Callable[[], Store | Awaitable[Store]] | None = None,
        engine_factory: Callable[[KnowledgeBase], Engine] = Engine,
        extensions: tuple[str, ...] | None = None,
        heartbeat_seconds: float | None = None,
        heartbeat_sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep,
        **options: Any,
    ) -> None:
        options.setdefault("intents", intents_for(settings))

        def command_prefix(bot: commands.Bot, message: discord.Message) -> list[str]:
            return prefixes_for(bot, message, settings.prefix)

        super().__init__(
            command_prefix=command_prefix,
            help_command=None,
            case_insensitive=True,
            strip_after_prefix=True,
            allowed_mentions=NO_MENTIONS,
            owner_ids=set(settings.owners) or None,
            tree_cls=RoundtableTree,
            **options,
        )
        self.settings = settings
        self.store = store
        self.feedback: FeedbackService | None = None  # set in `setup_hook` once the store is open
        self.open_store = open_store
        self.engine_factory = engine_factory
        self.engine: Engine = self._engine_for(kb)
        self.extensions_to_load = EXTENSIONS if extensions is None else extensions
        self.cooldowns = commands.CooldownMapping.from_cooldown(
            settings.cooldown.rate, settings.cooldown.per, commands.BucketType.user
        )
        # One note of a kind ("slow down", a refused command) per user per cooldown window: under Discord's
        # per-channel send limit, a note for every message of a flood would hold the channel's queue for everyone.
        self.note_cooldowns: commands.CooldownMapping[tuple[int, str]] = commands.CooldownMapping(
            commands.Cooldown(1, settings.cooldown.per), lambda key: key
        )
        self.conversations: ConversationStore[ConversationKey] = ConversationStore(
            settings.conversations.idle_seconds, settings.conversations.max_conversations
        )
        self._reload_lock = asyncio.Lock()
        self._engine_turn = asyncio.Lock()  # one engine call per turn of the event loop (see `answer_line`)
        self._heartbeat_task: asyncio.Task[None] | None = None
        self.heartbeat_seconds = HEARTBEAT_SECONDS if heartbeat_seconds is None else heartbeat_seconds
        self._heartbeat_sleep = heartbeat_sleep  # tests pass one that waits for their signal
        self._shards_down: set[int] = set()  # gateway connections lost and not yet resumed or identified again
        self.charts = ChartCache()
        self._chart_pool: ProcessPoolExecutor | None = None  # started in the background once the bot is set up
        self._chart_start: asyncio.Task[ProcessPoolExecutor] | None = None
        self._chart_warm: asyncio.Task[None] | None = None
        self._drawing: dict[tuple[int, str], asyncio.Future[bytes]] = {}  # charts being drawn
        self.add_check(self.rate_limit_check)

    def _engine_for(self, kb: KnowledgeBase) -> Engine:
        """An engine over `kb` whose `!summary` "today" is the configured daily time zone's."""
        engine = self.engine_factory(kb)
        engine.summary_zone = self.settings.daily.timezone
        engine.warm()
        return engine

    @property
    def kb(self) -> KnowledgeBase:
        """The knowledge base currently in service."""
        return self.engine.kb

    async def setup_hook(self) -> None:
        """Open the store (`open_store`, which may be async: only now that Discord accepted the token), load every
        extension, optionally sync slash commands, start the heartbeat if asked for."""
        if self.store is None and self.open_store is not None:
            store = self.open_store()
            self.store = await store if inspect.isawaitable(store) else store
        if self.store is not None and self.feedback is None:
            self.feedback = FeedbackService(self.store, self.settings.feedback_days)
        if beat := os.environ.get("BOT_HEARTBEAT_FILE"):
            self._heartbeat_task = asyncio.create_task(self._heartbeat(Path(beat)), name="heartbeat")
        self.add_dynamic_items(*DYNAMIC_ITEMS)  # the buttons of any answer, any run
        for name in self.extensions_to_load:
            await self.load_extension(name)
            log.debug("loaded extension %s", name)
        if self.settings.sync_on_start:
            guild = discord.Object(self.settings.sync_guild) if self.settings.sync_guild else None
            await self.sync_commands(guild)
        if self.engine.has("figures"):  # charts kept by an earlier run are read now; others drawn in the background
            self._chart_warm = asyncio.create_task(self._draw_charts(), name="charts")

    @property
    def gateway_live(self) -> bool:
        """True while every gateway connection is up: ready, not closed, none lost and waiting to reconnect.
        (discord.py stays "ready" while it reconnects, so `is_ready()` alone is not enough.)"""
        return self.is_ready() and not self.is_closed() and not self._shards_down

    def _gateway_down(self, shard_id: int) -> None:
        if shard_id not in self._shards_down:
            log.info("gateway connection lost (shard %d); the heartbeat pauses until it is back", shard_id)
        self._shards_down.add(shard_id)

    def _gateway_up(self, shard_id: int) -> None:
        if shard_id in self._shards_down:
            log.info("gateway connection back (shard %d)", shard_id)
        self._shards_down.discard(shard_id)

    @property
    def _sharded(self) -> bool:
        return isinstance(self, commands.AutoShardedBot)

    async def on_disconnect(self) -> None:
        """The (unsharded) gateway connection dropped; discord.py reconnects by itself."""
        if not self._sharded:
            self._gateway_down(0)

    async def on_resumed(self) -> None:
        """The (unsharded) session resumed after a reconnection."""
        if not self._sharded:
            self._gateway_up(0)

    async def on_shard_disconnect(self, shard_id: int) -> None:
        """One shard's gateway connection dropped."""
        self._gateway_down(shard_id)

    async def on_shard_resumed(self, shard_id: int) -> None:
        """One shard resumed its session."""
        self._gateway_up(shard_id)

    async def on_shard_ready(self, shard_id: int) -> None:
        """One shard identified (again) and received its guilds."""
        self._gateway_up(shard_id)

    async def _heartbeat(self, path: Path) -> None:
        """Touch `path` every `heartbeat_seconds` while the gateway is live (the container HEALTHCHECK reads it):
        a bot that lost its connection goes stale even though discord.py still calls it ready."""
        while True:
            if self.gateway_live:
                try:
                    path.touch()
                except OSError as exc:
                    log.warning("cannot write heartbeat %s: %s", path, exc)
            await self._heartbeat_sleep(self.heartbeat_seconds)

    async def close(self) -> None:
        """Stop the heartbeat and the chart process, then close the connection."""
        if self._heartbeat_task is not None:
            self._heartbeat_task.cancel()
        if self._chart_warm is not None:
            self._chart_warm.cancel()
        if self._chart_start is not None:
            try:  # a process still starting is waited for, so that it is shut down too
                self._chart_pool = self._chart_pool or await self._chart_start
            except Exception as exc:
                log.warning("the chart process did not start: %s", exc)
            self._chart_start = None
        if self._chart_pool is not None:
            self._chart_pool.shutdown(wait=False, cancel_futures=True)
            self._chart_pool = None
        await super().close()

    async def _draw_charts(self) -> None:
        """Draw every chart once, in the background, before anyone asks: a burst of figure questions then
        finds them drawn instead of all waiting for one drawing."""
        names = ["stats", *(f"stats:{c.id}" for c in self.kb.members if c.stats)]
        for name in names:
            try:
                await self.chart(name)
            except Exception as exc:  # a chart is a bonus: it is drawn again when asked for
                log.warning("could not draw chart %s in advance: %s", name, exc)
                return

    async def chart(self, name: str) -> bytes | None:
        """The PNG of an answer's chart over the knowledge base in service: drawn once, in a process of its own
        (matplotlib's import and drawing would hold the event loop), then reused."""
        kb = self.kb
        png = self.charts.get(kb, name)
        if png is not None:
            return png
        data = self.charts.data(kb, name)
        if data is None:
            return None
        saved = await asyncio.to_thread(saved_chart, data)  # drawn by an earlier run: no drawing at all
        if saved is not None:
            return self.charts.put(kb, name, saved)
        key = (id(kb), name)
        drawing = self._drawing.get(key)
        if drawing is None:  # one drawing per chart, however many answers wait for it
            if self._chart_pool is None:  # spawning it holds the thread that starts it: not the loop's
                if self._chart_start is None:
                    self._chart_start = asyncio.create_task(asyncio.to_thread(_start_chart_process))
                # shielded: the start is shared, and a waiter being cancelled (close() cancels the warm-up) must
                # not cancel it under close(), which waits for it so as to shut the process down
                self._chart_pool = await asyncio.shield(self._chart_start)
            drawing = asyncio.get_running_loop().run_in_executor(self._chart_pool, stats_data_png, data)
            self._drawing[key] = drawing
        try:
            drawn = await asyncio.shield(drawing)
        finally:
            if drawing.done():
                self._drawing.pop(key, None)
        await asyncio.to_thread(save_chart, data, drawn)
        return self.charts.put(kb, name, drawn)

    async def sync_commands(self, guild: discord.abc.Snowflake | None) -> list[app_commands.AppCommand]:
        """Sync slash commands to one guild (a copy of the global ones) or, with None, globally."""
        if guild is not None:
            self.tree.copy_global_to(guild=guild)
        synced = await self.tree.sync(guild=guild)
        log.info("synced %d slash commands %s", len(synced), f"to guild {guild.id}" if guild else "globally")
        return synced

    def retry_after(self, message: discord.Message) -> float | None:
        """Count one use for the message's author; seconds to wait if over the per-user rate."""
        bucket = self.cooldowns.get_bucket(message)
        return bucket.update_rate_limit() if bucket is not None else None

    def may_note(self, message: discord.Message, kind: str = "slow down") -> bool:
        """True for the first note of this kind (a command's name for its refusals) to the message's author in a
        cooldown window; the bot stays silent to the later ones."""
        bucket = self.note_cooldowns.get_bucket((message.author.id, kind))
        return bucket is None or not bucket.update_rate_limit()

    async def rate_limit_check(self, ctx: commands.Context[Any]) -> bool:
        """Global check: the per-user cooldown over every command except admin ones (their refusals count: the
        errors cog)."""
        if ctx.command is not None and ctx.command.extras.get("admin"):
            return True
        bucket = self.cooldowns.get_bucket(ctx.message)
        retry = bucket.update_rate_limit() if bucket is not None else None
        if bucket is not None and retry:
            raise commands.CommandOnCooldown(bucket, retry, commands.BucketType.user)
        return True

    async def answer_line(self, line: str, context: Context = FRESH) -> Answer:
        """The engine's answer to a question or `!command` line in a conversation (see `_in_turn`)."""
        return await self._in_turn(lambda engine: engine.answer(line, context))

    async def answer_command(self, name: str, arg: str, context: Context = FRESH) -> Answer:
        """The engine's answer to a command by name in a conversation (see `_in_turn`)."""
        return await self._in_turn(lambda engine: engine.command(name, arg, context))

    def conversation(self, message: discord.Message) -> tuple[ConversationKey, Context]:
        """The conversation `message` belongs to (its channel and author) and the context to answer it in.

        A reply to one of the bot's answers continues that answer's conversation, whoever replies;
        otherwise it is the context of this user's last answer in this channel (FRESH after the idle time).
        """
        key = (message.channel.id, message.author.id)
        ref = message.reference
        if ref is not None and ref.message_id is not None and ref.type is discord.MessageReferenceType.reply:
            replied = self.conversations.for_message(ref.message_id)
            if replied is not None:
                log.debug("message %s continues the conversation of answer %s", message.id, ref.message_id)
                return key, replied
        return key, self.conversations.context(key)

    @property
    def ws(self) -> Any:
        """The gateway connection, which discord.py sets on each connect (see `yield_between_events`)."""
        return self.__dict__.get("_gateway")

    @ws.setter
    def ws(self, ws: Any) -> None:
        if ws is not None:
            yield_between_events(ws)
        self.__dict__["_gateway"] = ws

    async def _in_turn(self, call: Callable[[Engine], Answer]) -> Answer:
        """Run an engine call in a turn of the event loop of its own: a burst of messages is answered one per
        turn, with the gateway, timers and replies served in between, not all in one long turn."""
        async with self._engine_turn:
            await asyncio.sleep(0)  # hold the turn across a yield: messages that arrived together queue here
            return call(self.engine)

    async def reload_knowledge(self) -> KnowledgeBase:
        """Re-read the knowledge directory; on any error the current one stays in service and it raises."""
        async with self._reload_lock:
            kb = await asyncio.to_thread(load_knowledge, self.kb.root)
            engine = await asyncio.to_thread(self._engine_for, kb)
            self.engine = engine
            log.info("knowledge base reloaded: %s", kb.summary_line())
            return kb

    async def on_message(self, message: discord.Message) -> None:
        """Hand a message to the commands extension only when it can be a command: a burst of questions in an
        ask channel then costs no command parsing (a context per message) all in one turn of the loop."""
        if message.author.bot or not is_command(self, message, self.settings.prefix):
            return
        await self.process_commands(message)

    async def on_ready(self) -> None:
        """Log who we are once connected (also after a new session replaced a lost one)."""
        if not self._sharded:
            self._gateway_up(0)
        user = self.user
        log.info("connected as %s (id %s) to %d guild(s)", user, getattr(user, "id", "?"), len(self.guilds))


EVENTS_PER_TURN = 16  # gateway events read in one turn of the event loop, at most


def yield_between_events(ws: Any) -> None:
    """Make a gateway connection give the event loop a turn after every `EVENTS_PER_TURN` events it reads.

    discord.py handles every event already received in one turn of the loop: after a burst (hundreds of
    messages arriving together) that turn held the loop for tens of milliseconds, heartbeats and replies
    waiting behind it. The events in between are read as discord.py reads them, so a close frame right
    after a few events (a token reset) is still read at once.
    """
    poll = ws.poll_event
    read = 0

    async def poll_event() -> None:
        nonlocal read
        await poll()
        read += 1
        if read % EVENTS_PER_TURN == 0:
            await asyncio.sleep(0)

    ws.poll_event = poll_event


def _start_chart_process() -> ProcessPoolExecutor:
    """The process charts are drawn in, started and answering (run in a thread: spawning it takes a while)."""
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=follow_parent, initargs=(os.getpid(),))
    pool.submit(int).result()
    return pool


class RoundtableBot(RoundtableBotMixin, commands.Bot):
    """The bot on one gateway connection."""


class ShardedRoundtableBot(RoundtableBotMixin, commands.AutoShardedBot):
    """The bot over several shards (`shard_count` / `shard_ids` in the config).

    Its shards log in one after another, 5 s apart (discord.py's spacing, as Discord wants). They start in a task
    that `close()` cancels: discord.py tries a shard that cannot connect again every 5 s with no end, also once the
    bot is closed, so a SIGTERM while the shards were starting never ended the process.
    """

    _launching: asyncio.Task[None] | None = None
    _stopping = False

    async def launch_shards(self) -> None:
        """discord.py's, in a task of its own that `close()` cancels; `connect()` then sees the bot closed."""
        self._launching = launching = asyncio.create_task(super().launch_shards(), name="launch-shards")
        try:
            await launching
        except asyncio.CancelledError:
            me = asyncio.current_task()
            if not self._stopping or (me is not None and me.cancelling()):
                raise  # this task itself is being cancelled, not only the launch

    async def close(self) -> None:
        """Stop starting shards, then close as usual."""
        self._stopping = True
        if self._launching is not None:
            self._launching.cancel()
        await super().close()


# "Our bot", what cogs are typed against (`self.bot: AnyBot`): either bot class, with the mixin's settings,
# store, engine and conversations.
AnyBot = RoundtableBot | ShardedRoundtableBot
BotContext = commands.Context[AnyBot]  # a command's context, whose `ctx.bot` is ours


def create_bot(settings: Settings, kb: KnowledgeBase, *, store: Store | None = None,
               **options: Any) -> AnyBot:
    """The right bot class for the settings: sharded when `shard_count` is set (`options` such as `open_store`
    go to the class)."""
    if settings.sharded:
        count = None if settings.shard_count == "auto" else settings.shard_count
        return ShardedRoundtableBot(settings, kb, store=store, shard_count=count,
                                    shard_ids=settings.shard_ids, **options)
    return RoundtableBot(settings, kb, store=store, **options)


__all__ = ["EXTENSIONS", "AnyBot", "BotContext", "ConversationKey", "RoundtableBot", "RoundtableBotMixin",
           "ShardedRoundtableBot", "create_bot"]
