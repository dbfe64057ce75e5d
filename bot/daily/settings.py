"""The `daily:` part of config.yaml (defaults for `/daily set`, the grace window, config-listed channels).

`bot.config.Settings` holds one `Daily` as `settings.daily` (and `database_path` for the SQLite file).
Validated like the rest of the config: a bad time or zone names the key, e.g.
`config.yaml: daily.timezone: 'Asia/Soul' is not an IANA time zone ...`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated

import msgspec

from bot.daily.schedule import MAX_GRACE, parse_time, resolve_timezone
from bot.typed import Snowflake, Strict

GraceMinutes = Annotated[int, msgspec.Meta(ge=1, le=int(MAX_GRACE.total_seconds() // 60))]


def _check(time_text: str | None, zone: str | None) -> None:
    """Validate a time and a zone, naming the key in the error."""
    try:
        if time_text is not None:
            parse_time(time_text)
    except ValueError as exc:
        raise ValueError(f"time: {exc}") from None
    try:
        if zone is not None:
            resolve_timezone(zone)
    except ValueError as exc:
        raise ValueError(f"timezone: {exc}") from None


class DailyChannel(Strict, frozen=True):
    """A channel that gets the daily post without anyone running `/daily set` (time/zone: the defaults)."""

    channel: Snowflake
    guild: Snowflake | None = None
    time: str | None = None
    timezone: str | None = None

    def __post_init__(self) -> None:
        _check(self.time, self.timezone)


class Daily(Strict, frozen=True):
    """Daily-summary settings."""

    enabled: bool = True  # false: no scheduler (the /daily commands still save settings)
    time: str = "09:00"  # default post time for /daily set and config channels, 24-hour HH:MM
    timezone: str = "Asia/Seoul"  # default IANA zone
    grace_minutes: GraceMinutes = 60  # a post missed while the bot was down is still sent this long after
    channels: list[DailyChannel] = msgspec.field(default_factory=list)

    def __post_init__(self) -> None:
        _check(self.time, self.timezone)
        seen: set[int] = set()
        for c in self.channels:
            if c.channel in seen:
                raise ValueError(f"channels: channel {c.channel} is listed twice")
            seen.add(c.channel)

    @property
    def default_time(self) -> dt.time:
        """`time` parsed."""
        return parse_time(self.time)

    @property
    def default_timezone(self) -> str:
        """`timezone` as its canonical IANA name."""
        return resolve_timezone(self.timezone)

    @property
    def grace(self) -> dt.timedelta:
        """The grace window."""
        return dt.timedelta(minutes=self.grace_minutes)


def daily_settings(settings: object) -> Daily:
    """The `daily:` settings of a settings object (defaults when it has none)."""
    daily = getattr(settings, "daily", None)
    return daily if isinstance(daily, Daily) else Daily()


__all__ = ["Daily", "DailyChannel", "daily_settings"]
