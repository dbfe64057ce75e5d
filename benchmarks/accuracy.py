"""Accuracy of the engine and its peers on the question sets, judged as the shared scorer judges.

The sets: `shared/eval/dev.yaml` and `shared/eval/dev-2.yaml` beside the repository (when present) and the
public `tests/data/questions.yaml`. An item is right when every `expect` string is in the answer, one string
of each `any` list is, and no `forbid` string is (after the scorer's normalising). The check is the one of
`shared/eval/score.py`, loaded from there when it is present, else its copy in tests/engine/test_question_set.py.
Items with `turns:` (conversations) are left out: a retrieval peer has no conversation, so they are the
engine's alone (`python shared/eval/score.py` scores them).
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED_EVAL = ROOT.parent / "shared" / "eval"
SETS = {"dev": SHARED_EVAL / "dev.yaml", "dev-2": SHARED_EVAL / "dev-2.yaml",
        "questions": ROOT / "tests" / "data" / "questions.yaml"}

Item = dict[str, Any]
Check = Callable[[Item, str], bool]


def checker() -> tuple[str, Check]:
    """(where the check comes from, item-and-answer -> right)."""
    score = SHARED_EVAL / "score.py"
    if score.is_file():
        spec = importlib.util.spec_from_file_location("shared_eval_score", score)
        if spec and spec.loader:
            module = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(module)

            def shared(item: Item, answer: str) -> bool:
                miss, bad = module.check(item, answer)
                return not miss and not bad

            return "shared/eval/score.py", shared
    from tests.engine.test_question_set import problems

    return "tests/engine/test_question_set.py", lambda item, answer: not problems(item, answer)


def question_sets() -> dict[str, dict[str, Any]]:
    """{set name: {"items": single-question items with expectations, "conversations": items left out}}."""
    out: dict[str, dict[str, Any]] = {}
    for name, path in SETS.items():
        if not path.is_file():
            continue
        items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        single = [i for i in items if "turns" not in i and any(i.get(k) for k in ("expect", "any", "forbid"))]
        same = next((other for other, data in out.items() if data["items"] == single), None)
        out[name] = {"items": single, "conversations": sum("turns" in i for i in items), "same_as": same}
    return out


def score(answerers: dict[str, Callable[[str], str]]) -> dict[str, Any]:
    """Right answers of each answerer on each set: {"check": ..., "sets": {set: {"n", "conversations", name: k}}}."""
    source, right = checker()
    sets: dict[str, Any] = {}
    for set_name, data in question_sets().items():
        row: dict[str, Any] = {"n": len(data["items"]), "conversations": data["conversations"],
                               "same_as": data["same_as"]}
        for name, answer in answerers.items():
            row[name] = sum(right(item, answer(str(item["q"]))) for item in data["items"])
        sets[set_name] = row
    return {"check": source, "sets": sets}
