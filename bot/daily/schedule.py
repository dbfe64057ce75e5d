"""When each channel's daily post is due: pure functions of settings, history and an injected `now`.

Every channel has a local wall-clock time (`09:00`) in an IANA zone (`Asia/Seoul`). Its *slot* for a
local date is that wall time converted to UTC with `zoneinfo` (fold=0: a time skipped by a DST jump
posts just after the jump, a repeated time posts at its first occurrence), so each local date has
exactly one slot. A slot is due when `slot <= now < slot + grace`; past the grace window it is skipped
(recorded, logged), never posted late. Slots before the channel's `since` (when it was last set up)
never count, so setting a channel up after today's time posts tomorrow, not at once.

`next_wakeup()` gives the one instant the scheduler must wake next (the earliest future slot or retry
across every channel), so one task sleeps for all guilds. Nothing here compares naive times or a
"time of day" against UTC, which is what made discord.py's `tasks.loop(time=)` fire in a loop for UTC+9.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from functools import cache
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

MIN_GRACE = timedelta(minutes=1)
MAX_GRACE = timedelta(hours=23)


class PostStatus(StrEnum):
    """Where one (channel, local date) post stands."""

    CLAIMED = "claimed"  # reserved in the database, being sent right now (or the bot died while sending)
    POSTED = "posted"  # sent and confirmed, message id recorded
    FAILED = "failed"  # not sent; retried at `retry_at` while inside the grace window
    SKIPPED = "skipped"  # not sent and never will be (bot down past the grace window, or retries ran out)
    UNCONFIRMED = "unconfirmed"  # the bot died while sending and could not check: treated as posted


@dataclass(frozen=True, slots=True)
class ChannelSchedule:
    """One channel's daily-post settings."""

    channel_id: int
    guild_id: int | None
    post_time: time
    timezone: str
    since: datetime  # aware UTC: when these settings took effect; earlier slots never count
    enabled: bool = True
    paused_reason: str | None = None  # set when a post failed for good (channel gone, permission missing)
    source: str = "admin"  # "admin" (set with /daily set) or "config" (listed in the config file)

    @property
    def active(self) -> bool:
        """True when this channel should get posts: enabled and not paused."""
        return self.enabled and not self.paused_reason

    @property
    def zone(self) -> ZoneInfo:
        """The channel's time zone."""
        return ZoneInfo(self.timezone)


@dataclass(frozen=True, slots=True)
class PostRecord:
    """The history row of one (channel, local date)."""

    channel_id: int
    local_date: date
    status: PostStatus
    message_id: int | None = None
    nonce: str | None = None
    spotlight: str | None = None
    attempts: int = 0
    claimed_at: datetime | None = None
    posted_at: datetime | None = None
    retry_at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class Due:
    """Something the scheduler must do now for one channel and local date."""

    channel_id: int
    local_date: date
    slot: datetime  # aware UTC
    action: Literal["post", "skip"]
    retry: bool = False  # a post that failed before and is tried again

    def late_by(self, now: datetime) -> timedelta:
        """How long after its slot this is handled."""
        return now - self.slot


History = Mapping[tuple[int, date], PostRecord]

_TIME = re.compile(r"^\s*(\d{1,2})[:.h]?(\d{2})\s*$")


def parse_time(text: str) -> time:
    """`"09:00"`, `"9:00"`, `"0900"` or `"21.30"` -> a time; ValueError with a readable message otherwise."""
    m = _TIME.match(text or "")
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValueError(f"{text!r} is not a time of day; use 24-hour HH:MM, e.g. 09:00 or 18:30")
    return time(int(m.group(1)), int(m.group(2)))


def format_time(value: time) -> str:
    """A time as `HH:MM`."""
    return f"{value.hour:02d}:{value.minute:02d}"


@cache
def _zones() -> dict[str, str]:
    """Lower-cased IANA name -> canonical name, for every zone the system knows."""
    return {name.lower(): name for name in available_timezones() if "/" in name or name == "UTC"}


def resolve_timezone(name: str) -> str:
    """The canonical IANA name for `name` (case-insensitive, spaces as underscores); ValueError if unknown."""
    key = (name or "").strip().replace(" ", "_").lower()
    canonical = _zones().get(key)
    if canonical is None:
        raise ValueError(f"{name!r} is not an IANA time zone; use a name like Asia/Seoul, Europe/Berlin or UTC")
    try:
        ZoneInfo(canonical)
    except (ZoneInfoNotFoundError, ValueError) as exc:  # pragma: no cover - listed but unreadable
        raise ValueError(f"time zone {canonical!r} cannot be loaded: {exc}") from None
    return canonical


def timezone_choices(text: str, limit: int = 25) -> list[str]:
    """Up to `limit` zone names for autocomplete: prefix matches (also after the `/`) first, then substrings."""
    query = (text or "").strip().replace(" ", "_").lower()
    names = sorted(_zones().values())
    if not query:
        return names[:limit]
    prefix = [n for n in names if n.lower().startswith(query) or n.lower().split("/")[-1].startswith(query)]
    rest = [n for n in names if query in n.lower() and n not in prefix]
    return (prefix + rest)[:limit]


def slot_for(schedule: ChannelSchedule, local_date: date) -> datetime | None:
    """The UTC instant of a channel's post on `local_date`; None if that date has no such local time at all."""
    zone = schedule.zone
    slot = datetime.combine(local_date, schedule.post_time, tzinfo=zone).astimezone(UTC)
    if slot.astimezone(zone).date() != local_date:  # a calendar day the zone skipped (Pacific/Apia 2011-12-30)
        return None
    return slot


def local_date_of(schedule: ChannelSchedule, now: datetime) -> date:
    """The channel's local date at `now`."""
    return now.astimezone(schedule.zone).date()


def _candidate_dates(schedule: ChannelSchedule, now: datetime, ahead: int = 0) -> list[date]:
    today = local_date_of(schedule, now)
    return [today + timedelta(days=k) for k in range(-1, ahead + 1)]


def in_flight(history: History) -> set[int]:
    """Channels with a claimed, unconfirmed post: nothing new starts for them until it is resolved."""
    return {rec.channel_id for rec in history.values() if rec.status is PostStatus.CLAIMED}


def _schedulable(schedules: Iterable[ChannelSchedule], history: History) -> Iterator[ChannelSchedule]:
    """The active schedules with no post of theirs in flight."""
    busy = in_flight(history)
    return (sch for sch in schedules if sch.active and sch.channel_id not in busy)


def plan(schedules: Iterable[ChannelSchedule], history: History, now: datetime, grace: timedelta) -> list[Due]:
    """What is due at `now`: posts whose slot has come (within `grace`), and slots missed past it (to skip)."""
    _check(now, grace)
    due: list[Due] = []
    for sch in _schedulable(schedules, history):
        for day in _candidate_dates(sch, now):
            slot = slot_for(sch, day)
            if slot is None or slot > now or slot < sch.since:
                continue
            rec = history.get((sch.channel_id, day))
            expired = now >= slot + grace
            if rec is None:
                due.append(Due(sch.channel_id, day, slot, "skip" if expired else "post"))
            elif rec.status is PostStatus.FAILED:
                if expired:
                    due.append(Due(sch.channel_id, day, slot, "skip", retry=True))
                elif rec.retry_at is None or rec.retry_at <= now:
                    due.append(Due(sch.channel_id, day, slot, "post", retry=True))
    return sorted(due, key=lambda d: (d.slot, d.channel_id))


def next_slot(schedule: ChannelSchedule, history: History, now: datetime) -> datetime | None:
    """The next slot after `now` that has not been handled yet (for `/daily status`)."""
    if not schedule.active:
        return None
    for day in _candidate_dates(schedule, now, ahead=3):
        slot = slot_for(schedule, day)
        if slot is not None and slot > now and slot >= schedule.since and (schedule.channel_id, day) not in history:
            return slot
    return None


def next_wakeup(
    schedules: Iterable[ChannelSchedule], history: History, now: datetime, grace: timedelta
) -> datetime | None:
    """The earliest instant after `now` when `plan()` can return something new; None if nothing is scheduled."""
    _check(now, grace)
    times: list[datetime] = []
    for sch in _schedulable(schedules, history):
        slot = next_slot(sch, history, now)
        if slot is not None:
            times.append(slot)
        for day in _candidate_dates(sch, now):
            rec = history.get((sch.channel_id, day))
            day_slot = slot_for(sch, day)
            if rec is None or rec.status is not PostStatus.FAILED or day_slot is None or day_slot < sch.since:
                continue
            deadline = day_slot + grace
            when = min(rec.retry_at or now, deadline)
            if when > now:
                times.append(when)
    return min(times, default=None)


def _check(now: datetime, grace: timedelta) -> None:
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if not MIN_GRACE <= grace <= MAX_GRACE:
        raise ValueError(f"grace window must be between {MIN_GRACE} and {MAX_GRACE}")
