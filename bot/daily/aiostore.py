"""The daily store for async code: every call runs on a worker thread, never on the event loop.

`DailyStore` is synchronous SQLite; a call waiting for another process's write lock would freeze every
command of the bot. `AsyncStore` runs each call with `asyncio.to_thread`, one call at a time (the
connection is shared), and tries a locked database again a few times with short pauses in between
(while the loop keeps serving others), before raising the `StoreError` that names the cause.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import date, datetime, time
from typing import ParamSpec, TypeVar

from bot.daily.schedule import ChannelSchedule, PostRecord
from bot.daily.store import DailyStore, StoreError

log = logging.getLogger(__name__)

P = ParamSpec("P")
T = TypeVar("T")

LOCK_RETRIES = (0.05, 0.15, 0.3)  # pauses between tries of a call that met a locked database


class AsyncStore:
    """Awaitable methods over a `DailyStore`, run off the event loop one at a time."""

    def __init__(self, store: DailyStore, *, retries: Sequence[float] = LOCK_RETRIES,
                 sleep: Callable[[float], Awaitable[None]] = asyncio.sleep) -> None:
        self.sync = store
        self.retries = tuple(retries)
        self._sleep = sleep
        self._lock: asyncio.Lock | None = None

    async def _call(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        if self._lock is None:
            self._lock = asyncio.Lock()
        for attempt in range(len(self.retries) + 1):
            try:
                async with self._lock:
                    return await asyncio.to_thread(fn, *args, **kwargs)
            except StoreError as exc:
                if not exc.transient or attempt == len(self.retries):
                    raise
                log.debug("daily store: %s; trying %s again", exc.cause, getattr(fn, "__name__", fn))
                await self._sleep(self.retries[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def channels(self, guild_id: int | None = None) -> list[ChannelSchedule]:
        """See `DailyStore.channels`."""
        return await self._call(self.sync.channels, guild_id)

    async def channel(self, channel_id: int) -> ChannelSchedule | None:
        """See `DailyStore.channel`."""
        return await self._call(self.sync.channel, channel_id)

    async def set_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                          now: datetime, updated_by: int | None = None) -> ChannelSchedule:
        """See `DailyStore.set_channel`."""
        return await self._call(self.sync.set_channel, channel_id, guild_id, post_time, timezone, now, updated_by)

    async def seed_config_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                                  now: datetime) -> str:
        """See `DailyStore.seed_config_channel`."""
        return await self._call(self.sync.seed_config_channel, channel_id, guild_id, post_time, timezone, now)

    async def set_guild(self, channel_id: int, guild_id: int) -> None:
        """See `DailyStore.set_guild`."""
        await self._call(self.sync.set_guild, channel_id, guild_id)

    async def disable(self, channel_ids: list[int], now: datetime, updated_by: int | None = None) -> int:
        """See `DailyStore.disable`."""
        return await self._call(self.sync.disable, channel_ids, now, updated_by)

    async def history(self, from_date: date) -> dict[tuple[int, date], PostRecord]:
        """See `DailyStore.history`."""
        return await self._call(self.sync.history, from_date)

    async def record(self, channel_id: int, local_date: date) -> PostRecord | None:
        """See `DailyStore.record`."""
        return await self._call(self.sync.record, channel_id, local_date)

    async def recent(self, channel_id: int, limit: int = 5) -> list[PostRecord]:
        """See `DailyStore.recent`."""
        return await self._call(self.sync.recent, channel_id, limit)

    async def claimed(self) -> list[PostRecord]:
        """See `DailyStore.claimed`."""
        return await self._call(self.sync.claimed)

    async def claim(self, channel_id: int, local_date: date, now: datetime, nonce: str,
                    spotlight: str | None = None) -> PostRecord | None:
        """See `DailyStore.claim`."""
        return await self._call(self.sync.claim, channel_id, local_date, now, nonce, spotlight)

    async def confirm(self, channel_id: int, local_date: date, message_id: int, now: datetime) -> bool:
        """See `DailyStore.confirm`."""
        return await self._call(self.sync.confirm, channel_id, local_date, message_id, now)

    async def fail(self, channel_id: int, local_date: date, error: str, retry_at: datetime | None) -> bool:
        """See `DailyStore.fail`."""
        return await self._call(self.sync.fail, channel_id, local_date, error, retry_at)

    async def mark_unconfirmed(self, channel_id: int, local_date: date, error: str) -> bool:
        """See `DailyStore.mark_unconfirmed`."""
        return await self._call(self.sync.mark_unconfirmed, channel_id, local_date, error)

    async def fail_and_pause(self, channel_id: int, local_date: date, reason: str, now: datetime) -> None:
        """See `DailyStore.fail_and_pause`."""
        await self._call(self.sync.fail_and_pause, channel_id, local_date, reason, now)

    async def skip(self, channel_id: int, local_date: date, reason: str) -> bool:
        """See `DailyStore.skip`."""
        return await self._call(self.sync.skip, channel_id, local_date, reason)


def wrap(store: DailyStore | AsyncStore) -> AsyncStore:
    """`store` as an `AsyncStore`."""
    return store if isinstance(store, AsyncStore) else AsyncStore(store)
