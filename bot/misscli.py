"""`python -m bot misses [--days N] [--guild ID] [--format text|csv] [--limit N]`: the misses report.

Reads the bot's store (the config's `database_url` or `database_path`), deletes rows older than `feedback_days`
as the bot would, and prints the similar questions grouped, most frequent first (`bot.daily.feedback`).
No discord import."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from bot.config import ConfigError, load_settings
from bot.daily.backend import is_postgres_url, open_store
from bot.daily.feedback import FeedbackService, Group, report_csv, report_lines
from bot.daily.store import StoreError


async def _groups(target: str | Path, days: int, wanted: int | None, guild: int | None) -> list[Group]:
    store = await open_store(target)
    try:
        return await FeedbackService(store, days).report(guild, wanted)
    finally:
        await store.close()


def misses_main(args: argparse.Namespace) -> int:
    """Print the report; 2 when the config or the database cannot be read."""
    try:
        settings = load_settings(getattr(args, "config", None))
    except ConfigError as exc:
        print(f"error: config: {exc}", file=sys.stderr)
        return 2
    target = settings.database
    if not is_postgres_url(target) and not Path(target).is_file():
        print(f"error: no database at {target} (the bot has recorded nothing yet, or database_path differs)",
              file=sys.stderr)
        return 2
    try:
        groups = asyncio.run(_groups(target, settings.feedback_days, args.days, args.guild))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    days = min(args.days or settings.feedback_days, settings.feedback_days)
    if args.format == "csv":
        sys.stdout.write(report_csv(groups))
        return 0
    where = f"server {args.guild}" if args.guild else "every server"
    print(f"Misses and Not helpful presses, last {days} days, {where}: {len(groups)} group(s)")
    for line in report_lines(groups, args.limit):
        print(line)
    return 0
