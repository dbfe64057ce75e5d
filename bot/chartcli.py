"""`python -m bot chart stats -o FILE.png [--country NAME]`: write the chart `!stats` attaches on Discord."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from bot.kb.errors import KnowledgeError

CHARTS = ("stats",)


def add_chart_parser(sub: Any) -> None:
    """Add the `chart` subcommand to `python -m bot`'s subparsers."""
    chart = sub.add_parser("chart", help="write a chart of the knowledge base as PNG (the one !stats shows)")
    chart.add_argument("kind", choices=CHARTS, help="which chart")
    chart.add_argument("-o", "--output", type=Path, required=True, help="the PNG file to write")
    chart.add_argument("--country", default=None, help="a member state to highlight")


def chart_main(args: argparse.Namespace) -> int:
    """Write the chart; 2 with one line on stderr when the knowledge base, the country or the file is wrong."""
    from bot.charts import stats_png
    from bot.engine.cache import load_engine

    try:
        engine = load_engine(args.knowledge)
    except KnowledgeError as exc:
        print(f"error: knowledge base: {exc}", file=sys.stderr)
        return 2
    if not engine.has("figures"):
        print("error: this knowledge base has no figures to chart", file=sys.stderr)
        return 2
    highlight = None
    if args.country:
        res = engine.names.resolve(args.country, {"country"})
        if res.entity is None or res.entity.id not in {c.id for c in engine.kb.members}:
            print(f"error: --country: {args.country!r} is no member state the article gives figures for",
                  file=sys.stderr)
            return 2
        highlight = res.entity.id
    png = stats_png(engine.kb, highlight)
    try:
        args.output.write_bytes(png)
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.output} ({len(png):,} bytes)")
    return 0
