"""Command line: `console`, `ask`, `check`, `summary`, `misses`, `store` and `run` (the Discord bot).

Only `run` imports discord.py; every other path stays pure Python and starts fast.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.chartcli import add_chart_parser, chart_main
from bot.kb.errors import KnowledgeError

DESCRIPTION = (
    "Answers questions about one news article, from its knowledge base: on Discord (run), in an interactive "
    "console, or one question at a time (ask). Without a command: run when $DISCORD_TOKEN is set, else console."
)
CONFIG_HELP = "the config file (default: $BOT_CONFIG if set, else ./config.yaml if present, else the defaults)"


class _Help(argparse.HelpFormatter):
    """argparse's help layout, with the terminal's width read here: argparse reads it through shutil, whose
    import (with its compression modules) is a few ms of every cold start, help asked for or not."""

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        super().__init__(prog, indent_increment, max_help_position, _columns() - 2 if width is None else width)


class _Parser(argparse.ArgumentParser):
    """An argument parser (and its subcommands' parsers) laid out by `_Help`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Help)
        super().__init__(*args, **kwargs)


def _columns() -> int:
    """The terminal's width as `shutil.get_terminal_size` reads it: $COLUMNS, else the terminal, else 80."""
    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    try:
        return os.get_terminal_size(sys.__stdout__.fileno()).columns  # type: ignore[union-attr]
    except (AttributeError, ValueError, OSError):
        return 80


def _knowledge_help() -> str:
    """The --knowledge help, naming the folder used without it."""
    from bot.kb.loader import bundled_knowledge_dir

    default = str(bundled_knowledge_dir()).replace("%", "%%")
    return f"the knowledge base folder (default: $BOT_KNOWLEDGE_DIR if set, else {default})"


def installed_version() -> str:
    """The version of the installed distribution that holds this package, or "unknown" outside one."""
    from importlib import metadata

    try:
        [name, *_] = metadata.packages_distributions()[__package__ or "bot"]
        return metadata.version(name)
    except (KeyError, ValueError, metadata.PackageNotFoundError):
        return "unknown"


class _Version(argparse.Action):
    """`--version`: print the program and its version, then exit (looked up only when asked for)."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: Any) -> None:
        super().__init__(option_strings, dest, nargs=0, default=argparse.SUPPRESS,
                         help="print the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        print(f"{parser.prog} {installed_version()}")
        parser.exit()


def _positive(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected at least 1, got {value}")
    return value


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python -m bot", description=DESCRIPTION)
    p.add_argument("--version", action=_Version)
    knowledge_help = _knowledge_help()
    p.add_argument("--knowledge", type=Path, default=None, metavar="DIR", help=knowledge_help)
    p.add_argument("--config", type=Path, default=None, metavar="FILE", help=f"for run and summary: {CONFIG_HELP}")
    p.set_defaults(date=None)
    sub = p.add_subparsers(dest="cmd", metavar="COMMAND")

    def command(name: str, help_text: str, config: bool = False) -> argparse.ArgumentParser:
        """A subcommand that also takes --knowledge (and --config) after its name."""
        cmd = sub.add_parser(name, help=help_text, description=help_text[:1].upper() + help_text[1:] + ".")
        # SUPPRESS: given only before the command, the value from there stands.
        cmd.add_argument("--knowledge", type=Path, default=argparse.SUPPRESS, metavar="DIR", help=knowledge_help)
        if config:
            cmd.add_argument("--config", type=Path, default=argparse.SUPPRESS, metavar="FILE", help=CONFIG_HELP)
        return cmd

    command("console", "ask questions interactively (the default without $DISCORD_TOKEN)")
    ask = command("ask", "answer one question, or one per line of standard input with --jsonl")
    ask.add_argument("question", nargs="*", help="the question or command, e.g. '!help'")
    ask.add_argument("--jsonl", action="store_true", help="read questions from standard input, write JSON lines")
    check = command("check", "validate the knowledge base and print what was loaded")
    check.add_argument("--sections", action="store_true", help="also list section ids and paragraph counts")
    summary = command("summary", "print the daily summary for a date", config=True)
    summary.add_argument("--date", default=None, help="YYYY-MM-DD, today, tomorrow or yesterday (default: today)")
    add_chart_parser(sub)
    store = sub.add_parser("store", help="manage the daily-post store", description="Manage the daily-post store.")
    actions = store.add_subparsers(dest="store_cmd", metavar="ACTION", required=True)
    move_help = "copy a SQLite store into PostgreSQL (safe to run again: rows already there are kept)"
    move = actions.add_parser("migrate", help=move_help, description=move_help[:1].upper() + move_help[1:] + ".")
    move.add_argument("--from", dest="source", type=Path, required=True, metavar="FILE", help="the SQLite file")
    move.add_argument("--to", dest="target", required=True, metavar="URL",
                      help='the postgresql:// URL, e.g. --to "$BOT_DATABASE_URL"')
    misses = command("misses", "report the questions the bot could not answer, grouped, most frequent first",
                     config=True)
    misses.add_argument("--days", type=_positive, default=None, metavar="N",
                        help="only the last N days (default: every row kept, feedback_days)")
    misses.add_argument("--guild", type=int, default=None, metavar="ID", help="only this server")
    misses.add_argument("--format", choices=("text", "csv"), default="text", help="text (default) or csv")
    misses.add_argument("--limit", type=_positive, default=20, metavar="N", help="text: the top N groups (default 20)")
    command("run", "run the Discord bot (the default with $DISCORD_TOKEN set; the token comes from there)",
            config=True)
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
    if cmd == "store":
        from bot.daily.migrate import store_main

        return store_main(args)
    if cmd == "misses":
        from bot.misscli import misses_main

        return misses_main(args)
    if cmd == "summary":
        from bot.summarycli import summary_main

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
