"""User text the engine echoes back (titles, "not covered" lines, suggestions) never links and never reorders text."""

from __future__ import annotations

import re

import pytest

from bot.engine import Engine
from bot.engine.format import sanitize

BIDI = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")
LINK = re.compile(r"\]\(|https?://(?!\u200b)|<https?:", re.IGNORECASE)

HOSTILE = (
    "[Official Thailand](https://evil.example/login)",
    "<https://evil.example/login> and https://evil.example",
    "Thai\u202eland\u202c \u2066x\u2069 [a](<http://b.example>)",
)


@pytest.mark.parametrize("text", HOSTILE)
def test_sanitize_leaves_no_link_and_no_bidi_control(text: str) -> None:
    out = sanitize(text)
    assert not LINK.search(out), out
    assert not BIDI.search(out), out
    assert "evil.example" in out or "Thai" in out  # still readable


@pytest.mark.parametrize("text", HOSTILE)
def test_every_command_and_question_echoes_user_text_inertly(engine: Engine, text: str) -> None:
    lines = [f"!{s.name} {text}" for s in engine.available_specs()]
    lines += [f"!contry {text}", f"!{text}", f"who is {text}?", f"what did {text} say?", text]
    for line in lines:
        answer = engine.answer(line)
        shown = "\n".join([answer.to_text(), *answer.suggestions])
        assert not LINK.search(shown), (line, shown)
        assert not BIDI.search(shown), (line, shown)
