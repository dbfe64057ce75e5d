"""`python -m bot summary [--date YYYY-MM-DD|today|tomorrow] [--config PATH]`: print a day's spotlight.

No discord import."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.daily.settings import daily_settings
from bot.dates import parse_date
from bot.engine.spotlight import Rotation
from bot.kb.errors import KnowledgeError
from bot.kb.loader import load_knowledge


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
