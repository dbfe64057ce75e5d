"""Line editing for the console: history kept between sessions and Tab completion of commands and names.

Uses the standard library's `readline` where it exists; without it the console reads plain lines.
History lives in `$BOT_HISTORY_FILE`, else `$XDG_DATA_HOME/article-bot/history`, else
`~/.local/share/article-bot/history`; a history file that cannot be read or written is ignored.
"""

from __future__ import annotations

import os
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.engine import Engine

HISTORY_LENGTH = 1000
APP_DIR = "article-bot"  # as the engine cache: the console serves any article's knowledge base
PREFIXES = ("!", "/")
NAME_KINDS = frozenset({"country", "person", "country_or_person", "quote"})


def history_path() -> Path:
    """Where the console keeps its history."""
    if override := os.environ.get("BOT_HISTORY_FILE"):
        return Path(override).expanduser()
    data = os.environ.get("XDG_DATA_HOME") or str(Path("~/.local/share").expanduser())
    return Path(data) / APP_DIR / "history"


def command_names(engine: Engine) -> dict[str, bool]:
    """Every available command's name, then their aliases, without prefix: whether it takes an argument."""
    specs = engine.available_specs()
    names: dict[str, bool] = {}
    for name, spec in [(s.name, s) for s in specs] + [(a, s) for s in specs for a in s.aliases]:
        names.setdefault(name, spec.arg is not None)
    return names


def complete_line(engine: Engine, text: str, limit: int = 25) -> list[str]:
    """Whole-line completions of `text`: a command name after `!` or `/`, then a name of the kind the command
    takes (`!who Park` -> `!who Park Won-soon`) and command names after `!help`."""
    if not text or text[0] not in PREFIXES:
        return []
    prefix, rest = text[0], text[1:]
    name, space, current = rest.partition(" ")
    if not space:
        # a command that takes an argument is completed with the space before it (readline adds none)
        names = command_names(engine)
        return [prefix + n + (" " if arg else "") for n, arg in names.items() if n.startswith(name.lower())][:limit]
    specs = {n: s for s in engine.available_specs() for n in (s.name, *s.aliases)}
    spec = specs.get(name.lower())
    if spec is None:
        return []
    current = current.lstrip()
    if spec.name == "help":
        choices = [n for n in command_names(engine) if n.startswith(current.lower())]
    elif spec.arg in NAME_KINDS:
        choices = engine.complete(spec.arg, current, limit)
        starting = [c for c in choices if c.lower().startswith(current.lower())]
        # readline replaces the line with what the matches share: keep only the best when none extends it
        choices = starting or choices[:1]
    else:
        choices = []
    return [f"{prefix}{name} {c}" for c in choices[:limit]]


class LineEditor:
    """`readline` set up for one console session: history loaded, Tab completing against the engine."""

    def __init__(self, engine: Engine, path: Path | None = None) -> None:
        self.engine = engine
        self.path = path or history_path()
        self.readline = _import_readline()
        self._matches: list[str] = []
        self._loaded = False
        self._added = 0
        if self.readline is not None:
            self._setup(self.readline)

    @property
    def active(self) -> bool:
        """True when `readline` is there, so `input()` edits lines and keeps history."""
        return self.readline is not None

    def _setup(self, rl: ModuleType) -> None:
        rl.set_history_length(HISTORY_LENGTH)
        rl.set_auto_history(False)
        try:
            rl.read_history_file(str(self.path))
            self._loaded = True
        except (OSError, ValueError):
            pass
        rl.set_completer(self.completer)
        rl.set_completer_delims("")  # complete the whole line: names have spaces and hyphens in them
        if "libedit" in (rl.__doc__ or ""):
            rl.parse_and_bind("bind ^I rl_complete")
        else:
            rl.parse_and_bind("tab: complete")

    def completer(self, text: str, state: int) -> str | None:
        """The `readline` completer: the `state`-th completion of `text`."""
        try:
            if state == 0:
                self._matches = complete_line(self.engine, text)
            return self._matches[state] if state < len(self._matches) else None
        except Exception:  # a completer must never break the prompt
            return None

    def remember(self, line: str) -> None:
        """Add a line to the history, unless it is blank or repeats the last one."""
        rl = self.readline
        if rl is None or not line.strip():
            return
        length = rl.get_current_history_length()
        if length and rl.get_history_item(length) == line:
            return
        rl.add_history(line)
        self._added += 1

    def save(self) -> None:
        """Write this session's lines to the history file, keeping the last `HISTORY_LENGTH`."""
        rl = self.readline
        if rl is None or not self._added:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            if self._loaded and self.path.exists():
                rl.append_history_file(min(self._added, HISTORY_LENGTH), str(self.path))
            else:
                rl.write_history_file(str(self.path))
            self._added = 0
        except (OSError, ValueError):
            pass


def _import_readline() -> ModuleType | None:
    try:
        import readline
    except ImportError:  # not built on this platform: plain input() still works
        return None
    return readline


__all__ = ["HISTORY_LENGTH", "LineEditor", "complete_line", "history_path"]
