"""`python -m bot store migrate --from FILE --to URL`: copy a SQLite store into a PostgreSQL one.

Every channel setting and every post-history row is copied, with its timestamps; rows the target already
has (the same channel, or the same channel and local date) are left as they are, so running it again
changes nothing and a half-finished run can simply be repeated. All rows go in one transaction.
The SQLite file must exist; it is opened (and upgraded to the current schema, as the bot would) but
not otherwise changed. Stop the bot before migrating, so that no post happens in between.
"""

from __future__ import annotations

import argparse
import asyncio
import sqlite3
import sys
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import asyncpg

from bot.daily.dburl import is_postgres_url, redact
from bot.daily.pgschema import ERRORS
from bot.daily.pgstore import PgStore, as_utc
from bot.daily.store import SCHEMA_VERSION, StoreError

EXIT_USAGE = 2

CHANNEL_COLUMNS = ("channel_id", "guild_id", "post_time", "timezone", "enabled", "paused_reason", "source",
                   "since", "updated_at", "updated_by")
POST_COLUMNS = ("channel_id", "local_date", "status", "spotlight", "nonce", "message_id", "attempts",
                "claimed_at", "posted_at", "retry_at", "error")
TIMES = frozenset({"since", "updated_at", "claimed_at", "posted_at", "retry_at"})


@dataclass(frozen=True, slots=True)
class Copied:
    """How many rows were read from SQLite and how many of them were new to PostgreSQL."""

    channels: int
    channels_new: int
    posts: int
    posts_new: int

    def summary(self, source: Path, target: str) -> str:
        """One line for the operator."""
        return (f"{source} -> {redact(target)}: {self.channels_new} of {self.channels} channel settings and "
                f"{self.posts_new} of {self.posts} post-history rows copied "
                f"({self.channels - self.channels_new + self.posts - self.posts_new} already there, left as they were)")


def _value(column: str, value: object) -> object:
    """A SQLite value as the PostgreSQL column takes it."""
    if value is None:
        return None
    if column in TIMES:
        return as_utc(datetime.fromisoformat(str(value)))
    if column == "local_date":
        return date.fromisoformat(str(value))
    if column == "enabled":
        return bool(value)
    return value


def _insert(table: str, columns: tuple[str, ...], key: str) -> str:
    marks = ", ".join(f"${i}" for i in range(1, len(columns) + 1))
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks}) ON CONFLICT ({key}) DO NOTHING"


def _read(source: Path) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """Every row of a SQLite store's `channels` and `posts`, read without writing to the file (a backup or a
    read-only copy works; a store of an older schema is upgraded by opening it with the bot once)."""
    try:
        db = sqlite3.connect(f"{source.resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error as exc:
        raise StoreError(f"daily-summary database {source}: {exc}") from None
    db.row_factory = sqlite3.Row
    try:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        if version != SCHEMA_VERSION:
            raise StoreError(f"daily-summary database {source}: schema version {version}, this bot reads "
                             f"{SCHEMA_VERSION}; start the bot on it once (or use a matching version)")
        channels = [dict(r) for r in db.execute("SELECT * FROM channels ORDER BY channel_id")]
        posts = [dict(r) for r in db.execute("SELECT * FROM posts ORDER BY channel_id, local_date")]
    except sqlite3.Error as exc:
        raise StoreError(f"daily-summary database {source}: {exc}") from None
    finally:
        db.close()
    return channels, posts


async def migrate(source: Path, target: str) -> Copied:
    """Copy every row of the SQLite store `source` into the PostgreSQL store `target`; `StoreError` if unusable."""
    if not source.is_file():
        raise StoreError(f"daily-summary database {source}: no such file", "no such file")
    channels, posts = _read(source)
    store = await PgStore.open(target)

    async def copy(conn: asyncpg.Connection) -> Copied:
        new = {"channels": 0, "posts": 0}
        async with conn.transaction():
            for table, rows, columns, key in (("channels", channels, CHANNEL_COLUMNS, "channel_id"),
                                              ("posts", posts, POST_COLUMNS, "channel_id, local_date")):
                sql = _insert(table, columns, key)
                for row in rows:
                    status = await conn.execute(sql, *(_value(c, row[c]) for c in columns))
                    new[table] += int(status.split()[-1])
        return Copied(len(channels), new["channels"], len(posts), new["posts"])

    try:
        return await store.run(copy, "migrate")
    finally:
        await store.close()


def store_main(args: argparse.Namespace) -> int:
    """Entry point of `python -m bot store ...`; returns the exit status."""
    if not is_postgres_url(args.target):
        print(f"error: --to: expected a postgresql:// URL, got {redact(args.target)!r}", file=sys.stderr)
        return EXIT_USAGE
    try:
        copied = asyncio.run(migrate(args.source, args.target))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except ERRORS as exc:  # a row PostgreSQL refuses: name it, change nothing (one transaction)
        print(f"error: {redact(args.target)}: {' '.join(str(exc).split())}; nothing was copied", file=sys.stderr)
        return EXIT_USAGE
    print(copied.summary(args.source, args.target))
    return 0
