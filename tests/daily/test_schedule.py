"""Pure scheduling: slots in local time, DST, grace window, paused channels, one next wake-up."""

from __future__ import annotations

import itertools
from datetime import date, datetime, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.daily import schedule
from bot.daily.schedule import ChannelSchedule, PostRecord, PostStatus
from tests.daily.conftest import utc

GRACE = timedelta(hours=1)
SINCE = utc(2000, 1, 1)


def ch(channel_id: int, hhmm: str, tz: str, **kw) -> ChannelSchedule:
    return ChannelSchedule(channel_id, 1, schedule.parse_time(hhmm), tz, kw.pop("since", SINCE), **kw)


def test_slot_converts_local_wall_time_to_utc() -> None:
    seoul = ch(1, "09:00", "Asia/Seoul")
    assert schedule.slot_for(seoul, date(2020, 6, 22)) == utc(2020, 6, 22, 0, 0)
    ny = ch(2, "18:30", "America/New_York")
    assert schedule.slot_for(ny, date(2020, 6, 22)) == utc(2020, 6, 22, 22, 30)


def test_two_guilds_different_times_and_zones_each_due_at_their_own_instant() -> None:
    since = utc(2024, 5, 31, 12)
    chans = [ch(1, "09:00", "Asia/Seoul", since=since), ch(2, "07:15", "Europe/Berlin", since=since)]
    assert schedule.plan(chans, {}, utc(2024, 6, 1, 0, 0), GRACE)[0].channel_id == 1
    posted = {(1, date(2024, 6, 1)): PostRecord(1, date(2024, 6, 1), PostStatus.POSTED, 7)}
    assert [d.channel_id for d in schedule.plan(chans, posted, utc(2024, 6, 1, 5, 15), GRACE)] == [2]
    assert schedule.next_wakeup(chans, posted, utc(2024, 6, 1, 0, 1), GRACE) == utc(2024, 6, 1, 5, 15)
    # before either: nothing due, and the next wake-up is the earliest slot
    assert schedule.plan(chans, {}, utc(2024, 5, 31, 23, 0), GRACE) == []
    assert schedule.next_wakeup(chans, {}, utc(2024, 5, 31, 23, 0), GRACE) == utc(2024, 6, 1, 0, 0)


def test_utc_plus_9_is_due_once_then_sleeps_a_day() -> None:
    """A UTC+9 time must not look due again right after it ran (what made `tasks.loop(time=)` fire in a loop)."""
    seoul = ch(1, "00:30", "Asia/Tokyo", since=utc(2024, 6, 1))  # 15:30 UTC the day before: local date ahead of UTC
    now = utc(2024, 6, 1, 15, 30)
    due = schedule.plan([seoul], {}, now, GRACE)
    assert [(d.local_date, d.action) for d in due] == [(date(2024, 6, 2), "post")]
    history = {(1, date(2024, 6, 2)): PostRecord(1, date(2024, 6, 2), PostStatus.POSTED, 5)}
    for later in (now, now + timedelta(seconds=1), now + timedelta(minutes=59), now + timedelta(hours=8, minutes=31)):
        assert schedule.plan([seoul], history, later, GRACE) == []
    assert schedule.next_wakeup([seoul], history, now, GRACE) == now + timedelta(days=1)


def test_spring_forward_nonexistent_time_posts_once_after_the_jump() -> None:
    ny = ch(1, "02:30", "America/New_York")  # 2024-03-10 02:00 -> 03:00
    slot = schedule.slot_for(ny, date(2024, 3, 10))
    assert slot == utc(2024, 3, 10, 7, 30)  # 03:30 EDT
    assert slot.astimezone(ny.zone).date() == date(2024, 3, 10)
    assert schedule.slot_for(ny, date(2024, 3, 9)) == utc(2024, 3, 9, 7, 30)  # 02:30 EST
    assert schedule.slot_for(ny, date(2024, 3, 11)) == utc(2024, 3, 11, 6, 30)  # 02:30 EDT


def test_fall_back_ambiguous_time_posts_at_first_occurrence() -> None:
    ny = ch(1, "01:30", "America/New_York", since=utc(2024, 11, 2, 12))  # 2024-11-03 01:59 EDT -> 01:00 EST
    slot = schedule.slot_for(ny, date(2024, 11, 3))
    assert slot == utc(2024, 11, 3, 5, 30)  # 01:30 EDT, the first one
    history = {(1, date(2024, 11, 3)): PostRecord(1, date(2024, 11, 3), PostStatus.POSTED, 9)}
    second = utc(2024, 11, 3, 6, 30)  # 01:30 EST, the repeat
    assert schedule.plan([ny], history, second, GRACE) == []


def test_dst_zone_keeps_local_time_across_the_change() -> None:
    berlin = ch(1, "09:00", "Europe/Berlin")  # 2024-03-31 CET -> CEST
    assert schedule.slot_for(berlin, date(2024, 3, 30)) == utc(2024, 3, 30, 8, 0)
    assert schedule.slot_for(berlin, date(2024, 3, 31)) == utc(2024, 3, 31, 7, 0)
    assert schedule.next_wakeup([berlin], {}, utc(2024, 3, 30, 8, 1), GRACE) == utc(2024, 3, 31, 7, 0)


def test_a_day_the_zone_skipped_has_no_slot() -> None:
    apia = ch(1, "09:00", "Pacific/Apia")  # Samoa skipped 2011-12-30
    assert schedule.slot_for(apia, date(2011, 12, 30)) is None
    assert schedule.slot_for(apia, date(2011, 12, 31)) is not None


def test_grace_window_edges() -> None:
    c = ch(1, "09:00", "UTC", since=utc(2024, 6, 1))
    slot = utc(2024, 6, 1, 9, 0)
    assert schedule.plan([c], {}, slot - timedelta(seconds=1), GRACE) == []
    assert schedule.plan([c], {}, slot, GRACE)[0].action == "post"
    assert schedule.plan([c], {}, slot + GRACE - timedelta(seconds=1), GRACE)[0].action == "post"
    assert schedule.plan([c], {}, slot + GRACE, GRACE)[0].action == "skip"


def test_grace_window_across_midnight_still_posts_yesterdays() -> None:
    c = ch(1, "23:50", "UTC")
    due = schedule.plan([c], {}, utc(2024, 6, 2, 0, 20), GRACE)
    assert [(d.local_date, d.action) for d in due] == [(date(2024, 6, 1), "post")]


def test_slots_before_setup_do_not_count() -> None:
    c = ch(1, "09:00", "UTC", since=utc(2024, 6, 1, 9, 30))
    assert schedule.plan([c], {}, utc(2024, 6, 1, 9, 31), GRACE) == []
    assert schedule.next_wakeup([c], {}, utc(2024, 6, 1, 9, 31), GRACE) == utc(2024, 6, 2, 9, 0)


def test_paused_and_disabled_channels_are_never_due_nor_wake_the_scheduler() -> None:
    chans = [ch(1, "09:00", "UTC", paused_reason="Missing Permissions"), ch(2, "09:00", "UTC", enabled=False)]
    now = utc(2024, 6, 1, 9, 0)
    assert schedule.plan(chans, {}, now, GRACE) == []
    assert schedule.next_wakeup(chans, {}, now, GRACE) is None


def test_failed_post_is_retried_at_retry_at_then_skipped_after_grace() -> None:
    c = ch(1, "09:00", "UTC", since=utc(2024, 6, 1))
    day = date(2024, 6, 1)
    rec = PostRecord(1, day, PostStatus.FAILED, retry_at=utc(2024, 6, 1, 9, 10), error="503")
    hist = {(1, day): rec}
    assert schedule.plan([c], hist, utc(2024, 6, 1, 9, 5), GRACE) == []
    assert schedule.next_wakeup([c], hist, utc(2024, 6, 1, 9, 5), GRACE) == utc(2024, 6, 1, 9, 10)
    due = schedule.plan([c], hist, utc(2024, 6, 1, 9, 10), GRACE)
    assert [(d.action, d.retry) for d in due] == [("post", True)]
    late = PostRecord(1, day, PostStatus.FAILED, retry_at=utc(2024, 6, 1, 11, 0))
    assert schedule.next_wakeup([c], {(1, day): late}, utc(2024, 6, 1, 9, 30), GRACE) == utc(2024, 6, 1, 10, 0)
    assert schedule.plan([c], {(1, day): late}, utc(2024, 6, 1, 10, 0), GRACE)[0].action == "skip"


def test_claimed_post_blocks_the_channel_until_resolved() -> None:
    c = ch(1, "09:00", "UTC")
    hist = {(1, date(2024, 5, 31)): PostRecord(1, date(2024, 5, 31), PostStatus.CLAIMED)}
    assert schedule.plan([c], hist, utc(2024, 6, 1, 9, 0), GRACE) == []
    assert schedule.next_wakeup([c], hist, utc(2024, 6, 1, 8, 0), GRACE) is None


@pytest.mark.parametrize("text,expected", [("09:00", time(9)), ("9:05", time(9, 5)), ("2130", time(21, 30)),
                                           ("21.30", time(21, 30)), ("0:00", time(0))])
def test_parse_time(text, expected) -> None:
    assert schedule.parse_time(text) == expected


@pytest.mark.parametrize("text", ["", "24:00", "9", "09:60", "nine", "9am"])
def test_parse_time_rejects(text) -> None:
    with pytest.raises(ValueError, match="HH:MM"):
        schedule.parse_time(text)


def test_timezones_validated_case_insensitively() -> None:
    assert schedule.resolve_timezone("asia/seoul") == "Asia/Seoul"
    assert schedule.resolve_timezone("America/New York") == "America/New_York"
    assert schedule.resolve_timezone("UTC") == "UTC"
    for bad in ("Asia/Soul", "KST", "", "../etc/passwd", "Mars/Olympus"):
        with pytest.raises(ValueError, match="IANA"):
            schedule.resolve_timezone(bad)


def test_timezone_autocomplete_at_most_25_prefix_first() -> None:
    assert len(schedule.timezone_choices("")) == 25
    assert schedule.timezone_choices("seoul")[0] == "Asia/Seoul"
    assert schedule.timezone_choices("asia/s")[0].startswith("Asia/S")
    assert all("york" in n.lower() for n in schedule.timezone_choices("york"))
    assert schedule.timezone_choices("zzzz") == []


ZONES = ["UTC", "Asia/Seoul", "Asia/Kolkata", "America/New_York", "Europe/London", "Australia/Lord_Howe",
         "Pacific/Chatham", "America/St_Johns", "Pacific/Kiritimati", "Pacific/Pago_Pago"]


@given(zone=st.sampled_from(ZONES), hour=st.integers(0, 23), minute=st.integers(0, 59),
       start=st.datetimes(min_value=datetime(2023, 1, 1), max_value=datetime(2025, 1, 1)))
def test_simulated_days_post_exactly_once_per_local_date(zone, hour, minute, start) -> None:
    """Follow next_wakeup for 40 days in any zone and time: one post per local date, no spinning."""
    from datetime import UTC

    now = start.replace(tzinfo=UTC)
    c = ch(1, f"{hour:02d}:{minute:02d}", zone, since=now)
    end = now + timedelta(days=40)
    hist: dict = {}
    wakes = 0
    while True:
        for d in schedule.plan([c], hist, now, GRACE):
            assert d.action == "post"
            assert (1, d.local_date) not in hist
            hist[(1, d.local_date)] = PostRecord(1, d.local_date, PostStatus.POSTED, 1)
        nxt = schedule.next_wakeup([c], hist, now, GRACE)
        assert nxt is not None and nxt > now
        if nxt > end:
            break
        now, wakes = nxt, wakes + 1
    assert 38 <= len(hist) <= 41
    assert wakes <= 41
    dates = sorted(d for _, d in hist)
    assert all(b - a == timedelta(days=1) for a, b in itertools.pairwise(dates))
