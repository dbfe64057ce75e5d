"""Command line: `console`, `ask`, `check`, `summary` and `run` (the Discord bot).

Only `run` imports discord.py; every other path stays pure Python and starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path

from bot.chartcli import add_chart_parser, chart_main
from bot.kb.errors import KnowledgeError


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="python -m bot", description=__doc__)
    p.add_argument("--knowledge", type=Path, default=None,
                   help="knowledge directory (default: $BOT_KNOWLEDGE_DIR or ./knowledge)")
    p.set_defaults(config=None, date=None)
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")
    sub.add_parser("console", help="ask questions interactively (the default without $DISCORD_TOKEN)")
    ask = sub.add_parser("ask", help="answer one question, or one per stdin line with --jsonl")
    ask.add_argument("question", nargs="*", help="the question or command, e.g. '!help'")
    ask.add_argument("--jsonl", action="store_true", help="read questions from stdin, write JSON lines")
    check = sub.add_parser("check", help="validate the knowledge base and print what was loaded")
    check.add_argument("--sections", action="store_true", help="also list section ids and paragraph counts")
    summary = sub.add_parser("summary", help="print the daily summary for a date")
    summary.add_argument("--date", default=None, help="YYYY-MM-DD (default: today)")
    summary.add_argument("--config", type=Path, default=None, help="config file (default: $BOT_CONFIG or config.yaml)")
    add_chart_parser(sub)
    run = sub.add_parser("run", help="run the Discord bot (the default with $DISCORD_TOKEN set)")
    run.add_argument("--config", type=Path, default=None, help="config file (default: $BOT_CONFIG or config.yaml)")
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of `python -m bot` and the `asean-bot` script."""
    try:
        return _main(argv)
    except BrokenPipeError:  # e.g. `python -m bot ask ... | head`: the reader left, nothing to report
        sys.stderr.close()
        return 0


def _main(argv: Sequence[str] | None) -> int:
    args = _parser().parse_args(argv)
    cmd = args.cmd or ("run" if os.environ.get("DISCORD_TOKEN") else "console")
    if cmd == "run":
        from bot.discordbot.runner import run_main

        return run_main(args)
    if cmd == "chart":
        return chart_main(args)
    if cmd == "summary":
        from bot.daily.cli import summary_main

        return summary_main(args)
    from bot import console

    try:
        if cmd == "check":
            return console.check(args.knowledge, sections=args.sections)
        engine = console.build_engine(args.knowledge)
    except KnowledgeError as exc:
        print(f"error: knowledge base: {exc}", file=sys.stderr)
        return 2
    if cmd == "ask":
        if args.jsonl:
            return console.ask_jsonl(engine, sys.stdin, sys.stdout)
        return console.ask_once(engine, " ".join(args.question))
    return console.interactive(engine)
