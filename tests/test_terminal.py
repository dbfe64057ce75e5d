"""The console's terminal rendering (ANSI on a terminal, plain text when piped) and its line cleaning."""

from __future__ import annotations

import io
import re

import pytest

from bot.answer import Answer, Field, SourceRef
from bot.engine import Engine
from bot.terminal import BOLD, RESET, clean_line, render, render_markup, styled

ANSI = re.compile(r"\x1b\[[0-9;]*m")
ANSWER = Answer(
    title="**Thailand**",
    body="Represented by **Romane Kanaruk**, Ambassador.\n```\nCountry   Cases\nThailand  3,151\n```",
    fields=(Field("Key points", "• one **point**"),),
    sources=(SourceRef("lead", "Heading", (3,)),),
    suggestions=("!who Lee Hyuk",),
)


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_rendering_has_no_markup_and_no_escapes():
    text = render(ANSWER, style=False)
    assert "**" not in text and "\x1b" not in text and "```" not in text
    assert text.startswith("Thailand\n\nRepresented by Romane Kanaruk, Ambassador.")
    assert "Key points:\n• one point" in text
    assert "Did you mean: !who Lee Hyuk?" in text
    assert text.endswith('Source: "Heading" ¶3')


def test_terminal_rendering_makes_bold_and_stands_the_title_out():
    text = render(ANSWER, style=True)
    assert f"{BOLD}Romane Kanaruk{RESET}" in text
    assert text.startswith(BOLD) and "**" not in text
    assert ANSI.sub("", text) == render(ANSWER, style=False)


@pytest.mark.parametrize("style", [True, False])
def test_fenced_lines_stay_verbatim_so_tables_stay_aligned(engine: Engine, style: bool):
    answer = engine.answer("!stats")
    fenced = answer.body.split("```")[1].strip("\n").split("\n")
    lines = render(answer, style).split("\n")
    assert all(line in lines for line in fenced)
    assert len({len(line) for line in fenced}) == 1  # the table is aligned to begin with
    assert "```" not in render(answer, style)


def test_markup_outside_fences_only():
    assert render_markup("a **b** `c`\n```\n**x** `y`\n```", style=False) == "a b c\n**x** `y`"


def test_plain_console_output_matches_to_text_but_for_markup(engine: Engine):
    for line in ("!country Laos", "!stats", "!help", "who hosted the roundtable?", "!who Park"):
        answer = engine.answer(line)
        assert render(answer, style=False) == render_markup(answer.to_text(), style=False)


def test_echoed_escape_codes_never_reach_the_terminal():
    answer = Answer(title="No command “!\x1b]0;pwned\x07x\x1b[2J”", body="b\x1b[31m")
    assert "\x1b" not in ANSI.sub("", render(answer, style=True))
    assert "\x1b" not in render(answer, style=False)


def test_styled_only_on_a_terminal_that_wants_it(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert styled(Tty()) and not styled(io.StringIO())
    monkeypatch.setenv("NO_COLOR", "1")
    assert not styled(Tty())
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "dumb")
    assert not styled(Tty())


@pytest.mark.parametrize(("typed", "clean"), [
    ("\x1b[A", ""),
    ("\x1b[A\x1b[B!stats", "!stats"),
    ("\x1b[200~who hosted it?\x1b[201~", "who hosted it?"),
    ("!stats\x1bOA", "!stats"),
    ("who\x1b[1;5D hosted", "who hosted"),
    ("\x1b]0;title\x07!event", "!event"),
    ("ab\x7f\x08c\td", "abc d"),
    ("Việt Nam ประเทศไทย 캄보디아", "Việt Nam ประเทศไทย 캄보디아"),
    ("trailing \x1b[", "trailing "),
])
def test_clean_line_strips_terminal_sequences(typed: str, clean: str):
    assert clean_line(typed) == clean
