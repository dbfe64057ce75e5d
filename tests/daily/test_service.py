"""The scheduler with an injected clock and a fake Discord: exactly once across restarts, errors, DST."""

from __future__ import annotations

import asyncio
import logging
import sqlite3
from collections.abc import Callable
from datetime import date, datetime, timedelta

import pytest

from bot.daily.aiostore import AsyncStore
from bot.daily.schedule import PostStatus
from bot.daily.service import (
    CannotCheck,
    ChannelGone,
    DailyService,
    NoPermission,
    TransientPostError,
    marker_for,
    nonce_for,
)
from bot.daily.store import FULL, LOCKED, READ_ONLY, UNREACHABLE
from tests.daily.conftest import GRACE, Backend, FlakyStore, Harness, spotlight, utc


@pytest.fixture
async def sqlite_harness(db_path, clock, poster):
    """A harness on SQLite only, for what only SQLite does (another process's write lock)."""
    h = await Harness(Backend("sqlite", db_path), clock, poster).start()
    yield h
    await h.close()


def times(h: Harness, channel_id: int) -> list:
    """When each post to a channel was sent, to the second (the scheduler wakes 50 ms after a slot)."""
    return [s.at.replace(microsecond=0) for s in h.poster.posts(channel_id)]


def local_post_dates(h: Harness, channel_id: int, tz: str) -> list[date]:
    from zoneinfo import ZoneInfo

    return [s.at.astimezone(ZoneInfo(tz)).date() for s in h.poster.posts(channel_id)]


async def test_two_guilds_different_times_and_zones(harness: Harness) -> None:
    harness.add(10, "09:00", "Asia/Seoul", guild_id=1)  # clock starts 2024-06-01 00:00 UTC = 09:00 KST
    harness.add(20, "18:30", "America/New_York", guild_id=2)
    await harness.run_until(harness.clock() + timedelta(days=3))
    assert times(harness, 10) == [utc(2024, 6, 1, 0, 0), utc(2024, 6, 2, 0, 0),
                                                       utc(2024, 6, 3, 0, 0)]
    assert times(harness, 20) == [utc(2024, 6, 1, 22, 30), utc(2024, 6, 2, 22, 30),
                                                       utc(2024, 6, 3, 22, 30)]
    assert harness.poster.posts(10)[0].marker == "Daily spotlight · 2024-06-01"
    assert harness.poster.posts(20)[0].marker == "Daily spotlight · 2024-06-01"


async def test_utc_plus_9_posts_once_a_day_and_sleeps_in_between(harness: Harness) -> None:
    """No flood of posts: UTC+9 and UTC+14 channels post once per local day over 10 days, few wake-ups."""
    harness.clock.set(utc(2024, 6, 1, 1, 0))
    harness.add(10, "09:00", "Asia/Seoul")
    harness.add(11, "00:30", "Asia/Tokyo")
    harness.add(12, "23:59", "Pacific/Kiritimati")
    harness.service.max_sleep = 2 * 86400.0  # no hourly safety wake-up, to count only the scheduled ones
    wakes = await harness.run_until(harness.clock() + timedelta(days=10))
    for cid, tz in ((10, "Asia/Seoul"), (11, "Asia/Tokyo"), (12, "Pacific/Kiritimati")):
        days = local_post_dates(harness, cid, tz)
        assert len(days) == len(set(days)) == 10, (cid, days)
    assert harness.poster.calls == 30
    assert wakes <= 10 * 3 + 1, wakes  # one wake-up per post, nothing in between
    harness.service.max_sleep = 3600.0
    assert await harness.service.sleep_seconds() == 3600.0  # the real loop also wakes hourly, never more often


async def test_dst_zone_across_the_change(harness: Harness) -> None:
    harness.clock.set(utc(2024, 3, 29, 12, 0))
    harness.add(10, "09:00", "Europe/Berlin")  # CET -> CEST on 2024-03-31
    await harness.run_until(utc(2024, 4, 2, 12, 0))
    assert times(harness, 10) == [
        utc(2024, 3, 30, 8, 0), utc(2024, 3, 31, 7, 0), utc(2024, 4, 1, 7, 0), utc(2024, 4, 2, 7, 0)]


async def test_dst_time_that_does_not_exist_posts_once_after_the_jump(harness: Harness) -> None:
    harness.clock.set(utc(2024, 3, 9, 12, 0))
    harness.add(11, "02:30", "America/New_York")  # 02:00 -> 03:00 on 2024-03-10
    await harness.run_until(utc(2024, 3, 12, 0, 0))
    assert times(harness, 11) == [utc(2024, 3, 10, 7, 30), utc(2024, 3, 11, 6, 30)]


async def test_dst_time_that_happens_twice_posts_once(harness: Harness) -> None:
    harness.clock.set(utc(2024, 11, 2, 12, 0))
    harness.add(11, "01:30", "America/New_York")  # 01:00-02:00 twice on 2024-11-03
    await harness.run_until(utc(2024, 11, 4, 12, 0))
    assert times(harness, 11) == [utc(2024, 11, 3, 5, 30), utc(2024, 11, 4, 6, 30)]


@pytest.mark.parametrize("stop,back,posted_at", [
    ((8, 55, 0), (8, 58, 0), (9, 0, 0)),  # restart before post time
    ((8, 59, 59), (9, 0, 0), (9, 0, 0)),  # restart at post time
    ((9, 0, 1), (9, 0, 2), (9, 0, 0)),  # restart right after posting: no second post
    ((8, 30, 0), (9, 30, 0), (9, 30, 0)),  # down at post time, back within the grace window: posted late
    ((8, 30, 0), (10, 30, 0), None),  # back after the grace window: skipped
])
async def test_restart_before_at_and_after_post_time(harness: Harness, stop, back, posted_at) -> None:
    harness.clock.set(utc(2024, 6, 1, 0, 0))
    harness.add(10, "09:00", "UTC")
    await harness.run_until(utc(2024, 6, 1, *stop))
    await harness.restart()
    harness.clock.set(utc(2024, 6, 1, *back))
    await harness.run_until(utc(2024, 6, 1, 12, 0))
    await harness.restart()
    await harness.run_until(utc(2024, 6, 2, 8, 0))
    assert times(harness, 10) == ([utc(2024, 6, 1, *posted_at)] if posted_at else [])
    rec = harness.store.record(10, date(2024, 6, 1))
    assert rec.status is (PostStatus.POSTED if posted_at else PostStatus.SKIPPED)


async def test_restart_many_times_a_day_never_posts_twice(harness: Harness) -> None:
    harness.clock.set(utc(2024, 6, 1, 0, 0))
    harness.add(10, "09:00", "Asia/Seoul")
    harness.add(20, "12:00", "UTC", guild_id=2)
    for _ in range(48):  # restart every 30 minutes for a day
        await harness.restart()
        await harness.run_until(harness.clock() + timedelta(minutes=30))
    assert len(harness.poster.posts(10)) == 1 and len(harness.poster.posts(20)) == 1


async def test_down_at_post_time_posts_on_startup_within_grace_and_logs_it(harness: Harness, caplog) -> None:
    harness.clock.set(utc(2024, 6, 1, 0, 0))
    harness.add(10, "09:00", "UTC")
    await harness.restart()
    harness.clock.set(utc(2024, 6, 1, 9, 40))
    with caplog.at_level(logging.INFO, logger="bot.daily.service"):
        await harness.run_until(utc(2024, 6, 1, 10, 0))
    assert times(harness, 10) == [utc(2024, 6, 1, 9, 40)]
    assert "after its time" in caplog.text


async def test_down_past_the_grace_window_skips_the_day_and_logs_which(harness: Harness, caplog) -> None:
    harness.clock.set(utc(2024, 6, 1, 0, 0))
    harness.add(10, "09:00", "UTC")
    await harness.restart()
    harness.clock.set(utc(2024, 6, 1, 10, 30))
    with caplog.at_level(logging.WARNING, logger="bot.daily.service"):
        await harness.run_until(utc(2024, 6, 2, 9, 30))
    assert times(harness, 10) == [utc(2024, 6, 2, 9, 0)]
    assert "2024-06-01 skipped: the bot was not running at post time" in caplog.text
    assert harness.store.record(10, date(2024, 6, 1)).status is PostStatus.SKIPPED


@pytest.mark.parametrize("error", [ChannelGone("Unknown Channel"), NoPermission("Missing Permissions")])
async def test_channel_gone_or_permission_missing_pauses_only_that_channel(harness: Harness, error, caplog) -> None:
    harness.clock.set(utc(2024, 6, 1, 0, 0))
    harness.add(10, "09:00", "UTC", guild_id=1)
    harness.add(20, "09:00", "UTC", guild_id=2)
    harness.poster.errors[10] = [error]
    with caplog.at_level(logging.WARNING):
        await harness.run_until(utc(2024, 6, 4, 0, 0))
    assert harness.poster.calls == 1 + 3  # one failed try for channel 10, never repeated; 3 posts for 20
    assert len(harness.poster.posts(20)) == 3
    paused = harness.store.channel(10)
    assert not paused.active and str(error) in paused.paused_reason
    assert "paused" in caplog.text
    harness.store.set_channel(10, 1, paused.post_time, "UTC", harness.clock())  # an admin fixes it: /daily set
    await harness.run_until(utc(2024, 6, 5, 0, 0))
    assert len(harness.poster.posts(10)) == 1


async def test_server_errors_and_rate_limits_retried_with_backoff(harness: Harness) -> None:
    harness.clock.set(utc(2024, 6, 1, 8, 0))
    harness.add(10, "09:00", "UTC")
    harness.poster.errors[10] = [TransientPostError("503 Service Unavailable"), TransientPostError("429 Too Many")]
    await harness.run_until(utc(2024, 6, 1, 10, 0))
    assert harness.sleeps == [2.0, 4.0]
    assert len(harness.poster.posts(10)) == 1
    assert harness.store.record(10, date(2024, 6, 1)).status is PostStatus.POSTED


async def test_persistent_server_errors_retry_later_then_skip(harness: Harness) -> None:
    harness.clock.set(utc(2024, 6, 1, 8, 0))
    harness.add(10, "09:00", "UTC")
    harness.poster.errors[10] = [TransientPostError("502 Bad Gateway")] * 3
    await harness.run_until(utc(2024, 6, 1, 9, 5))
    rec = harness.store.record(10, date(2024, 6, 1))
    assert rec.status is PostStatus.FAILED and rec.retry_at is not None
    await harness.run_until(utc(2024, 6, 1, 9, 30))  # retried after RetryPolicy.later, succeeds
    assert len(harness.poster.posts(10)) == 1
    assert harness.store.record(10, date(2024, 6, 1)).attempts == 2

    harness.poster.errors[10] = [TransientPostError("500")] * 100
    await harness.run_until(utc(2024, 6, 2, 12, 0))
    assert harness.store.record(10, date(2024, 6, 2)).status is PostStatus.SKIPPED
    assert harness.poster.calls < 40  # bounded: a few tries every 10 minutes for an hour


class Killed(BaseException):
    """Stands for the process dying: not an `Exception`, so no handler in the service catches it."""


async def test_crash_after_sending_before_confirming_never_posts_twice(harness: Harness) -> None:
    harness.clock.set(utc(2024, 6, 1, 9, 0))
    harness.add(10, "09:00", "UTC", since=utc(2024, 6, 1))
    real_send = harness.poster.send

    async def send_then_die(*args, **kw):
        await real_send(*args, **kw)
        raise Killed("killed right after posting")

    harness.poster.send = send_then_die
    await harness.service.tick()
    assert harness.store.record(10, date(2024, 6, 1)).status is PostStatus.CLAIMED
    harness.poster.send = real_send
    harness.clock.advance(20)
    await harness.restart()
    outcomes = await harness.service.reconcile()
    assert [o.result for o in outcomes] == ["found"]
    await harness.run_until(utc(2024, 6, 1, 12, 0), reconcile=False)
    assert len(harness.poster.posts(10)) == 1
    rec = harness.store.record(10, date(2024, 6, 1))
    assert rec.status is PostStatus.POSTED and rec.message_id == harness.poster.posts(10)[0].message_id


async def test_crash_after_claiming_before_sending_posts_once_on_restart(harness: Harness) -> None:
    harness.clock.set(utc(2024, 6, 1, 9, 0))
    harness.add(10, "09:00", "UTC", since=utc(2024, 6, 1))
    harness.store.claim(10, date(2024, 6, 1), harness.clock(), nonce_for(10, date(2024, 6, 1)))
    await harness.restart()
    harness.clock.advance(60)
    await harness.run_until(utc(2024, 6, 1, 12, 0))
    assert len(harness.poster.posts(10)) == 1
    assert harness.poster.posts(10)[0].nonce == nonce_for(10, date(2024, 6, 1))


async def test_unfinished_post_that_cannot_be_checked_counts_as_posted(harness: Harness, caplog) -> None:
    harness.clock.set(utc(2024, 6, 1, 9, 0))
    harness.add(10, "09:00", "UTC", since=utc(2024, 6, 1))
    harness.store.claim(10, date(2024, 6, 1), harness.clock(), nonce_for(10, date(2024, 6, 1)))
    await harness.restart()
    harness.poster.find_error = CannotCheck("Missing Access: Read Message History")
    with caplog.at_level(logging.WARNING):
        await harness.run_until(utc(2024, 6, 2, 9, 30))
    assert harness.store.record(10, date(2024, 6, 1)).status is PostStatus.UNCONFIRMED
    assert times(harness, 10) == [utc(2024, 6, 2, 9, 0)]  # the next day is normal
    assert "counted as posted" in caplog.text


async def test_markers_and_nonces_are_stable_and_short() -> None:
    assert marker_for(date(2020, 6, 22)) == "Daily spotlight · 2020-06-22"
    n = nonce_for(123456789012345678, date(2020, 6, 22))
    assert len(n) == 25 and n == nonce_for(123456789012345678, date(2020, 6, 22))
    assert n != nonce_for(123456789012345678, date(2020, 6, 23))


async def test_run_loop_sleeps_until_the_next_slot_and_wakes_on_settings_change(harness: Harness) -> None:
    harness.clock.set(utc(2024, 6, 1, 8, 0))
    harness.add(10, "09:00", "UTC")
    waits: list[float] = []

    async def waiter(seconds: float, event: asyncio.Event) -> None:
        waits.append(seconds)
        if len(waits) == 2:
            harness.add(20, "09:30", "UTC")  # /daily set while sleeping ...
            harness.service.wake()  # ... wakes the loop to re-plan
            assert event.is_set()
            return
        if len(waits) >= 5:
            raise asyncio.CancelledError
        harness.clock.advance(seconds)

    harness.service.waiter = waiter
    with pytest.raises(asyncio.CancelledError):
        await harness.service.run()
    assert waits[0] == pytest.approx(3600.0, abs=0.1)  # 08:00 -> 09:00
    assert len(harness.poster.posts(10)) == 1 and len(harness.poster.posts(20)) == 1
    assert harness.service.wakeups == 5


async def test_spotlight_failure_is_recorded_not_fatal(harness: Harness) -> None:
    def broken(day: date):
        raise KeyError("missing section")

    harness.clock.set(utc(2024, 6, 1, 9, 0))
    harness.add(10, "09:00", "UTC", since=utc(2024, 6, 1))
    svc = DailyService(harness.db, harness.poster, broken, grace=GRACE, clock=harness.clock)
    outcomes = await svc.tick()
    assert [o.result for o in outcomes] == ["failed"]
    assert harness.poster.calls == 0
    svc.spotlight = spotlight
    harness.clock.advance(11 * 60)
    assert [o.result for o in await svc.tick()] == ["posted"]


SLOT = utc(2024, 6, 1, 9, 0)
RECOVERED = SLOT + timedelta(minutes=10)


def flaky(harness: Harness, cause: str, until: datetime = RECOVERED) -> None:
    """From now on the service's store refuses every write with `cause` until `until` (on the fake clock)."""
    harness.open_store = lambda target: FlakyStore.open(target, clock=harness.clock, until=until, cause=cause)


def locked_until(harness: Harness, until: datetime) -> tuple[Callable[[], None], Callable[[], None]]:
    """Another connection holds the SQLite write lock from the slot to `until`; returns (before each tick, release)."""
    locker = sqlite3.connect(harness.target, isolation_level=None)
    state = {"held": False}

    def step() -> None:
        if not state["held"] and SLOT <= harness.clock() < until:
            locker.execute("BEGIN IMMEDIATE")
            state["held"] = True
        elif state["held"] and harness.clock() >= until:
            locker.execute("ROLLBACK")
            state["held"] = False

    def release() -> None:
        if state["held"]:
            locker.execute("ROLLBACK")
        locker.close()

    harness.open_store = lambda path: AsyncStore.open(path, busy_timeout=0.01, retries=())
    return step, release


@pytest.mark.parametrize("cause", [FULL, READ_ONLY, UNREACHABLE])
@pytest.mark.parametrize("restart_during_outage", [False, True])
async def test_a_store_failing_for_ten_minutes_after_the_slot_still_posts_once_on_recovery(
        harness: Harness, caplog, cause, restart_during_outage) -> None:
    """The claim is retried with backoff while the database refuses writes; the post goes out once it recovers."""
    await outage_then_recovery(harness, caplog, cause, restart_during_outage)


@pytest.mark.parametrize("restart_during_outage", [False, True])
async def test_a_sqlite_file_locked_for_ten_minutes_after_the_slot_still_posts_once_on_recovery(
        sqlite_harness: Harness, caplog, restart_during_outage) -> None:
    """Another process holding SQLite's write lock is one more such outage."""
    await outage_then_recovery(sqlite_harness, caplog, LOCKED, restart_during_outage)


async def outage_then_recovery(harness: Harness, caplog, cause: str, restart_during_outage: bool) -> None:
    harness.clock.set(utc(2024, 6, 1, 8, 0))
    harness.add(10, "09:00", "UTC")
    step, release = (locked_until(harness, RECOVERED) if cause == LOCKED else (lambda: None, lambda: None))
    if cause != LOCKED:
        flaky(harness, cause)
    try:
        await harness.restart()
        with caplog.at_level(logging.INFO, logger="bot.daily.service"):
            if restart_during_outage:
                await harness.run_until(SLOT + timedelta(minutes=4), before_tick=step)
                await harness.restart()
            await harness.run_until(utc(2024, 6, 2, 8, 0), before_tick=step)
    finally:
        release()
    (post,) = harness.poster.posts(10)
    assert RECOVERED <= post.at <= RECOVERED + timedelta(minutes=1)  # on time once the store recovered
    rec = harness.store.record(10, date(2024, 6, 1))
    assert rec.status is PostStatus.POSTED and rec.attempts == 1 and rec.message_id == post.message_id
    assert f"cannot claim the post: {cause}" in caplog.text
    assert "the database accepts writes again" in caplog.text
    assert "not running at post time" not in caplog.text
    retries = [r for r in caplog.records if "cannot claim the post" in r.getMessage()]
    assert 5 <= len(retries) <= 30  # backoff: a few tries a minute at most, not a tight loop


async def test_a_store_failing_past_the_grace_window_skips_the_day_naming_the_cause(harness: Harness, caplog) -> None:
    harness.clock.set(utc(2024, 6, 1, 8, 0))
    harness.add(10, "09:00", "UTC")
    flaky(harness, FULL, until=SLOT + GRACE + timedelta(minutes=5))
    await harness.restart()
    with caplog.at_level(logging.WARNING, logger="bot.daily.service"):
        await harness.run_until(utc(2024, 6, 2, 9, 30))
    assert times(harness, 10) == [utc(2024, 6, 2, 9, 0)]  # the next day is normal
    rec = harness.store.record(10, date(2024, 6, 1))
    assert rec.status is PostStatus.SKIPPED
    assert "the database could not be written at post time (the disk is full)" in rec.error
    assert "not running at post time" not in caplog.text


async def test_a_confirm_the_store_refuses_is_retried_and_never_posts_twice(harness: Harness, caplog) -> None:
    """The claim went through, then the disk filled up: the confirm is tried again until the store recovers."""
    harness.clock.set(utc(2024, 6, 1, 9, 0))
    harness.add(10, "09:00", "UTC", since=utc(2024, 6, 1))
    real_send = harness.poster.send

    async def send_then_fill_the_disk(*args, **kw):
        message_id = await real_send(*args, **kw)
        assert isinstance(harness.db, FlakyStore)
        harness.db.until = harness.clock() + timedelta(seconds=30)
        return message_id

    flaky(harness, FULL, until=harness.clock())
    await harness.restart()
    harness.poster.send = send_then_fill_the_disk
    with caplog.at_level(logging.WARNING, logger="bot.daily.service"):
        await harness.run_until(utc(2024, 6, 1, 12, 0))
    (post,) = harness.poster.posts(10)
    rec = harness.store.record(10, date(2024, 6, 1))
    assert rec.status is PostStatus.POSTED and rec.message_id == post.message_id
    assert "cannot record the post: the disk is full; trying again" in caplog.text
