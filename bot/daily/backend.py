"""The one interface to the daily store, and the choice of its back end at start-up.

`Store` is what the daily service and the Discord cogs use; they never know which back end they have:

- SQLite (`bot.daily.aiostore.AsyncStore` over `bot.daily.store.DailyStore`): one file, one process. The default.
- PostgreSQL (`bot.daily.pgstore.PgStore`, asyncpg): one database shared by several processes or hosts, chosen
  by a `postgresql://` URL (`database_url` in the config, or `$BOT_DATABASE_URL`).

Both enforce one post per (channel, local date) in the database itself, and both raise `StoreError` (whose
`cause` is a short reason such as "the database is locked") for everything that goes wrong.
"""

from __future__ import annotations

from datetime import date, datetime, time
from pathlib import Path
from typing import Any, Protocol

from bot.daily.aiostore import AsyncStore
from bot.daily.dburl import is_postgres_url, redact
from bot.daily.feedback import FeedbackStore
from bot.daily.schedule import ChannelSchedule, PostRecord

__all__ = ["Store", "is_postgres_url", "open_store", "redact"]


class Store(FeedbackStore, Protocol):
    """Daily-post settings and history, and answer feedback (`FeedbackStore`), awaitable; every error is a
    `StoreError`."""

    @property
    def shared(self) -> bool:
        """True when `claimed()` leaves out claims of processes still running (PostgreSQL): recovery may then
        run before every scheduler pass. False (SQLite): it lists every claim, so recovery runs at start-up only."""
        ...

    async def close(self) -> None:
        """Finish the calls already started, then release the database."""
        ...

    async def channels(self, guild_id: int | None = None) -> list[ChannelSchedule]:
        """Every configured channel (enabled or not), or those of one guild."""
        ...

    async def channel(self, channel_id: int) -> ChannelSchedule | None:
        """One channel's settings, if it was ever configured."""
        ...

    async def set_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                          now: datetime, updated_by: int | None = None) -> ChannelSchedule:
        """Configure (or re-enable and un-pause) a channel; slots before `now` do not count."""
        ...

    async def seed_config_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                                  now: datetime) -> str:
        """Apply a channel listed in the config file: "added", "updated" or "kept"."""
        ...

    async def set_guild(self, channel_id: int, guild_id: int) -> None:
        """Fill in the guild of a channel."""
        ...

    async def disable(self, channel_ids: list[int], now: datetime, updated_by: int | None = None) -> int:
        """Stop posting to these channels, keeping their settings; returns how many changed."""
        ...

    async def history(self, from_date: date) -> dict[tuple[int, date], PostRecord]:
        """Every post row on or after `from_date`, plus every unresolved claim."""
        ...

    async def record(self, channel_id: int, local_date: date) -> PostRecord | None:
        """The row of one channel and local date."""
        ...

    async def recent(self, channel_id: int, limit: int = 5) -> list[PostRecord]:
        """A channel's latest rows, newest first."""
        ...

    async def claimed(self) -> list[PostRecord]:
        """Posts claimed but never confirmed by a process that is no longer running."""
        ...

    async def claim(self, channel_id: int, local_date: date, now: datetime, nonce: str,
                    spotlight: str | None = None) -> PostRecord | None:
        """Atomically reserve the post of (channel, local date); None when another claim holds it or it is done."""
        ...

    async def confirm(self, channel_id: int, local_date: date, message_id: int, now: datetime) -> bool:
        """Record the sent message of a claimed post."""
        ...

    async def fail(self, channel_id: int, local_date: date, error: str, retry_at: datetime | None) -> bool:
        """A claimed post was not sent; it may be tried again from `retry_at`."""
        ...

    async def mark_unconfirmed(self, channel_id: int, local_date: date, error: str) -> bool:
        """A claimed post may or may not have been sent: count it as posted."""
        ...

    async def fail_and_pause(self, channel_id: int, local_date: date, reason: str, now: datetime) -> None:
        """Fail the post and pause the channel, in one transaction."""
        ...

    async def skip(self, channel_id: int, local_date: date, reason: str) -> bool:
        """Record that a day is not posted; False if it already has a final row."""
        ...


async def open_store(target: str | Path, **options: Any) -> Store:
    """Open the store named by `target`: a PostgreSQL URL, else a SQLite file path. `StoreError` if unusable."""
    if is_postgres_url(target):
        from bot.daily.pgstore import PgStore  # asyncpg is loaded only for a PostgreSQL URL

        return await PgStore.open(str(target), **options)
    return await AsyncStore.open(target, **options)
