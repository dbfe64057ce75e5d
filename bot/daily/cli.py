"""`python -m bot summary [--date YYYY-MM-DD] [--config PATH]`: print a day's spotlight. No discord import."""

from __future__ import annotations

import argparse
import sys
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.config import ConfigError, load_settings
from bot.daily.settings import Daily
from bot.daily.spotlight import Rotation
from bot.kb.errors import KnowledgeError
from bot.kb.loader import load_knowledge


def daily_settings(settings: object) -> Daily:
    """The `daily:` settings (defaults when the config has none)."""
    daily = getattr(settings, "daily", None)
    return daily if isinstance(daily, Daily) else Daily()


def parse_date(text: str | None, timezone: str, now: datetime | None = None) -> date:
    """`YYYY-MM-DD`, or today in `timezone` when `text` is empty; ValueError on a bad date."""
    if not text:
        return (now or datetime.now(ZoneInfo(timezone))).astimezone(ZoneInfo(timezone)).date()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ValueError(f"--date: {text!r} is not a date; use YYYY-MM-DD, e.g. 2020-06-22") from None


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
