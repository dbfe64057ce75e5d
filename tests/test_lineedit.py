"""The console's Tab completion (commands, then names of the kind a command takes) and its history file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.engine import Engine
from bot.lineedit import HISTORY_LENGTH, LineEditor, complete_line, history_path


@pytest.mark.parametrize(("text", "expected"), [
    ("!coun", ["!country "]),
    ("/coun", ["/country "]),
    ("!ev", ["!event"]),  # no argument: nothing to type after it
    ("!country la", ["!country Laos"]),
    ("!country thialand", ["!country Thailand"]),  # a typo: the best match replaces it
    ("!who park w", ["!who Park Won-soon"]),
    ("!amb Umar", ["!amb Umar Hadi"]),  # an alias takes its command's kind
    ("!STATS sing", ["!STATS Singapore"]),
])
def test_completes_commands_and_names(engine: Engine, text: str, expected: list[str]):
    assert complete_line(engine, text) == expected


def test_a_bare_prefix_offers_every_command_then_the_aliases(engine: Engine):
    names = [c.strip() for c in complete_line(engine, "!", limit=100)]
    specs = engine.available_specs()
    assert names[:len(specs)] == ["!" + s.name for s in specs]
    assert {"!" + a for s in specs for a in s.aliases} <= set(names)


def test_names_after_a_command_come_from_the_engines_autocomplete(engine: Engine):
    lines = complete_line(engine, "!country ")
    assert lines == ["!country " + n for n in engine.complete("country", "", 25)]
    assert len(lines) >= 10


def test_help_completes_command_names(engine: Engine):
    assert complete_line(engine, "!help qu") == ["!help quote", "!help quotes"]


@pytest.mark.parametrize("text", ["", "hello", "who hosted", "!nope x", "!search rice", "!event x"])
def test_no_completion_for_questions_free_text_or_unknown_commands(engine: Engine, text: str):
    assert complete_line(engine, text) == []


def test_history_path_follows_the_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    monkeypatch.delenv("BOT_HISTORY_FILE", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    assert history_path() == tmp_path / ".local/share/article-bot/history"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert history_path() == tmp_path / "data/article-bot/history"
    monkeypatch.setenv("BOT_HISTORY_FILE", str(tmp_path / "h"))
    assert history_path() == tmp_path / "h"


@pytest.fixture
def readline():
    rl = pytest.importorskip("readline")
    rl.clear_history()
    yield rl
    rl.clear_history()
    rl.set_completer(None)


def test_history_is_kept_without_blanks_or_repeats_and_capped(engine: Engine, readline, tmp_path: Path):
    path = tmp_path / "deep" / "history"
    editor = LineEditor(engine, path)
    for line in ["!stats", "!stats", "  ", "who hosted?"]:
        editor.remember(line)
    editor.save()
    assert path.read_text().split() == ["!stats", "who", "hosted?"]
    readline.clear_history()
    editor = LineEditor(engine, path)  # the next session adds to it, and the file keeps the latest lines
    assert readline.get_history_item(readline.get_current_history_length()) == "who hosted?"
    for i in range(HISTORY_LENGTH + 5):
        editor.remember(f"q{i}")
    editor.save()
    lines = path.read_text().splitlines()
    assert len(lines) == HISTORY_LENGTH and lines[-1] == f"q{HISTORY_LENGTH + 4}"


def test_an_unusable_history_file_is_ignored(engine: Engine, readline, tmp_path: Path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    editor = LineEditor(engine, blocker / "history")  # its folder is a file: neither read nor written
    editor.remember("!stats")
    editor.save()
    assert blocker.read_text() == ""


def test_the_completer_answers_readline_state_by_state(engine: Engine, readline, tmp_path: Path):
    editor = LineEditor(engine, tmp_path / "history")
    assert [editor.completer("!who Park", i) for i in range(3)] == ["!who Park Won-soon", "!who Park Bo-kyeong", None]
