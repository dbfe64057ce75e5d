"""The PostgreSQL schema of the daily store, its migrations, and what its errors are called.

The table `daily_schema` holds the application name and the schema version; `MIGRATIONS[i]` takes version
i to i+1. At start-up `migrate()` runs every pending migration in one transaction under an advisory lock
(`pg_advisory_xact_lock`), so processes starting together migrate once and a failed migration leaves
nothing behind. A database whose `channels` or `posts` tables belong to another program, or whose schema
is newer than this bot, is refused and left untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

import asyncpg

from bot.daily.store import FULL, LOCKED, READ_ONLY, UNREACHABLE, StoreError

log = logging.getLogger(__name__)

APPLICATION = "discord-bot daily posts"
LOCK_CLASS = 0x41534E42  # "ASNB": the first key of every advisory lock this bot takes (int4)
MIGRATION_LOCK = 0  # second key of the lock held while migrating; instance numbers are 1 .. 2**31 - 1

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE daily_schema (
            singleton   BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
            application TEXT NOT NULL,
            version     INTEGER NOT NULL
        )""",
        """CREATE TABLE channels (
            channel_id    BIGINT PRIMARY KEY,
            guild_id      BIGINT,
            post_time     TEXT NOT NULL,
            timezone      TEXT NOT NULL,
            enabled       BOOLEAN NOT NULL DEFAULT TRUE,
            paused_reason TEXT,
            source        TEXT NOT NULL DEFAULT 'admin' CHECK (source IN ('admin', 'config')),
            since         TIMESTAMPTZ NOT NULL,
            updated_at    TIMESTAMPTZ NOT NULL,
            updated_by    BIGINT
        )""",
        "CREATE INDEX channels_guild ON channels (guild_id)",
        """CREATE TABLE posts (
            id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            channel_id  BIGINT NOT NULL,
            local_date  DATE NOT NULL,
            status      TEXT NOT NULL
                        CHECK (status IN ('claimed', 'posted', 'failed', 'skipped', 'unconfirmed')),
            spotlight   TEXT,
            nonce       TEXT,
            message_id  BIGINT,
            attempts    INTEGER NOT NULL DEFAULT 0,
            claimed_at  TIMESTAMPTZ,
            posted_at   TIMESTAMPTZ,
            retry_at    TIMESTAMPTZ,
            error       TEXT,
            claimed_by  INTEGER,
            UNIQUE (channel_id, local_date)
        )""",
        "CREATE INDEX posts_status ON posts (status)",
    ),
    (  # 2: answer feedback (bot.daily.feedback)
        """CREATE TABLE feedback_guilds (
            guild_id   BIGINT PRIMARY KEY,
            enabled    BOOLEAN NOT NULL,
            updated_at TIMESTAMPTZ NOT NULL,
            updated_by BIGINT
        )""",
        """CREATE TABLE feedback_salt (
            singleton BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (singleton),
            salt      TEXT NOT NULL
        )""",
        "INSERT INTO feedback_salt (salt) VALUES (md5(random()::text || clock_timestamp()::text))",
        """CREATE TABLE misses (
            id       BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
            guild_id BIGINT,
            question TEXT NOT NULL,
            kind     TEXT NOT NULL,
            sources  TEXT NOT NULL DEFAULT '',
            voter    TEXT UNIQUE,
            at       TIMESTAMPTZ NOT NULL
        )""",
        "CREATE INDEX misses_at ON misses (at)",
    ),
)
SCHEMA_VERSION = len(MIGRATIONS)

_CAUSES: tuple[tuple[tuple[type[BaseException], ...], str], ...] = (
    ((asyncpg.InvalidPasswordError, asyncpg.InvalidAuthorizationSpecificationError),
     "the server refused the user name or password"),
    ((asyncpg.InvalidCatalogNameError,), "the database does not exist"),
    ((asyncpg.InsufficientPrivilegeError,), "permission denied"),
    ((asyncpg.ReadOnlySQLTransactionError,), READ_ONLY),
    ((asyncpg.DiskFullError,), FULL),
    ((asyncpg.SerializationError, asyncpg.DeadlockDetectedError, asyncpg.LockNotAvailableError), LOCKED),
    ((asyncpg.TooManyConnectionsError,), "the server has no connection to spare (max_connections)"),
    ((OSError, TimeoutError, asyncpg.PostgresConnectionError, asyncpg.CannotConnectNowError,
      asyncpg.ConnectionDoesNotExistError, asyncpg.AdminShutdownError), UNREACHABLE),
)
ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError)


def cause_of(exc: BaseException) -> str:
    """A short name for what went wrong ("the database server cannot be reached")."""
    for kinds, cause in _CAUSES:
        if isinstance(exc, kinds):
            return cause
    return one_line(exc)


def one_line(exc: BaseException) -> str:
    """The error's message on one line."""
    return " ".join(str(exc).split()) or type(exc).__name__


async def migrate(conn: asyncpg.Connection, fail: Callable[[str], StoreError], where: str) -> None:
    """Bring the schema to `SCHEMA_VERSION`; `fail(problem)` makes the error for a database that is not ours."""
    async with conn.transaction():
        await conn.execute("SELECT pg_advisory_xact_lock($1, $2)", LOCK_CLASS, MIGRATION_LOCK)
        if await conn.fetchval("SELECT to_regclass('daily_schema') IS NULL"):
            taken = "SELECT to_regclass('channels') IS NOT NULL OR to_regclass('posts') IS NOT NULL"
            if await conn.fetchval(taken):
                raise fail("it has tables named channels or posts of another program")
            version = 0
        else:
            row = await conn.fetchrow("SELECT application, version FROM daily_schema")
            if row is None or row["application"] != APPLICATION:
                raise fail("its daily_schema table belongs to another program")
            version = row["version"]
        if version > SCHEMA_VERSION:
            raise fail(f"schema version {version} is newer than this bot understands ({SCHEMA_VERSION})")
        for target in range(version + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[target - 1]:
                await conn.execute(statement)
            await conn.execute(
                """INSERT INTO daily_schema (application, version) VALUES ($1, $2)
                   ON CONFLICT (singleton) DO UPDATE SET version = EXCLUDED.version""", APPLICATION, target)
            log.info("daily store %s migrated to schema version %d", where, target)


async def check_writable(conn: asyncpg.Connection) -> None:
    """Write the schema version back, rolled back: no write permission fails here, not at the first post."""
    tx = conn.transaction()
    await tx.start()
    try:
        await conn.execute("UPDATE daily_schema SET version = version")
        await conn.execute("UPDATE channels SET guild_id = guild_id WHERE false")
        await conn.execute("UPDATE posts SET status = status WHERE false")
    finally:
        await tx.rollback()
