"""A day as a user names it: `YYYY-MM-DD`, `today`, `tomorrow` or `yesterday` in a time zone.

Read by `python -m bot summary --date` and `/daily preview` alike.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

RELATIVE = {"today": 0, "tomorrow": 1, "yesterday": -1}


def parse_date(text: str | None, timezone: str, now: datetime | None = None) -> date:
    """`YYYY-MM-DD`, `today`, `tomorrow` or `yesterday` (in `timezone`), or today when `text` is empty;
    ValueError on a bad date."""
    today = (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).date()
    word = (text or "today").strip().lower()
    if word in RELATIVE:
        return today + timedelta(days=RELATIVE[word])
    try:
        return date.fromisoformat(word)
    except ValueError:
        raise ValueError(f"--date: {text!r} is not a date; use YYYY-MM-DD (e.g. 2020-06-22), today or tomorrow"
                         ) from None
