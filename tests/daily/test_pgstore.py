"""PostgreSQL only: one claim wins across processes, live claims are left alone, migrations, failures, and
`python -m bot store migrate` from a populated SQLite file (every row, and nothing more the second time)."""

from __future__ import annotations

import asyncio
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date, time, timedelta
from pathlib import Path

import asyncpg
import pytest

from bot.config import ConfigError, parse_settings
from bot.daily import pgschema
from bot.daily.backend import open_store
from bot.daily.dburl import is_postgres_url, redact
from bot.daily.pgschema import SCHEMA_VERSION
from bot.daily.pgstore import PgStore
from bot.daily.schedule import PostStatus
from bot.daily.service import RECHECK, DailyService, nonce_for
from bot.daily.store import UNREACHABLE, DailyStore, StoreError
from tests.daily.conftest import GRACE, FakeClock, FakePoster, spotlight, utc
from tests.daily.pgserver import PgServer

NOW = utc(2024, 6, 1, 8, 0)
DAY = date(2024, 6, 1)
ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("url,shown", [
    ("postgresql://bot:s3cret@db:5432/daily?sslmode=require", "postgresql://bot:***@db:5432/daily?sslmode=require"),
    ("postgres://bot@/daily?host=/run/postgresql", "postgres://bot@/daily?host=/run/postgresql"),
    ("postgresql://bot:s3cret@[bad/daily", "postgresql://(a malformed URL)"),
    ("postgresql://bot:s3cret@db:port/daily", "postgresql://(a malformed URL)"),
    ("postgresql://bot@db/daily?password=s3cret&sslmode=require", "postgresql://bot@db/daily?password=***&sslmode=require"),
    ("postgresql://bot:s3cret@[::1]:5432/daily", "postgresql://bot:***@[::1]:5432/daily"),
])
def test_urls_are_shown_without_their_password(url: str, shown: str) -> None:
    assert is_postgres_url(url) and redact(url) == shown


def test_database_url_selects_postgresql_and_nothing_else(monkeypatch) -> None:
    monkeypatch.delenv("BOT_DATABASE_URL", raising=False)
    assert parse_settings({"database_path": "x.sqlite3"}).database == Path("x.sqlite3")
    assert parse_settings({"database_url": "postgresql://u@h/d"}).database == "postgresql://u@h/d"
    monkeypatch.setenv("BOT_DATABASE_URL", "postgresql://u:pw@h/d")
    assert parse_settings({}).database == "postgresql://u:pw@h/d"
    with pytest.raises(ConfigError, match=r"database_url: expected a postgresql:// URL.*'mysql://u:\*\*\*@h/d'"):
        parse_settings({"database_url": "mysql://u:pw@h/d"})
    assert not is_postgres_url(Path("postgresql://x")) and not is_postgres_url("data/bot.sqlite3")


@pytest.fixture
def fresh_name(pg: PgServer, request) -> str:
    """The name of a new, empty database for this test."""
    name = f"t_{abs(hash(request.node.nodeid)) % 10**9}"
    pg.create_database(name)
    return name


@pytest.fixture
def fresh(pg: PgServer, fresh_name: str) -> str:
    """The URL of that database."""
    return pg.url(fresh_name)


async def test_of_many_processes_claiming_one_slot_exactly_one_wins(fresh: str) -> None:
    stores = [await PgStore.open(fresh) for _ in range(6)]  # six processes: six pools, six instance locks
    try:
        for attempt in range(3):  # the free slot, then twice a failed one: each time one winner
            day = DAY + timedelta(days=attempt)
            results = await asyncio.gather(*(s.claim(10, day, NOW, "n") for s in stores))
            assert sum(r is not None for r in results) == 1
            await stores[0].fail(10, day, "503", None)
            again = await asyncio.gather(*(s.claim(10, day, NOW, "n") for s in stores))
            winners = [r for r in again if r is not None]
            assert len(winners) == 1 and winners[0].attempts == 2
    finally:
        for s in stores:
            await s.close()


async def test_a_claim_whose_reply_was_lost_is_still_this_processs_claim(fresh: str, monkeypatch) -> None:
    store = await PgStore.open(fresh)
    other = await PgStore.open(fresh)
    try:
        run = store.run

        async def reply_lost_once(fn, what="a query"):  # the first attempt commits, its answer never arrives
            if what == "claim" and not getattr(reply_lost_once, "done", False):
                reply_lost_once.done = True  # type: ignore[attr-defined]
                await run(fn, what)
            return await run(fn, what)

        monkeypatch.setattr(store, "run", reply_lost_once)
        mine = await store.claim(10, DAY, NOW, "n")
        assert mine is not None and mine.status is PostStatus.CLAIMED
        assert await other.claim(10, DAY, NOW, "n") is None  # another process's identical claim is not its own
    finally:
        await store.close()
        await other.close()


async def test_a_running_processs_claim_is_not_recovered_by_another(fresh: str) -> None:
    sending = await PgStore.open(fresh)
    starting = await PgStore.open(fresh)
    try:
        await sending.claim(10, DAY, NOW, "n")
        assert await starting.claimed() == []  # still being sent by a live process: not ours to resolve
        assert [r.channel_id for r in await sending.claimed()] == []  # nor our own live claim
    finally:
        await sending.close()  # the process ends (or dies: the server drops its lock with the connection)
    try:
        (rec,) = await starting.claimed()
        assert rec.status is PostStatus.CLAIMED and rec.channel_id == 10
    finally:
        await starting.close()


async def test_a_lost_instance_lock_is_taken_again_before_the_next_claim(fresh: str) -> None:
    store = await PgStore.open(fresh)
    other = await PgStore.open(fresh)
    try:
        first = store.instance
        assert store._lease is not None
        store._lease.terminate()  # as when the server restarts
        await store.claim(10, DAY, NOW, "n")
        assert store.instance != first and store.instance != 0
        assert await other.claimed() == []
    finally:
        await store.close()
        await other.close()


async def test_the_database_itself_refuses_a_second_row_for_a_day(fresh: str) -> None:
    store = await PgStore.open(fresh)
    await store.claim(10, DAY, NOW, "n")
    await store.close()
    conn = await asyncpg.connect(fresh)
    try:
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute("INSERT INTO posts (channel_id, local_date, status) VALUES (10, $1, 'posted')", DAY)
    finally:
        await conn.close()


async def test_two_processes_starting_together_migrate_once(fresh: str) -> None:
    a, b = await asyncio.gather(PgStore.open(fresh), PgStore.open(fresh))
    await a.close()
    await b.close()
    conn = await asyncpg.connect(fresh)
    try:
        assert await conn.fetchval("SELECT version FROM daily_schema") == SCHEMA_VERSION
        assert await conn.fetchval("SELECT count(*) FROM daily_schema") == 1
    finally:
        await conn.close()
    await (await PgStore.open(fresh)).close()  # a third start finds nothing to do


async def test_a_failed_migration_leaves_nothing_behind(fresh: str, monkeypatch) -> None:
    monkeypatch.setattr(pgschema, "MIGRATIONS", ((pgschema.MIGRATIONS[0][0], "CREATE TABLE oops ("),))
    monkeypatch.setattr(pgschema, "SCHEMA_VERSION", 1)
    with pytest.raises(StoreError):
        await PgStore.open(fresh)
    conn = await asyncpg.connect(fresh)
    try:
        assert await conn.fetchval("SELECT count(*) FROM pg_tables WHERE schemaname = 'public'") == 0
    finally:
        await conn.close()
    monkeypatch.undo()
    await (await PgStore.open(fresh)).close()  # a later good start migrates normally


@pytest.mark.parametrize("sql,problem", [
    ("CREATE TABLE posts (id int)", "another program"),
    ("CREATE TABLE daily_schema (singleton bool PRIMARY KEY, application text, version int);"
     f"INSERT INTO daily_schema VALUES (true, '{pgschema.APPLICATION}', 99)", "newer"),
    ("CREATE TABLE daily_schema (singleton bool PRIMARY KEY, application text, version int);"
     "INSERT INTO daily_schema VALUES (true, 'billing', 1)", "another program"),
])
async def test_a_database_that_is_not_ours_or_newer_is_refused_untouched(pg: PgServer, fresh_name: str,
                                                                          fresh: str, sql, problem) -> None:
    pg.execute(fresh_name, sql)
    with pytest.raises(StoreError, match=problem):
        await PgStore.open(fresh)
    conn = await asyncpg.connect(fresh)
    try:
        tables = {r[0] for r in await conn.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")}
    finally:
        await conn.close()
    assert "channels" not in tables


async def test_a_user_who_may_only_read_is_refused_at_start_up(pg: PgServer, fresh_name: str, fresh: str) -> None:
    name = fresh_name
    await (await PgStore.open(fresh)).close()  # the schema exists
    pg.execute(name, "DROP ROLE IF EXISTS reader; CREATE ROLE reader LOGIN; GRANT SELECT ON ALL TABLES IN SCHEMA "
                     "public TO reader")
    with pytest.raises(StoreError) as info:
        await PgStore.open(pg.url(name, user="reader"))
    assert info.value.cause == "permission denied" and "\n" not in str(info.value)


async def test_an_unreachable_server_is_one_line_without_the_password(tmp_path) -> None:
    url = f"postgresql://bot:s3cret@/daily?host={tmp_path}&port=5432"  # no server on that socket
    with pytest.raises(StoreError) as info:
        await open_store(url)
    message = str(info.value)
    assert info.value.cause == UNREACHABLE and info.value.transient
    assert "s3cret" not in message and "\n" not in message and "bot:***@" in message


async def test_calls_after_the_server_went_away_raise_store_errors_not_driver_errors(fresh: str) -> None:
    store = await PgStore.open(fresh, retries=())
    try:
        assert store._pool is not None
        store._pool.terminate()  # every pooled connection gone, as when the server is unreachable
        with pytest.raises(StoreError):
            await store.channels()
    finally:
        await store.close()


def populated_sqlite(path: Path) -> DailyStore:
    s = DailyStore(path)
    s.set_channel(10, 1, time(9, 0), "Asia/Seoul", NOW, updated_by=42)
    s.set_channel(20, 2, time(18, 30), "America/New_York", NOW)
    s.seed_config_channel(30, None, time(7, 15), "UTC", NOW)
    s.disable([20], NOW, updated_by=7)
    s.claim(10, DAY, NOW, "n10", "item-1")
    s.confirm(10, DAY, 555, NOW + timedelta(seconds=2))
    s.claim(20, DAY, NOW, "n20")
    s.fail_and_pause(20, DAY, "Missing Permissions", NOW)
    s.skip(30, DAY, "skipped: the bot was not running")
    s.claim(10, DAY + timedelta(days=1), NOW, "n11")  # a claim the old process never finished
    return s


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, stdin=subprocess.DEVNULL)


async def test_store_migrate_copies_every_row_and_a_second_run_changes_nothing(tmp_path, fresh: str) -> None:
    path = tmp_path / "bot.sqlite3"
    s = populated_sqlite(path)
    channels, posts = s.dump()
    expected = ({c.channel_id: c for c in s.channels()}, s.history(date(2000, 1, 1)))
    s.close()
    before = path.read_bytes()

    first = await asyncio.to_thread(run_cli, "store", "migrate", "--from", str(path), "--to", fresh)
    assert first.returncode == 0, first.stderr
    assert "3 of 3 channel settings and 4 of 4 post-history rows copied (0 already there" in first.stdout
    assert path.read_bytes() == before  # the source is only read: not migrated, not checked by a test write

    async def snapshot() -> tuple[list[asyncpg.Record], list[asyncpg.Record]]:
        conn = await asyncpg.connect(fresh)
        try:
            return (await conn.fetch("SELECT * FROM channels ORDER BY channel_id"),
                    await conn.fetch("SELECT * FROM posts ORDER BY id"))
        finally:
            await conn.close()

    before = await snapshot()
    store = await open_store(fresh)
    try:
        assert {c.channel_id: c for c in await store.channels()} == expected[0]
        assert await store.history(date(2000, 1, 1)) == expected[1]
        assert [(r.channel_id, r.local_date) for r in await store.claimed()] == [(10, DAY + timedelta(days=1))]
    finally:
        await store.close()
    by_id = {r["channel_id"]: r for r in before[0]}
    for row in channels:  # the columns the interface does not show came along too
        assert by_id[row["channel_id"]]["updated_by"] == row["updated_by"]
        assert by_id[row["channel_id"]]["updated_at"].isoformat() == row["updated_at"]
    assert len(before[1]) == len(posts)

    second = await asyncio.to_thread(run_cli, "store", "migrate", "--from", str(path), "--to", fresh)
    assert second.returncode == 0, second.stderr
    assert "0 of 3 channel settings and 0 of 4 post-history rows copied (7 already there" in second.stdout
    assert await snapshot() == before


def test_store_migrate_from_a_missing_file_or_to_no_server_is_one_line_exit_2(tmp_path) -> None:
    missing = run_cli("store", "migrate", "--from", str(tmp_path / "none.sqlite3"), "--to", "postgresql://x@/y")
    assert missing.returncode == 2 and missing.stderr.count("\n") == 1 and "no such file" in missing.stderr
    path = tmp_path / "bot.sqlite3"
    DailyStore(path).close()
    away = run_cli("store", "migrate", "--from", str(path), "--to", f"postgresql://u:pw@/y?host={tmp_path}")
    assert away.returncode == 2 and away.stderr.count("\n") == 1 and UNREACHABLE in away.stderr
    assert "pw" not in away.stderr.replace("postgresql", "")
    assert sqlite3.connect(path).execute("SELECT count(*) FROM channels").fetchone()[0] == 0


async def test_a_claim_left_by_a_process_that_stops_later_is_recovered_at_the_next_pass(fresh: str) -> None:
    """B starts while A is sending: B leaves A's claim alone but looks again `RECHECK` later, not at its next slot
    (an hour or a day away, past the grace window); A then dies unconfirmed, and that next pass resolves the claim
    (A's post is not in the channel) and posts within the grace window, once."""
    clock = FakeClock(utc(2024, 6, 1, 9, 0, 5))
    poster = FakePoster(clock)
    a, b = await PgStore.open(fresh), await PgStore.open(fresh)
    await a.set_channel(10, 1, time(9, 0), "UTC", utc(2024, 6, 1))
    await a.claim(10, DAY, clock(), nonce_for(10, DAY))
    passes: list[float] = []

    async def waiter(seconds: float, event: asyncio.Event) -> None:
        passes.append(seconds)
        if len(passes) == 1:
            claim = await b.record(10, DAY)
            assert poster.posts() == [] and claim is not None and claim.status is PostStatus.CLAIMED
            await a.close()  # A dies before sending
        elif poster.posts() or len(passes) > 5:
            raise asyncio.CancelledError
        clock.advance(seconds)  # the loop sleeps as long as it asked

    service = DailyService(b, poster, spotlight, grace=GRACE, clock=clock, waiter=waiter)
    try:
        with pytest.raises(asyncio.CancelledError):
            await service.run()
        assert passes[0] == pytest.approx(RECHECK.total_seconds(), abs=0.1)  # A's claim, looked at again soon
        assert len(poster.posts(10)) == 1 and len(passes) == 2
        assert poster.posts(10)[0].at < utc(2024, 6, 1, 9, 1)
        rec = await b.record(10, DAY)
        assert rec is not None and rec.status is PostStatus.POSTED and rec.attempts == 2
    finally:
        await b.close()


async def test_only_a_claim_still_in_time_and_not_this_processs_own_is_looked_at_again(fresh: str) -> None:
    clock = FakeClock(utc(2024, 6, 1, 9, 0, 5))
    a, b = await PgStore.open(fresh), await PgStore.open(fresh)
    try:
        await a.set_channel(10, 1, time(9, 0), "UTC", utc(2024, 6, 1))
        await a.claim(10, DAY, clock(), nonce_for(10, DAY))
        service = DailyService(b, FakePoster(clock), spotlight, grace=GRACE, clock=clock)
        assert await service.next_wakeup() == clock() + RECHECK  # another process's claim, in time: soon
        service.posting.add((10, DAY))
        assert await service.next_wakeup() != clock() + RECHECK  # this process's own post: nothing to recover
        service.posting.clear()
        clock.advance((GRACE + RECHECK).total_seconds())
        assert await service.next_wakeup() != clock() + RECHECK  # past the grace window: too late to post it
    finally:
        await a.close()
        await b.close()


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
async def test_a_process_killed_holding_a_claim_frees_it_at_once(pg: PgServer, fresh: str) -> None:
    store = await PgStore.open(fresh)
    child = textwrap.dedent("""
        import asyncio, os, signal, sys
        from datetime import date, datetime, UTC
        from bot.daily.pgstore import PgStore

        async def main():
            store = await PgStore.open(sys.argv[1])
            await store.claim(10, date(2024, 6, 1), datetime.now(UTC), "n")
            os.kill(os.getpid(), signal.SIGKILL)

        asyncio.run(main())
    """)
    try:
        done = await asyncio.to_thread(subprocess.run, [sys.executable, "-c", child, fresh], cwd=ROOT,
                                       capture_output=True, text=True, timeout=60)
        assert done.returncode == -signal.SIGKILL, done.stderr
        async with asyncio.timeout(10):  # the server ends the dead session as soon as it sees the socket close
            while not await store.claimed():
                await asyncio.sleep(0.01)
        (rec,) = await store.claimed()
        assert (rec.channel_id, rec.status) == (10, PostStatus.CLAIMED)
    finally:
        await store.close()
