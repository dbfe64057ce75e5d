"""The public question set and our own: every answer must contain the facts listed, and nothing forbidden."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

DATA = Path(__file__).resolve().parents[1] / "data"
PUBLIC = yaml.safe_load((DATA / "questions.yaml").read_text(encoding="utf-8"))
OWN = yaml.safe_load((DATA / "more_questions.yaml").read_text(encoding="utf-8"))
QUESTIONS = PUBLIC + OWN


def norm(s: str) -> str:
    """Fold case, quotes, dashes, markdown and thousands separators, as the scorer does."""
    s = s.lower().replace("\u2019", "'").replace("\u2018", "'").replace("\u201c", '"').replace("\u201d", '"')
    s = s.replace("\u2013", "-").replace("\u2014", "-").replace("\\$", "$")
    s = re.sub(r"[*`]", "", s)
    s = re.sub(r"(?<=\d),(?=\d{3}\b)", "", s)
    return re.sub(r"\s+", " ", s).strip()


def problems(item: dict, answer: str) -> list[str]:
    a = norm(answer)
    out = [f"missing {e!r}" for e in item.get("expect") or [] if norm(e) not in a]
    out += [f"missing one of {alts!r}" for alts in item.get("any") or [] if not any(norm(x) in a for x in alts)]
    out += [f"forbidden {f!r}" for f in item.get("forbid") or [] if norm(f) in a]
    return out


@pytest.mark.parametrize("item", QUESTIONS, ids=[q["id"] for q in QUESTIONS])
def test_question(item, ask):
    answer = ask(item["q"])
    assert not problems(item, answer), answer


def test_public_question_set_score(ask):
    ok = sum(not problems(item, ask(item["q"])) for item in PUBLIC)
    assert ok / len(PUBLIC) >= 0.95
