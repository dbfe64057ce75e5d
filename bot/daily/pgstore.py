"""PostgreSQL storage for daily-post settings and history, shared by every process and host of one bot (asyncpg).

The same two tables as the SQLite store (`bot.daily.store`), in PostgreSQL types: `channels` (one row per
configured channel) and `posts` (`UNIQUE (channel_id, local_date)`). `claim()` is one
`INSERT ... ON CONFLICT (channel_id, local_date) DO UPDATE ... WHERE posts.status = 'failed' RETURNING`
statement: of any number of processes claiming the same slot at once, exactly one gets the row back, the
others wait for its row lock and then see a row that is no longer `failed`.

The schema, its migrations (applied at start-up) and the mapping of errors to causes are in
`bot.daily.pgschema`.

Which claims are abandoned: every process holds a session advisory lock (key `LOCK_CLASS`, a random
instance number) on a connection of its own for as long as it runs, and writes that number into the rows
it claims (`claimed_by`). `claimed()` returns only claims whose instance lock is free: their process
died, so recovery (`DailyService.reconcile`) may look at them, before every scheduler pass (`shared`); a
claim that another running process is still sending is left alone. The server frees the lock when the
session ends: at once when a process dies on a live host, within about a minute (TCP keepalives) when a
host vanishes. If a running process's lock connection drops (the server restarted), it takes a new lock
before its next claim; a claim it had in flight meanwhile may be recovered by another process, which then
finds the post in the channel's history or sends it with the same nonce, which Discord answers with the
first message.

Every asyncpg or network error becomes a `StoreError` whose `cause` is short ("the database server cannot
be reached", "permission denied"); the password of the URL never appears in messages.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, time
from typing import Any, TypeVar

import asyncpg

from bot.daily.dburl import redact
from bot.daily.feedback import Miss, voter_hash
from bot.daily.pgschema import ERRORS, LOCK_CLASS, SCHEMA_VERSION, cause_of, check_writable, migrate, one_line
from bot.daily.schedule import ChannelSchedule, PostRecord, PostStatus, format_time, parse_time
from bot.daily.store import StoreError

log = logging.getLogger(__name__)

T = TypeVar("T")

POOL_SIZE = 4
CONNECT_TIMEOUT = 10.0  # seconds to reach the server (also at start-up, before giving up)
COMMAND_TIMEOUT = 10.0  # seconds one statement may take
RETRIES = (0.05, 0.1, 0.2, 0.4)  # pauses before trying a call again that met a lock or a lost connection
CLOSED = "the database is closed"
# Over TCP, the server drops the session (and so the instance lock) of a host that vanished without closing
# its connection (power loss, network gone) within about a minute instead of the system default of hours.
LEASE_KEEPALIVES = {"tcp_keepalives_idle": "30", "tcp_keepalives_interval": "10", "tcp_keepalives_count": "3"}


def as_utc(value: datetime | None) -> datetime | None:
    """Aware datetimes as they are; a naive one is taken as UTC (the bot's clock is UTC)."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def _count(status: str) -> int:
    """The row count of a command status such as "UPDATE 1" or "INSERT 0 1"."""
    return int(status.split()[-1])


def _schedule(row: asyncpg.Record) -> ChannelSchedule:
    return ChannelSchedule(
        channel_id=row["channel_id"], guild_id=row["guild_id"], post_time=parse_time(row["post_time"]),
        timezone=row["timezone"], since=row["since"], enabled=row["enabled"],
        paused_reason=row["paused_reason"], source=row["source"],
    )


def _record(row: asyncpg.Record) -> PostRecord:
    return PostRecord(
        channel_id=row["channel_id"], local_date=row["local_date"], status=PostStatus(row["status"]),
        message_id=row["message_id"], nonce=row["nonce"], spotlight=row["spotlight"], attempts=row["attempts"],
        claimed_at=row["claimed_at"], posted_at=row["posted_at"], retry_at=row["retry_at"], error=row["error"],
    )


class PgStore:
    """The daily store in a PostgreSQL database: `await PgStore.open(url)`; `await store.close()` when done."""

    def __init__(self, url: str, *, pool_size: int = POOL_SIZE, retries: Sequence[float] = RETRIES,
                 connect_timeout: float = CONNECT_TIMEOUT,
                 sleep: Callable[[float], Awaitable[Any]] = asyncio.sleep) -> None:
        self.url = url
        self.where = redact(url)
        self.pool_size = pool_size
        self.retries = tuple(retries)
        self.connect_timeout = connect_timeout
        self._sleep = sleep
        self._pool: asyncpg.Pool | None = None
        self._lease: asyncpg.Connection | None = None
        self.instance = 0  # this process's advisory-lock number, written into the rows it claims
        self._closing = False

    # -- opening and migrations -------------------------------------------------------------------

    def _fail(self, problem: str, cause: str | None = None) -> StoreError:
        return StoreError(f"daily-summary database {self.where}: {problem}. Nothing was changed in it.", cause)

    def _error(self, exc: BaseException) -> StoreError:
        cause = cause_of(exc)
        detail = one_line(exc)
        return StoreError(f"daily-summary database {self.where}: {cause}"
                          + (f" ({detail})" if detail != cause else ""), cause)

    @classmethod
    async def open(cls, url: str, **options: Any) -> PgStore:
        """Connect, migrate and check that the database can be written; `StoreError` (one line) if not."""
        store = cls(url, **options)
        try:
            await store._open()
        except BaseException:
            await store.close()
            raise
        return store

    async def _open(self) -> None:
        try:
            self._pool = await asyncpg.create_pool(
                self.url, min_size=1, max_size=self.pool_size, timeout=self.connect_timeout,
                command_timeout=COMMAND_TIMEOUT)
            async with self._pool.acquire() as conn:
                await migrate(conn, self._fail, self.where)
                await check_writable(conn)
            await self._take_lease()
        except StoreError:
            raise
        except (*ERRORS, ValueError) as exc:  # ValueError: asyncpg rejects a malformed URL
            raise self._error(exc) from None

    async def _take_lease(self) -> None:
        """Hold an advisory lock for as long as this process runs: it marks this process's claims as alive."""
        lease = await asyncpg.connect(self.url, timeout=self.connect_timeout, command_timeout=COMMAND_TIMEOUT,
                                      server_settings=LEASE_KEEPALIVES)
        try:
            for _ in range(100):
                instance = random.randrange(1, 2**31)
                if await lease.fetchval("SELECT pg_try_advisory_lock($1, $2)", LOCK_CLASS, instance):
                    break
            else:  # pragma: no cover - 100 collisions in 2**31 numbers
                raise self._fail("cannot take an instance lock")
        except BaseException:
            await lease.close()
            raise
        old, self._lease, self.instance = self._lease, lease, instance
        if old is not None:
            old.terminate()

    async def _ensure_lease(self) -> None:
        """Take a new instance lock if the connection holding it was lost (the server restarted)."""
        if self._lease is None or self._lease.is_closed():
            log.warning("daily store %s: the instance lock was lost; taking a new one", self.where)
            await self._take_lease()

    @property
    def shared(self) -> bool:
        """True: `claimed()` leaves out the claims of running processes (see `bot.daily.backend.Store`)."""
        return True

    async def close(self) -> None:
        """Wait for the calls already started, then close every connection."""
        if self._closing:
            return
        self._closing = True
        if self._pool is not None:
            await self._pool.close()
        if self._lease is not None:
            await self._lease.close()

    @property
    def schema_version(self) -> int:
        """The schema version this bot writes (the database's once open)."""
        return SCHEMA_VERSION

    # -- running calls ----------------------------------------------------------------------------

    async def run(self, fn: Callable[[asyncpg.Connection], Awaitable[T]], what: str = "a query") -> T:
        """`fn(connection)` on a pooled connection, tried again a few times after a lock or a lost connection."""
        for attempt in range(len(self.retries) + 1):
            if self._closing or self._pool is None:
                raise StoreError(f"daily-summary database {self.where}: {CLOSED}", CLOSED)
            try:
                async with self._pool.acquire() as conn:
                    return await fn(conn)
            except ERRORS as exc:
                error = self._error(exc)
            if not error.transient or attempt == len(self.retries):
                raise error
            log.debug("daily store: %s; trying %s again", error.cause, what)
            await self._sleep(self.retries[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _fetch(self, sql: str, *args: object, what: str = "a query") -> list[asyncpg.Record]:
        return await self.run(lambda conn: conn.fetch(sql, *args), what)

    async def _execute(self, sql: str, *args: object, what: str = "a write") -> int:
        status = await self.run(lambda conn: conn.execute(sql, *args), what)
        return _count(status)

    # -- channel settings ---------------------------------------------------------------------------

    async def channels(self, guild_id: int | None = None) -> list[ChannelSchedule]:
        """See `bot.daily.backend.Store`."""
        if guild_id is None:
            rows = await self._fetch("SELECT * FROM channels ORDER BY channel_id", what="channels")
        else:
            rows = await self._fetch("SELECT * FROM channels WHERE guild_id = $1 ORDER BY channel_id", guild_id,
                                     what="channels")
        return [_schedule(r) for r in rows]

    async def channel(self, channel_id: int) -> ChannelSchedule | None:
        """See `bot.daily.backend.Store`."""
        rows = await self._fetch("SELECT * FROM channels WHERE channel_id = $1", channel_id, what="channel")
        return _schedule(rows[0]) if rows else None

    async def set_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                          now: datetime, updated_by: int | None = None) -> ChannelSchedule:
        """See `bot.daily.backend.Store`."""
        rows = await self._fetch(
            """INSERT INTO channels (channel_id, guild_id, post_time, timezone, enabled, paused_reason,
                                     source, since, updated_at, updated_by)
               VALUES ($1, $2, $3, $4, TRUE, NULL, 'admin', $5, $5, $6)
               ON CONFLICT (channel_id) DO UPDATE SET
                 guild_id = COALESCE(EXCLUDED.guild_id, channels.guild_id), post_time = EXCLUDED.post_time,
                 timezone = EXCLUDED.timezone, enabled = TRUE, paused_reason = NULL, source = 'admin',
                 since = EXCLUDED.since, updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by
               RETURNING *""",
            channel_id, guild_id, format_time(post_time), timezone, as_utc(now), updated_by, what="set_channel")
        return _schedule(rows[0])

    async def seed_config_channel(self, channel_id: int, guild_id: int | None, post_time: time, timezone: str,
                                  now: datetime) -> str:
        """See `bot.daily.backend.Store`."""
        hhmm, at = format_time(post_time), as_utc(now)

        async def seed(conn: asyncpg.Connection) -> str:
            async with conn.transaction():
                row = await conn.fetchrow("SELECT * FROM channels WHERE channel_id = $1 FOR UPDATE", channel_id)
                if row is None:
                    status = await conn.execute(
                        """INSERT INTO channels (channel_id, guild_id, post_time, timezone, source, since, updated_at)
                           VALUES ($1, $2, $3, $4, 'config', $5, $5) ON CONFLICT (channel_id) DO NOTHING""",
                        channel_id, guild_id, hhmm, timezone, at)
                    return "added" if _count(status) == 1 else "kept"
                if row["source"] != "config" or (row["post_time"], row["timezone"]) == (hhmm, timezone):
                    return "kept"
                await conn.execute(
                    "UPDATE channels SET post_time = $1, timezone = $2, since = $3, updated_at = $3 "
                    "WHERE channel_id = $4", hhmm, timezone, at, channel_id)
                return "updated"

        return await self.run(seed, "seed_config_channel")

    async def set_guild(self, channel_id: int, guild_id: int) -> None:
        """See `bot.daily.backend.Store`."""
        await self._execute("UPDATE channels SET guild_id = $1 WHERE channel_id = $2", guild_id, channel_id,
                            what="set_guild")

    async def disable(self, channel_ids: list[int], now: datetime, updated_by: int | None = None) -> int:
        """See `bot.daily.backend.Store`."""
        return await self._execute(
            """UPDATE channels SET enabled = FALSE, source = 'admin', updated_at = $1, updated_by = $2
               WHERE channel_id = ANY($3::bigint[]) AND enabled""",
            as_utc(now), updated_by, list(channel_ids), what="disable")

    # -- post history --------------------------------------------------------------------------------

    async def history(self, from_date: date) -> dict[tuple[int, date], PostRecord]:
        """See `bot.daily.backend.Store`."""
        rows = await self._fetch("SELECT * FROM posts WHERE local_date >= $1 OR status = 'claimed'", from_date,
                                 what="history")
        return {(r["channel_id"], r["local_date"]): _record(r) for r in rows}

    async def record(self, channel_id: int, local_date: date) -> PostRecord | None:
        """See `bot.daily.backend.Store`."""
        rows = await self._fetch("SELECT * FROM posts WHERE channel_id = $1 AND local_date = $2",
                                 channel_id, local_date, what="record")
        return _record(rows[0]) if rows else None

    async def recent(self, channel_id: int, limit: int = 5) -> list[PostRecord]:
        """See `bot.daily.backend.Store`."""
        rows = await self._fetch("SELECT * FROM posts WHERE channel_id = $1 ORDER BY local_date DESC LIMIT $2",
                                 channel_id, limit, what="recent")
        return [_record(r) for r in rows]

    async def claimed(self) -> list[PostRecord]:
        """Claims never confirmed whose process is gone (its instance lock is free); a live process's are left."""

        async def abandoned(conn: asyncpg.Connection) -> list[PostRecord]:
            rows = await conn.fetch("SELECT * FROM posts WHERE status = 'claimed' ORDER BY channel_id, local_date")
            alive: dict[int, bool] = {}
            for owner in {r["claimed_by"] for r in rows if r["claimed_by"] is not None}:
                if owner == self.instance:
                    alive[owner] = True
                    continue
                async with conn.transaction():  # a free lock is taken only until the transaction ends
                    alive[owner] = not await conn.fetchval("SELECT pg_try_advisory_xact_lock($1, $2)",
                                                           LOCK_CLASS, owner)
            return [_record(r) for r in rows if not alive.get(r["claimed_by"], False)]

        return await self.run(abandoned, "claimed")

    async def claim(self, channel_id: int, local_date: date, now: datetime, nonce: str,
                    spotlight: str | None = None) -> PostRecord | None:
        """See `bot.daily.backend.Store`; one statement, so concurrent claims from any process get one winner."""
        try:
            await self._ensure_lease()
        except ERRORS as exc:
            raise self._error(exc) from None
        tries = 0

        async def attempt(conn: asyncpg.Connection) -> PostRecord | None:
            nonlocal tries
            tries += 1
            rows = await conn.fetch(
                """INSERT INTO posts (channel_id, local_date, status, spotlight, nonce, attempts, claimed_at,
                                      claimed_by)
                   VALUES ($1, $2, 'claimed', $3, $4, 1, $5, $6)
                   ON CONFLICT (channel_id, local_date) DO UPDATE SET
                     status = 'claimed', spotlight = EXCLUDED.spotlight, attempts = posts.attempts + 1,
                     claimed_at = EXCLUDED.claimed_at, claimed_by = EXCLUDED.claimed_by, retry_at = NULL
                   WHERE posts.status = 'failed'
                   RETURNING *""",
                channel_id, local_date, spotlight, nonce, as_utc(now), self.instance)
            if rows:
                return _record(rows[0])
            if tries == 1:  # taken before this call: another claim holds it, or it is done
                return None
            # a retry of this call: its earlier attempt may have committed and lost its reply, so the row taken is
            # this call's own claim (this process, this instant), not another's; else the channel would wait for
            # a restart
            mine = await conn.fetch(
                "SELECT * FROM posts WHERE channel_id = $1 AND local_date = $2 AND status = 'claimed' "
                "AND claimed_by = $3 AND claimed_at = $4", channel_id, local_date, self.instance, as_utc(now))
            return _record(mine[0]) if mine else None

        return await self.run(attempt, "claim")

    async def _finish(self, channel_id: int, local_date: date, status: PostStatus, what: str,
                      **values: object) -> bool:
        cols = "".join(f", {k} = ${i}" for i, k in enumerate(values, start=4))
        return await self._execute(
            f"UPDATE posts SET status = $1{cols} WHERE channel_id = $2 AND local_date = $3 AND status = 'claimed'",
            status.value, channel_id, local_date, *values.values(), what=what) == 1

    async def confirm(self, channel_id: int, local_date: date, message_id: int, now: datetime) -> bool:
        """See `bot.daily.backend.Store`."""
        return await self._finish(channel_id, local_date, PostStatus.POSTED, "confirm", message_id=message_id,
                                  posted_at=as_utc(now), error=None)

    async def fail(self, channel_id: int, local_date: date, error: str, retry_at: datetime | None) -> bool:
        """See `bot.daily.backend.Store`."""
        return await self._finish(channel_id, local_date, PostStatus.FAILED, "fail", error=error,
                                  retry_at=as_utc(retry_at))

    async def mark_unconfirmed(self, channel_id: int, local_date: date, error: str) -> bool:
        """See `bot.daily.backend.Store`."""
        return await self._finish(channel_id, local_date, PostStatus.UNCONFIRMED, "mark_unconfirmed", error=error)

    async def fail_and_pause(self, channel_id: int, local_date: date, reason: str, now: datetime) -> None:
        """See `bot.daily.backend.Store`."""

        async def pause(conn: asyncpg.Connection) -> None:
            async with conn.transaction():
                await conn.execute(
                    """UPDATE posts SET status = 'failed', error = $1, retry_at = NULL
                       WHERE channel_id = $2 AND local_date = $3 AND status = 'claimed'""",
                    reason, channel_id, local_date)
                await conn.execute("UPDATE channels SET paused_reason = $1, updated_at = $2 WHERE channel_id = $3",
                                   reason, as_utc(now), channel_id)

        await self.run(pause, "fail_and_pause")

    async def skip(self, channel_id: int, local_date: date, reason: str) -> bool:
        """See `bot.daily.backend.Store`."""
        return await self._execute(
            """INSERT INTO posts (channel_id, local_date, status, error) VALUES ($1, $2, 'skipped', $3)
               ON CONFLICT (channel_id, local_date) DO UPDATE SET
                 status = 'skipped',
                 error = EXCLUDED.error || ' (last error: ' || COALESCE(posts.error, '?') || ')',
                 retry_at = NULL
               WHERE posts.status = 'failed'""",
            channel_id, local_date, reason, what="skip") == 1

    # -- answer feedback -----------------------------------------------------------------------------

    async def feedback_enabled(self, guild_id: int) -> bool:
        """See `bot.daily.feedback.FeedbackStore`."""
        rows = await self._fetch("SELECT enabled FROM feedback_guilds WHERE guild_id = $1", guild_id,
                                 what="feedback_enabled")
        return bool(rows and rows[0]["enabled"])

    async def set_feedback(self, guild_id: int, enabled: bool, now: datetime, updated_by: int | None = None) -> None:
        """See `bot.daily.feedback.FeedbackStore`."""
        await self._execute(
            """INSERT INTO feedback_guilds (guild_id, enabled, updated_at, updated_by) VALUES ($1, $2, $3, $4)
               ON CONFLICT (guild_id) DO UPDATE SET enabled = EXCLUDED.enabled,
                 updated_at = EXCLUDED.updated_at, updated_by = EXCLUDED.updated_by""",
            guild_id, enabled, as_utc(now), updated_by, what="set_feedback")

    async def _insert_miss(self, miss: Miss, voter: tuple[int, int] | None, before: datetime, what: str) -> bool:
        async def insert(conn: asyncpg.Connection) -> bool:
            async with conn.transaction():
                await conn.execute("DELETE FROM misses WHERE at < $1", as_utc(before))
                hashed = None
                if voter is not None:
                    hashed = voter_hash(await conn.fetchval("SELECT salt FROM feedback_salt"), *voter)
                status = await conn.execute(
                    """INSERT INTO misses (guild_id, question, kind, sources, voter, at)
                       VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (voter) DO NOTHING""",
                    miss.guild_id, miss.question, miss.kind, miss.sources, hashed, as_utc(miss.at))
                return _count(status) == 1

        return await self.run(insert, what)

    async def add_miss(self, miss: Miss, before: datetime) -> None:
        """See `bot.daily.feedback.FeedbackStore`."""
        await self._insert_miss(miss, None, before, "add_miss")

    async def add_press(self, miss: Miss, user_id: int, message_id: int, before: datetime) -> bool:
        """See `bot.daily.feedback.FeedbackStore`."""
        return await self._insert_miss(miss, (user_id, message_id), before, "add_press")

    async def expire_feedback(self, before: datetime) -> int:
        """See `bot.daily.feedback.FeedbackStore`."""
        return await self._execute("DELETE FROM misses WHERE at < $1", as_utc(before), what="expire_feedback")

    async def misses(self, since: datetime, guild_id: int | None = None) -> list[Miss]:
        """See `bot.daily.feedback.FeedbackStore`."""
        rows = await self._fetch(
            """SELECT guild_id, question, kind, sources, voter IS NOT NULL AS pressed, at FROM misses
               WHERE at >= $1 AND ($2::bigint IS NULL OR guild_id = $2) ORDER BY at""",
            as_utc(since), guild_id, what="misses")
        return [Miss(r["question"], r["kind"], r["at"], r["guild_id"], r["sources"], r["pressed"]) for r in rows]
