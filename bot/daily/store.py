"""SQLite storage for daily-post settings and history (stdlib `sqlite3`, WAL, one transaction per change).

Tables: `channels` (one row per configured channel; `/daily off` only clears `enabled`, so settings are
never deleted) and `posts` (one row per channel and local date, `UNIQUE(channel_id, local_date)`, so
the database itself refuses a second post for the same day). The schema version is `PRAGMA
user_version`; `MIGRATIONS[i]` takes version i to i+1 inside one transaction, so an upgrade either
happens completely or not at all. `PRAGMA application_id` marks the file as ours.

A file that is not a SQLite database, is corrupt, belongs to another program or comes from a newer
version raises one `StoreError` naming the file and what to do; the file is never modified, deleted or
recreated in that case, so saved settings are never lost silently.

Opening checks that the file can be written (a read-only file or folder is refused at start, not at
the first post) and creates a missing file `0600` in folders made `0700`: it holds server settings.

All calls here are synchronous and short (a few rows) and run on the thread that opened the store; the
bot never calls them on its event loop but through `bot.daily.aiostore.AsyncStore`, which owns a
worker thread and this connection. Every `sqlite3` error becomes a `StoreError` whose `cause` names it
("the database is locked", "the disk is full", "the database is read-only").
"""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time
from pathlib import Path

from bot.daily.feedback import Miss, voter_hash
from bot.daily.schedule import ChannelSchedule, PostRecord, PostStatus, format_time, parse_time

log = logging.getLogger(__name__)

APPLICATION_ID = 0x41534E42  # "ASNB"

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE channels (
            channel_id    INTEGER PRIMARY KEY,
            guild_id      INTEGER,
            post_time     TEXT NOT NULL,
            timezone      TEXT NOT NULL,
            enabled       INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
            paused_reason TEXT,
            source        TEXT NOT NULL DEFAULT 'admin' CHECK (source IN ('admin', 'config')),
            since         TEXT NOT NULL,
            updated_at    TEXT NOT NULL,
            updated_by    INTEGER
        )""",
        "CREATE INDEX channels_guild ON channels (guild_id)",
        """CREATE TABLE posts (
            id          INTEGER PRIMARY KEY,
            channel_id  INTEGER NOT NULL,
            local_date  TEXT NOT NULL,
            status      TEXT NOT NULL
                        CHECK (status IN ('claimed', 'posted', 'failed', 'skipped', 'unconfirmed')),
            spotlight   TEXT,
            nonce       TEXT,
            message_id  INTEGER,
            attempts    INTEGER NOT NULL DEFAULT 0,
            claimed_at  TEXT,
            posted_at   TEXT,
            retry_at    TEXT,
            error       TEXT,
            UNIQUE (channel_id, local_date)
        )""",
        "CREATE INDEX posts_status ON posts (status)",
    ),
    (  # 2: answer feedback (bot.daily.feedback)
        """CREATE TABLE feedback_guilds (
            guild_id   INTEGER PRIMARY KEY,
            enabled    INTEGER NOT NULL CHECK (enabled IN (0, 1)),
            updated_at TEXT NOT NULL,
            updated_by INTEGER
        )""",
        """CREATE TABLE feedback_salt (
            singleton INTEGER PRIMARY KEY CHECK (singleton = 1),
            salt      TEXT NOT NULL
        )""",
        "INSERT INTO feedback_salt (singleton, salt) VALUES (1, lower(hex(randomblob(16))))",
        """CREATE TABLE misses (
            id       INTEGER PRIMARY KEY,
            guild_id INTEGER,
            question TEXT NOT NULL,
            kind     TEXT NOT NULL,
            sources  TEXT NOT NULL DEFAULT '',
            voter    TEXT UNIQUE,
            at       TEXT NOT NULL
        )""",
        "CREATE INDEX misses_at ON misses (at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)
BUSY_TIMEOUT = 5.0  # seconds SQLite waits for another connection's write lock (AsyncStore passes a short one)

LOCKED, FULL, READ_ONLY = "the database is locked", "the disk is full", "the database is read-only"
UNREACHABLE = "the database server cannot be reached"  # PostgreSQL only (bot.daily.pgstore)
TRANSIENT = frozenset({LOCKED, UNREACHABLE})
_CAUSES = {
    "SQLITE_BUSY": LOCKED, "SQLITE_LOCKED": LOCKED, "SQLITE_FULL": FULL, "SQLITE_READONLY": READ_ONLY,
    "SQLITE_IOERR": "the disk cannot be read or written", "SQLITE_CANTOPEN": "the file cannot be opened",
    "SQLITE_PERM": "permission denied", "SQLITE_CORRUPT": "the file is corrupt",
}


def cause_of(exc: sqlite3.Error) -> str:
    """A short name for what went wrong ("the database is locked"), from the SQLite error code."""
    name = getattr(exc, "sqlite_errorname", "") or ""
    for prefix, cause in _CAUSES.items():
        if name == prefix or name.startswith(prefix + "_"):
            return cause
    return str(exc) or type(exc).__name__


class StoreError(Exception):
    """The daily-summary database cannot be opened or written; the message says which file and why.

    `cause` is the short reason shown to admins ("the database is locked", "the disk is full", ...).
    """

    def __init__(self, message: str, cause: str | None = None) -> None:
        super().__init__(message)
        self.cause = cause or message

    @property
    def transient(self) -> bool:
        """True when trying again in a moment may work: another connection holds a lock, or the server is away."""
        return self.cause in TRANSIENT


def _ts(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _dt(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


class DailyStore:
    """Settings and post history in one SQLite file. Open with `DailyStore(path)`; `close()` when done."""

    def __init__(self, path: Path | str, *, busy_timeout: float = BUSY_TIMEOUT) -> None:
        self.path = Path(path)
        self.busy_timeout = busy_timeout
        self._db = self._open()

    # -- opening and migrations -------------------------------------------------------------------

    def _fail(self, problem: str, cause: str | None = None) -> StoreError:
        return StoreError(
            f"daily-summary database {self.path}: {problem}. The file was left untouched: fix or restore it, "
            "or move it aside to start with empty settings.", cause,
        )

    def _error(self, exc: sqlite3.Error) -> StoreError:
        """A `StoreError` for an error while the bot runs, named by its cause."""
        cause = cause_of(exc)
        return StoreError(f"daily-summary database {self.path}: {cause} ({exc})", cause)

    def _create(self) -> None:
        """Create missing folders (mode 0700) and the file itself (mode 0600); existing ones keep their modes."""
        missing = [d for d in (self.path.parent, *self.path.parent.parents) if not d.exists()]
        try:
            for folder in reversed(missing):
                folder.mkdir(mode=0o700)
        except OSError as exc:
            raise self._fail(f"cannot create its directory ({exc.strerror or exc})") from None
        try:
            os.close(os.open(self.path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
        except FileExistsError:
            pass
        except OSError as exc:
            raise self._fail(f"cannot create the file ({exc.strerror or exc})") from None

    def _open(self) -> sqlite3.Connection:
        if str(self.path) != ":memory:":
            self._create()
        try:
            db = _connect(str(self.path), self.busy_timeout)
        except sqlite3.Error as exc:
            raise self._fail(f"cannot open ({exc})", cause_of(exc)) from None
        try:
            db.row_factory = sqlite3.Row
            check = db.execute("PRAGMA quick_check").fetchone()[0]
            if check != "ok":
                raise self._fail(f"the file is corrupt (quick_check: {check})")
            app_id = db.execute("PRAGMA application_id").fetchone()[0]
            version = db.execute("PRAGMA user_version").fetchone()[0]
            if app_id not in (0, APPLICATION_ID) or (app_id == 0 and version == 0 and _has_tables(db)):
                raise self._fail("this is a SQLite database of another program")
            if version > SCHEMA_VERSION:
                raise self._fail(f"schema version {version} is newer than this bot understands ({SCHEMA_VERSION})")
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = FULL")
            self._migrate(db, version)
            self._check_writable(db)
        except sqlite3.Error as exc:
            db.close()
            cause = cause_of(exc)
            if cause == READ_ONLY:
                raise self._fail("the database is read-only, so no setting or post could be saved; "
                                 "make the file and its folder writable for the bot", cause) from None
            raise self._fail(f"cannot read ({exc})", cause) from None
        except StoreError:
            db.close()
            raise
        return db

    def _check_writable(self, db: sqlite3.Connection) -> None:
        """Write the schema version back, rolled back: a read-only file fails here, not at the first post.

        A lock held by another connection is no reason to refuse to start: it is logged, and writes are retried.
        """
        try:
            db.execute("BEGIN IMMEDIATE")
        except sqlite3.OperationalError as exc:
            if cause_of(exc) != LOCKED:
                raise
            log.warning("daily store %s: %s at start-up; writes will be retried", self.path, LOCKED)
            return
        try:
            db.execute(f"PRAGMA user_version = {int(db.execute('PRAGMA user_version').fetchone()[0])}")
        finally:
            db.execute("ROLLBACK")

    @staticmethod
    def _migrate(db: sqlite3.Connection, version: int) -> None:
        for target in range(version + 1, SCHEMA_VERSION + 1):
            db.execute("BEGIN IMMEDIATE")
            try:
                for statement in MIGRATIONS[target - 1]:
                    db.execute(statement)
                db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
                db.execute(f"PRAGMA user_version = {target}")
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")
            log.info("daily store migrated to schema version %d", target)

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    @property
    def schema_version(self) -> int:
        """The schema version of the open file."""
        return int(self._rows("PRAGMA user_version")[0][0])

    @contextmanager
    def _tx(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is committed, or none of it."""
        try:
            self._db.execute("BEGIN IMMEDIATE")
        except sqlite3.Error as exc:
            raise self._error(exc) from None
        try:
            yield self._db
            self._db.execute("COMMIT")
        except BaseException as exc:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            if isinstance(exc, sqlite3.Error):
                raise self._error(exc) from None
            raise

    def _rows(self, sql: str, params: tuple[object, ...] = ()) -> list[sqlite3.Row]:
        """Run a query and fetch every row; errors become `StoreError`."""
        try:
            return self._db.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise self._error(exc) from None

    def dump(self) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
        """Every row of `channels` and of `posts`, as column -> value (for `python -m bot store migrate`)."""
        channels = self._rows("SELECT * FROM channels ORDER BY channel_id")
        posts = self._rows("SELECT * FROM posts ORDER BY channel_id, local_date")
        return [dict(r) for r in channels], [dict(r) for r in posts]

    # -- channel settings ---------------------------------------------------------------------------

    @staticmethod
    def _schedule(row: sqlite3.Row) -> ChannelSchedule:
        return ChannelSchedule(
            channel_id=row["channel_id"],
            guild_id=row["guild_id"],
            post_time=parse_time(row["post_time"]),
            timezone=row["timezone"],
            since=datetime.fromisoformat(row["since"]),
            enabled=bool(row["enabled"]),
            paused_reason=row["paused_reason"],
            source=row["source"],
        )

    def channels(self, guild_id: int | None = None) -> list[ChannelSchedule]:
        """Every configured channel (enabled or not), or those of one guild."""
        if guild_id is None:
            rows = self._rows("SELECT * FROM channels ORDER BY channel_id")
        else:
            rows = self._rows("SELECT * FROM channels WHERE guild_id = ? ORDER BY channel_id", (guild_id,))
        return [self._schedule(r) for r in rows]

    def channel(self, channel_id: int) -> ChannelSchedule | None:
        """One channel's settings, if it was ever configured."""
        rows = self._rows("SELECT * FROM channels WHERE channel_id = ?", (channel_id,))
        return self._schedule(rows[0]) if rows else None

    def set_channel(
        self, channel_id: int, guild_id: int | None, post_time: time, timezone: str, now: datetime,
        updated_by: int | None = None,
    ) -> ChannelSchedule:
        """Configure (or re-enable and un-pause) a channel from `/daily set`; slots before `now` do not count."""
        with self._tx() as db:
            db.execute(
                """INSERT INTO channels (channel_id, guild_id, post_time, timezone, enabled, paused_reason,
                                         source, since, updated_at, updated_by)
                   VALUES (?, ?, ?, ?, 1, NULL, 'admin', ?, ?, ?)
                   ON CONFLICT (channel_id) DO UPDATE SET
                     guild_id = COALESCE(excluded.guild_id, guild_id), post_time = excluded.post_time,
                     timezone = excluded.timezone, enabled = 1, paused_reason = NULL, source = 'admin',
                     since = excluded.since, updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
                (channel_id, guild_id, format_time(post_time), timezone, _ts(now), _ts(now), updated_by),
            )
        result = self.channel(channel_id)
        assert result is not None
        return result

    def seed_config_channel(
        self, channel_id: int, guild_id: int | None, post_time: time, timezone: str, now: datetime
    ) -> str:
        """Apply a channel listed in the config file: "added", "updated" (config changed) or "kept".

        A channel an admin changed with `/daily` keeps the admin's settings; a disabled or paused one
        stays so. Only the time and zone of rows that came from the config follow the config.
        """
        with self._tx() as db:
            row = db.execute("SELECT * FROM channels WHERE channel_id = ?", (channel_id,)).fetchone()
            if row is None:
                db.execute(
                    """INSERT INTO channels (channel_id, guild_id, post_time, timezone, source, since, updated_at)
                       VALUES (?, ?, ?, ?, 'config', ?, ?)""",
                    (channel_id, guild_id, format_time(post_time), timezone, _ts(now), _ts(now)),
                )
                return "added"
            if row["source"] != "config" or (row["post_time"], row["timezone"]) == (format_time(post_time), timezone):
                return "kept"
            db.execute(
                "UPDATE channels SET post_time = ?, timezone = ?, since = ?, updated_at = ? WHERE channel_id = ?",
                (format_time(post_time), timezone, _ts(now), _ts(now), channel_id),
            )
            return "updated"

    def set_guild(self, channel_id: int, guild_id: int) -> None:
        """Fill in the guild of a channel (config-listed channels may not name it)."""
        with self._tx() as db:
            db.execute("UPDATE channels SET guild_id = ? WHERE channel_id = ?", (guild_id, channel_id))

    def disable(self, channel_ids: list[int], now: datetime, updated_by: int | None = None) -> int:
        """`/daily off`: stop posting to these channels, keeping their settings. Returns how many changed."""
        with self._tx() as db:
            changed = 0
            for cid in channel_ids:
                cur = db.execute(
                    """UPDATE channels SET enabled = 0, source = 'admin', updated_at = ?, updated_by = ?
                       WHERE channel_id = ? AND enabled = 1""",
                    (_ts(now), updated_by, cid),
                )
                changed += cur.rowcount
            return changed

    # -- post history --------------------------------------------------------------------------------

    @staticmethod
    def _record(row: sqlite3.Row) -> PostRecord:
        return PostRecord(
            channel_id=row["channel_id"],
            local_date=date.fromisoformat(row["local_date"]),
            status=PostStatus(row["status"]),
            message_id=row["message_id"],
            nonce=row["nonce"],
            spotlight=row["spotlight"],
            attempts=row["attempts"],
            claimed_at=_dt(row["claimed_at"]),
            posted_at=_dt(row["posted_at"]),
            retry_at=_dt(row["retry_at"]),
            error=row["error"],
        )

    def history(self, from_date: date) -> dict[tuple[int, date], PostRecord]:
        """Every post row on or after `from_date`, plus every unresolved claim, keyed by (channel, local date)."""
        rows = self._rows("SELECT * FROM posts WHERE local_date >= ? OR status = 'claimed'", (from_date.isoformat(),))
        return {(r["channel_id"], date.fromisoformat(r["local_date"])): self._record(r) for r in rows}

    def record(self, channel_id: int, local_date: date) -> PostRecord | None:
        """The row of one channel and local date."""
        rows = self._rows("SELECT * FROM posts WHERE channel_id = ? AND local_date = ?",
                          (channel_id, local_date.isoformat()))
        return self._record(rows[0]) if rows else None

    def recent(self, channel_id: int, limit: int = 5) -> list[PostRecord]:
        """A channel's latest rows, newest first."""
        rows = self._rows("SELECT * FROM posts WHERE channel_id = ? ORDER BY local_date DESC LIMIT ?",
                          (channel_id, limit))
        return [self._record(r) for r in rows]

    def claimed(self) -> list[PostRecord]:
        """Posts claimed but never confirmed: the bot stopped while sending them."""
        return [self._record(r) for r in self._rows("SELECT * FROM posts WHERE status = 'claimed'")]

    def claim(
        self, channel_id: int, local_date: date, now: datetime, nonce: str, spotlight: str | None = None
    ) -> PostRecord | None:
        """Reserve the post of (channel, local date) before sending it; None when it is not free.

        Succeeds when the day has no row, or its row is `failed` (a retry). The row is committed before
        this returns, so a crash after sending can never make the same day look unposted.
        """
        with self._tx() as db:
            cur = db.execute(
                """INSERT INTO posts (channel_id, local_date, status, spotlight, nonce, attempts, claimed_at)
                   VALUES (?, ?, 'claimed', ?, ?, 1, ?)
                   ON CONFLICT (channel_id, local_date) DO UPDATE SET
                     status = 'claimed', spotlight = excluded.spotlight, attempts = attempts + 1,
                     claimed_at = excluded.claimed_at, retry_at = NULL
                   WHERE posts.status = 'failed'""",
                (channel_id, local_date.isoformat(), spotlight, nonce, _ts(now)),
            )
            if cur.rowcount != 1:
                return None
        return self.record(channel_id, local_date)

    def _finish(self, channel_id: int, local_date: date, status: PostStatus, **values: object) -> bool:
        cols = ", ".join(f"{k} = ?" for k in values)
        with self._tx() as db:
            cur = db.execute(
                f"UPDATE posts SET status = ?{', ' + cols if cols else ''} "
                "WHERE channel_id = ? AND local_date = ? AND status = 'claimed'",
                (status.value, *values.values(), channel_id, local_date.isoformat()),
            )
            return cur.rowcount == 1

    def confirm(self, channel_id: int, local_date: date, message_id: int, now: datetime) -> bool:
        """Record the sent message of a claimed post."""
        return self._finish(channel_id, local_date, PostStatus.POSTED, message_id=message_id, posted_at=_ts(now),
                            error=None)

    def fail(self, channel_id: int, local_date: date, error: str, retry_at: datetime | None) -> bool:
        """A claimed post was not sent; it may be tried again from `retry_at` while in the grace window."""
        return self._finish(channel_id, local_date, PostStatus.FAILED, error=error, retry_at=_ts(retry_at))

    def mark_unconfirmed(self, channel_id: int, local_date: date, error: str) -> bool:
        """A claimed post may or may not have been sent and nobody can tell: count it as posted."""
        return self._finish(channel_id, local_date, PostStatus.UNCONFIRMED, error=error)

    def fail_and_pause(self, channel_id: int, local_date: date, reason: str, now: datetime) -> None:
        """The post cannot be sent until an admin acts: fail it and pause the channel, in one transaction."""
        with self._tx() as db:
            db.execute(
                """UPDATE posts SET status = 'failed', error = ?, retry_at = NULL
                   WHERE channel_id = ? AND local_date = ? AND status = 'claimed'""",
                (reason, channel_id, local_date.isoformat()),
            )
            db.execute(
                "UPDATE channels SET paused_reason = ?, updated_at = ? WHERE channel_id = ?",
                (reason, _ts(now), channel_id),
            )

    def skip(self, channel_id: int, local_date: date, reason: str) -> bool:
        """Record that a day is not posted (missed past the grace window); False if it already has a final row."""
        with self._tx() as db:
            cur = db.execute(
                """INSERT INTO posts (channel_id, local_date, status, error) VALUES (?, ?, 'skipped', ?)
                   ON CONFLICT (channel_id, local_date) DO UPDATE SET
                     status = 'skipped', error = excluded.error || ' (last error: ' || COALESCE(error, '?') || ')',
                     retry_at = NULL
                   WHERE posts.status = 'failed'""",
                (channel_id, local_date.isoformat(), reason),
            )
            return cur.rowcount == 1


    # -- answer feedback -----------------------------------------------------------------------------

    def feedback_enabled(self, guild_id: int) -> bool:
        """Whether the server turned misses on (off by default)."""
        rows = self._rows("SELECT enabled FROM feedback_guilds WHERE guild_id = ?", (guild_id,))
        return bool(rows and rows[0]["enabled"])

    def set_feedback(self, guild_id: int, enabled: bool, now: datetime, updated_by: int | None = None) -> None:
        """Turn misses on or off for a server."""
        with self._tx() as db:
            db.execute(
                """INSERT INTO feedback_guilds (guild_id, enabled, updated_at, updated_by) VALUES (?, ?, ?, ?)
                   ON CONFLICT (guild_id) DO UPDATE SET enabled = excluded.enabled,
                     updated_at = excluded.updated_at, updated_by = excluded.updated_by""",
                (guild_id, int(enabled), _ts(_utc(now)), updated_by),
            )

    def _insert_miss(self, db: sqlite3.Connection, miss: Miss, voter: str | None, before: datetime) -> bool:
        db.execute("DELETE FROM misses WHERE at < ?", (_ts(_utc(before)),))
        cur = db.execute(
            """INSERT INTO misses (guild_id, question, kind, sources, voter, at) VALUES (?, ?, ?, ?, ?, ?)
               ON CONFLICT (voter) DO NOTHING""",
            (miss.guild_id, miss.question, miss.kind, miss.sources, voter, _ts(_utc(miss.at))),
        )
        return cur.rowcount == 1

    def add_miss(self, miss: Miss, before: datetime) -> None:
        """Store an automatic miss, deleting rows written before `before`."""
        with self._tx() as db:
            self._insert_miss(db, miss, None, before)

    def add_press(self, miss: Miss, user_id: int, message_id: int, before: datetime) -> bool:
        """Store a press once per (user, message), keeping only their salted hash; False for a repeat."""
        with self._tx() as db:
            salt = db.execute("SELECT salt FROM feedback_salt").fetchone()["salt"]
            return self._insert_miss(db, miss, voter_hash(salt, user_id, message_id), before)

    def expire_feedback(self, before: datetime) -> int:
        """Delete rows written before `before`; how many."""
        with self._tx() as db:
            return db.execute("DELETE FROM misses WHERE at < ?", (_ts(_utc(before)),)).rowcount

    def misses(self, since: datetime, guild_id: int | None = None) -> list[Miss]:
        """Rows written at or after `since`, of one server or every one."""
        sql = "SELECT guild_id, question, kind, sources, voter IS NOT NULL AS pressed, at FROM misses WHERE at >= ?"
        params: tuple[object, ...] = (_ts(_utc(since)),)
        if guild_id is not None:
            sql, params = sql + " AND guild_id = ?", (*params, guild_id)
        return [Miss(r["question"], r["kind"], datetime.fromisoformat(r["at"]), r["guild_id"], r["sources"],
                     bool(r["pressed"])) for r in self._rows(sql + " ORDER BY at", params)]


def _utc(value: datetime) -> datetime:
    """Aware times in UTC (naive ones taken as UTC), so that stored text compares in time order."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _connect(path: str, busy_timeout: float) -> sqlite3.Connection:
    """Open the file. The connection stays on the thread that opened it (sqlite3's `check_same_thread`)."""
    return sqlite3.connect(path, isolation_level=None, timeout=busy_timeout)


def _has_tables(db: sqlite3.Connection) -> bool:
    return db.execute("SELECT count(*) FROM sqlite_master WHERE type = 'table'").fetchone()[0] > 0
