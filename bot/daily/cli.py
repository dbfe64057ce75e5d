"""`python -m bot summary [--date YYYY-MM-DD|today|tomorrow] [--config PATH]`: print a day's spotlight.

No discord import."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ConfigError, load_settings
from bot.daily.settings import Daily
from bot.engine.spotlight import Rotation
from bot.kb.errors import KnowledgeError
from bot.kb.loader import load_knowledge


def daily_settings(settings: object) -> Daily:
    """The `daily:` settings (defaults when the config has none)."""
    daily = getattr(settings, "daily", None)
    return daily if isinstance(daily, Daily) else Daily()


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


def summary_main(args: argparse.Namespace) -> int:
    """Print the spotlight for `args.date` (default: today in the configured zone); 2 on bad input."""
    try:
        settings = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    knowledge = getattr(args, "knowledge", None)
    if knowledge is None and settings.knowledge_dir:
        knowledge = Path(settings.knowledge_dir)
    daily = daily_settings(settings)
    try:
        day = parse_date(getattr(args, "date", None), daily.default_timezone)
    except ValueError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    try:
        rotation = Rotation(load_knowledge(knowledge))
    except (KnowledgeError, ValueError) as exc:
        print(f"error: knowledge base: {exc}", file=sys.stderr)
        return 2
    print(rotation.answer(day).to_text())
    return 0
