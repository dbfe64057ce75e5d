"""The daily store for async code: one worker thread owns the SQLite connection and runs every query.

`DailyStore` is synchronous SQLite; a call waiting for another process's write lock on the event loop
would freeze every answer of the bot. `AsyncStore` starts one thread of its own
(`ThreadPoolExecutor(max_workers=1)`), opens the `DailyStore` on that thread, runs every call there
in order, and closes the connection there too, after the calls already queued: the connection is
never touched by another thread (sqlite3's `check_same_thread` stays on), so closing it can never
race a query.

SQLite waits at most `BUSY_TIMEOUT` for another connection's write lock; a call that met a locked
database is tried again after `LOCK_RETRIES` pauses, awaited on the event loop (which keeps serving
everyone else, and other calls run on the worker in between), before its `StoreError` is raised.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, time
from pathlib import Path
from typing import Any, TypeVar

from bot.daily.feedback import Miss
from bot.daily.schedule import ChannelSchedule, PostRecord
from bot.daily.store import DailyStore, StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

BUSY_TIMEOUT = 0.1  # seconds SQLite itself waits for another connection's write lock, on the worker thread
LOCK_RETRIES = (0.05, 0.1, 0.2, 0.4)  # pauses before trying a call again that met a locked database
CLOSED = "the database is closed"


class AsyncStore:
    """Awaitable `DailyStore` calls, all run on one worker thread that owns the connection.

    Open with `await AsyncStore.open(path)`; `await store.close()` when done.
    """

    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT,
                 retries: Sequence[float] = LOCK_RETRIES,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self.retries = tuple(retries)
        self._sleep = sleep
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="daily-store")
        self._db: DailyStore | None = None  # read and written on the worker thread only
        self._closing = False

    @classmethod
    async def open(cls, path: Path | str, **options: Any) -> AsyncStore:
        """Open (create, migrate, check writable) the database on a new worker thread; `StoreError` if unusable."""
        store = cls(path, **options)
        try:
            await store._submit(store._open)
        except BaseException:
            await store.close()
            raise
        return store

    # -- the worker thread -------------------------------------------------------------------------

    def _open(self) -> None:
        self._db = DailyStore(self.path, busy_timeout=self.busy_timeout)

    def _close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def _apply(self, fn: Callable[[DailyStore], T]) -> T:
        if self._db is None:
            raise StoreError(f"daily-summary database {self.path}: {CLOSED}", CLOSED)
        return fn(self._db)

    async def _submit(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    # -- the facade --------------------------------------------------------------------------------

    @property
    def shared(self) -> bool:
        """False: `claimed()` lists every claim, so recovery runs at start-up only (see `bot.daily.backend.Store`)."""
        return False

    async def close(self) -> None:
        """Run the calls already queued, then close the connection on its own thread and end that thread."""
        if self._closing:
            return
        self._closing = True
        done = self._pool.submit(self._close)  # queued after every call already submitted
        self._pool.shutdown(wait=False)  # the thread ends once its queue is empty
        await asyncio.shield(asyncio.wrap_future(done))  # even if this task is cancelled, the close runs
        self._pool.shutdown(wait=True)  # its last job is done: the thread only has to exit

    async def run(self, fn: Callable[[DailyStore], T], what: str = "a query") -> T:
        """`fn(store)` on the worker thread, tried again a few times while the database is locked."""
        for attempt in range(len(self.retries) + 1):
            if self._closing:
                raise StoreError(f"daily-summary database {self.path}: {CLOSED}", CLOSED)
            try:
                return await self._submit(self._apply, fn)
            except StoreError as exc:
                if not exc.transient or attempt == len(self.retries):
                    raise
                log.debug("daily store: %s; trying %s again", exc.cause, what)
                await self._sleep(self.retries[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def channels(self, guild_id: int | None = None) -> list[ChannelSchedule]:
        """See `DailyStore.channels`."""
        return await self.run(lambda db: db.channels(guild_id), "channels")

    async def channel(self, channel_id: int) -> ChannelSchedule | None:
        """See `DailyStore.channel`."""
        return await self.run(lambda db: db.channel(channel_id), "channel")

    async def set_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                          now: datetime, updated_by: int | None = None) -> ChannelSchedule:
        """See `DailyStore.set_channel`."""
        return await self.run(lambda db: db.set_channel(channel_id, guild_id, post_time, timezone, now, updated_by),
                              "set_channel")

    async def seed_config_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                                  now: datetime) -> str:
        """See `DailyStore.seed_config_channel`."""
        return await self.run(lambda db: db.seed_config_channel(channel_id, guild_id, post_time, timezone, now),
                              "seed_config_channel")

    async def set_guild(self, channel_id: int, guild_id: int) -> None:
        """See `DailyStore.set_guild`."""
        await self.run(lambda db: db.set_guild(channel_id, guild_id), "set_guild")

    async def disable(self, channel_ids: list[int], now: datetime, updated_by: int | None = None) -> int:
        """See `DailyStore.disable`."""
        ids = list(channel_ids)
        return await self.run(lambda db: db.disable(ids, now, updated_by), "disable")

    async def history(self, from_date: date) -> dict[tuple[int, date], PostRecord]:
        """See `DailyStore.history`."""
        return await self.run(lambda db: db.history(from_date), "history")

    async def record(self, channel_id: int, local_date: date) -> PostRecord | None:
        """See `DailyStore.record`."""
        return await self.run(lambda db: db.record(channel_id, local_date), "record")

    async def recent(self, channel_id: int, limit: int = 5) -> list[PostRecord]:
        """See `DailyStore.recent`."""
        return await self.run(lambda db: db.recent(channel_id, limit), "recent")

    async def claimed(self) -> list[PostRecord]:
        """See `DailyStore.claimed`."""
        return await self.run(lambda db: db.claimed(), "claimed")

    async def claim(self, channel_id: int, local_date: date, now: datetime, nonce: str,
                    spotlight: str | None = None) -> PostRecord | None:
        """See `DailyStore.claim`."""
        return await self.run(lambda db: db.claim(channel_id, local_date, now, nonce, spotlight), "claim")

    async def confirm(self, channel_id: int, local_date: date, message_id: int, now: datetime) -> bool:
        """See `DailyStore.confirm`."""
        return await self.run(lambda db: db.confirm(channel_id, local_date, message_id, now), "confirm")

    async def fail(self, channel_id: int, local_date: date, error: str, retry_at: datetime | None) -> bool:
        """See `DailyStore.fail`."""
        return await self.run(lambda db: db.fail(channel_id, local_date, error, retry_at), "fail")

    async def mark_unconfirmed(self, channel_id: int, local_date: date, error: str) -> bool:
        """See `DailyStore.mark_unconfirmed`."""
        return await self.run(lambda db: db.mark_unconfirmed(channel_id, local_date, error), "mark_unconfirmed")

    async def fail_and_pause(self, channel_id: int, local_date: date, reason: str, now: datetime) -> None:
        """See `DailyStore.fail_and_pause`."""
        await self.run(lambda db: db.fail_and_pause(channel_id, local_date, reason, now), "fail_and_pause")

    async def skip(self, channel_id: int, local_date: date, reason: str) -> bool:
        """See `DailyStore.skip`."""
        return await self.run(lambda db: db.skip(channel_id, local_date, reason), "skip")

    async def feedback_enabled(self, guild_id: int) -> bool:
        """See `DailyStore.feedback_enabled`."""
        return await self.run(lambda db: db.feedback_enabled(guild_id), "feedback_enabled")

    async def set_feedback(self, guild_id: int, enabled: bool, now: datetime, updated_by: int | None = None) -> None:
        """See `DailyStore.set_feedback`."""
        await self.run(lambda db: db.set_feedback(guild_id, enabled, now, updated_by), "set_feedback")

    async def add_miss(self, miss: Miss, before: datetime) -> None:
        """See `DailyStore.add_miss`."""
        await self.run(lambda db: db.add_miss(miss, before), "add_miss")

    async def add_press(self, miss: Miss, user_id: int, message_id: int, before: datetime) -> bool:
        """See `DailyStore.add_press`."""
        return await self.run(lambda db: db.add_press(miss, user_id, message_id, before), "add_press")

    async def expire_feedback(self, before: datetime) -> int:
        """See `DailyStore.expire_feedback`."""
        return await self.run(lambda db: db.expire_feedback(before), "expire_feedback")

    async def misses(self, since: datetime, guild_id: int | None = None) -> list[Miss]:
        """See `DailyStore.misses`."""
        return await self.run(lambda db: db.misses(since, guild_id), "misses")
