"""`python -m bot console` in a pseudo-terminal, as a person types into it: answers, history with the Up arrow,
Tab completion, Ctrl-D and Ctrl-C; and the same console piped, with plain text out."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pexpect = pytest.importorskip("pexpect")

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT = 30  # generous: a slow machine must not fail, and a passing run takes a second or two
UP = "\x1b[A"
ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")  # readline switching bracketed paste on and off


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture
def env(tmp_path: Path, cache: Path) -> dict[str, str]:
    """A user of their own: HOME and the data folder in a temporary directory; the engine cache shared."""
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items()
           if k not in ("DISCORD_TOKEN", "BOT_KNOWLEDGE_DIR", "BOT_NO_CACHE", "BOT_HISTORY_FILE", "NO_COLOR")}
    env.update(HOME=str(home), XDG_DATA_HOME=str(home / "data"), BOT_CACHE_DIR=str(cache), TERM="xterm",
               PYTHONIOENCODING="utf-8")
    return env


def spawn(env: dict[str, str]):
    child = pexpect.spawn(sys.executable, ["-m", "bot", "console"], cwd=str(ROOT), env=env, encoding="utf-8",
                          timeout=TIMEOUT, dimensions=(24, 200))
    child.expect_exact("Try !help")
    child.expect_exact("ask> ")
    return child


def answer(child, line: str, expected: str) -> str:
    """Type `line` (with Enter), wait for `expected` and the next prompt; the output up to that prompt."""
    child.send(line + "\r")
    child.expect_exact(expected)
    seen = child.before + child.after
    child.expect_exact("ask> ")
    return seen + child.before


def test_typing_history_completion_and_ctrl_d(env: dict[str, str]):
    child = spawn(env)
    try:
        out = answer(child, "!ambassador Thailand", "Romane Kanaruk")
        assert "\x1b[1mRomane Kanaruk\x1b[0m" in out and "**" not in out  # bold on a terminal, no markup

        answer(child, UP, "Romane Kanaruk")  # the Up arrow recalls the question; Enter asks it again

        child.send("!coun\t")  # Tab completes the command, and the space after it
        child.expect_exact("try")
        answer(child, "Laos", "Thiang Boupha")

        child.sendeof()
        child.expect(pexpect.EOF)
        assert ESCAPE.sub("", child.before) == "\r\n"  # a new line, and no traceback
    finally:
        child.close()
    assert child.exitstatus == 0 and child.signalstatus is None
    history = Path(env["XDG_DATA_HOME"], "article-bot", "history").read_text().splitlines()
    assert history == ["!ambassador Thailand", "!country Laos"]


def test_history_outlives_the_session_and_ctrl_c_leaves_cleanly(env: dict[str, str]):
    history = Path(env["XDG_DATA_HOME"], "article-bot", "history")
    history.parent.mkdir(parents=True, exist_ok=True)
    history.write_text("!who Park Won-soon\n")
    child = spawn(env)
    try:
        answer(child, UP, "Seoul Mayor")  # the last line of an earlier session
        answer(child, "\x1b[200~!event\x1b[201~", "Sponsor")  # a bracketed paste is read as the text pasted
        child.sendintr()
        child.expect(pexpect.EOF)
        assert "Traceback" not in child.before
    finally:
        child.close()
    assert child.exitstatus == 0


def test_piped_console_prints_plain_text(env: dict[str, str]):
    done = subprocess.run([sys.executable, "-m", "bot", "console"], cwd=ROOT, env=env, capture_output=True,
                          text=True, encoding="utf-8", timeout=60, input="!ambassador Thailand\n\x1b[A\n!stats\n")
    assert done.returncode == 0, done.stderr
    assert "Romane Kanaruk" in done.stdout and "46,845" in done.stdout
    assert "**" not in done.stdout and "\x1b" not in done.stdout and "```" not in done.stdout
    assert done.stdout.count("Romane Kanaruk") == 1  # the escape sequence alone was no question
