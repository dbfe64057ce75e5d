"""The async store: one thread of its own runs every query and closes the connection; the loop never waits."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time as clock
from datetime import time

import pytest

from bot.daily.aiostore import CLOSED, AsyncStore
from bot.daily.store import LOCKED, READ_ONLY, DailyStore, StoreError
from tests.daily.conftest import utc

NOW = utc(2024, 6, 1, 8, 0)


async def test_every_query_runs_on_the_stores_own_thread(db_path) -> None:
    store = await AsyncStore.open(db_path)
    seen: set[int] = set()
    try:
        for _ in range(3):
            seen.add(await store.run(lambda _db: threading.get_ident()))
        await store.set_channel(10, 1, time(9), "UTC", NOW)
        assert [c.channel_id for c in await store.channels()] == [10]
    finally:
        await store.close()
    assert len(seen) == 1 and threading.get_ident() not in seen
    assert not any(t.ident in seen for t in threading.enumerate())  # the thread ended with the store


async def test_close_runs_the_queued_calls_first_then_refuses_new_ones(db_path) -> None:
    """Closing while calls are pending never closes the connection under a query (what crashed the process)."""
    store = await AsyncStore.open(db_path)
    await store.set_channel(10, 1, time(9), "UTC", NOW)
    pending = [asyncio.ensure_future(store.channels()) for _ in range(200)]
    await asyncio.sleep(0)  # every call is on the worker's queue
    await store.close()
    assert all(len(p.result()) == 1 for p in pending)
    with pytest.raises(StoreError) as info:
        await store.channel(10)
    assert info.value.cause == CLOSED
    await store.close()  # twice is harmless


async def test_close_while_a_cancelled_task_still_waits_for_its_query(db_path) -> None:
    store = await AsyncStore.open(db_path)
    started = threading.Event()

    def slow(db: DailyStore) -> int:
        started.set()
        clock.sleep(0.2)
        return len(db.channels())

    task = asyncio.ensure_future(store.run(slow))
    await asyncio.to_thread(started.wait, 5)
    task.cancel()
    await store.close()  # waits for the query on the worker thread, then closes there
    with pytest.raises(asyncio.CancelledError):
        await task


async def test_a_locked_database_is_retried_off_the_loop_then_named(db_path) -> None:
    DailyStore(db_path).close()
    pauses: list[float] = []

    async def sleep(seconds: float) -> None:
        pauses.append(seconds)
        await asyncio.sleep(0)

    store = await AsyncStore.open(db_path, retries=(0.05, 0.1), sleep=sleep)
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        with pytest.raises(StoreError) as info:
            await store.set_channel(10, 1, time(9), "UTC", NOW)
        assert info.value.cause == LOCKED and pauses == [0.05, 0.1]
        assert await store.channels() == []  # reading works while another connection writes
    finally:
        locker.close()
        await store.close()


async def test_a_lock_released_during_the_retries_lets_the_write_through(db_path) -> None:
    DailyStore(db_path).close()
    locker = sqlite3.connect(db_path, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN IMMEDIATE")

    async def sleep(seconds: float) -> None:
        locker.execute("ROLLBACK")

    store = await AsyncStore.open(db_path, retries=(0.05,), sleep=sleep)
    try:
        await store.set_channel(10, 1, time(9), "UTC", NOW)
        assert (await store.channel(10)) is not None
    finally:
        locker.close()
        await store.close()


async def test_an_unusable_database_fails_to_open_and_leaves_no_thread(tmp_path, monkeypatch) -> None:
    from bot.daily import store as store_mod

    path = tmp_path / "daily.sqlite3"
    DailyStore(path).close()
    monkeypatch.setattr(store_mod, "_connect", lambda p, timeout: sqlite3.connect(
        f"file:{p}?mode=ro", uri=True, isolation_level=None, timeout=timeout))
    before = {t.ident for t in threading.enumerate()}
    with pytest.raises(StoreError) as info:
        await AsyncStore.open(path)
    assert info.value.cause == READ_ONLY
    await asyncio.sleep(0.05)
    assert {t.ident for t in threading.enumerate() if t.name.startswith("daily-store")} - before == set()


async def test_the_loop_keeps_running_while_a_write_waits_for_a_lock(db_path) -> None:
    DailyStore(db_path).close()
    store = await AsyncStore.open(db_path)  # the bot's settings: a short busy timeout, a few retries
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    worst, beats = 0.0, 0

    async def heartbeat() -> None:
        nonlocal worst, beats
        while True:
            before = clock.perf_counter()
            await asyncio.sleep(0.005)
            worst = max(worst, clock.perf_counter() - before - 0.005)
            beats += 1

    beat = asyncio.ensure_future(heartbeat())
    try:
        start = clock.perf_counter()
        with pytest.raises(StoreError, match="locked"):
            await store.set_channel(10, 1, time(9), "UTC", NOW)
        waited = clock.perf_counter() - start
    finally:
        beat.cancel()
        locker.close()
        await store.close()
    assert 0.3 < waited < 3.0  # gave up after a few short tries, not SQLite's five seconds
    assert beats > 20 and worst < 0.05, f"the loop was blocked for {worst * 1000:.0f} ms"
