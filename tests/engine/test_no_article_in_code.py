"""The code names nothing of the article: its words live in knowledge/, so another knowledge base needs no code change.

Every string constant under bot/ that is not a docstring is checked against the article's countries (names,
official names, aliases, demonyms) and people (names and multi-word aliases: one-word aliases such as "Long"
or "Oh" are ordinary English words), read from knowledge/, plus a few fixed words of the article. Country
codes ("SG", "MY", "TH") are looked for in capitals only: "my" and the "th" of "4th" are not names.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
FIXED_WORDS = ("ASEAN", "COVID-19", "COVID", "June 22", "Korea", "roundtable")
# The article's demonyms the knowledge base does not list as a country's (Korea is a partner without any).
EXTRA_DEMONYMS = ("Korean", "Koreans")


def _docstrings(tree: ast.AST) -> set[int]:
    """ids of the Constant nodes that are docstrings (module, class, function)."""
    out: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Module | ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                out.add(id(body[0].value))
    return out


def string_constants(path: Path) -> list[tuple[int, str]]:
    """(line, text) of every string constant of a module that is not a docstring."""
    tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
    skip = _docstrings(tree)
    return [(node.lineno, node.value) for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in skip]


@cache
def forbidden_names() -> tuple[str, ...]:
    """The article's names, from knowledge/, and the fixed words."""
    knowledge = ROOT / "knowledge"
    countries = yaml.safe_load((knowledge / "countries.yaml").read_text(encoding="utf-8"))["countries"]
    people = yaml.safe_load((knowledge / "people.yaml").read_text(encoding="utf-8"))["people"]
    names: set[str] = set(FIXED_WORDS) | set(EXTRA_DEMONYMS)
    for c in countries:
        names.update(n for n in [c["name"], c["official_name"], *c.get("aliases", []), *c.get("demonyms", [])]
                     if not is_code(n))
    for p in people:
        names.add(p["name"])
        names.update(a for a in p.get("aliases", []) if len(a.split()) > 1)
    return tuple(sorted(names, key=lambda n: (-len(n), n)))


def is_code(name: str) -> bool:
    """A country code such as "SG" or "ROK": capitals, at most three letters."""
    return name.isupper() and len(name) <= 3


def forbidden_codes() -> tuple[str, ...]:
    """The countries' codes, compared in capitals."""
    knowledge = ROOT / "knowledge"
    countries = yaml.safe_load((knowledge / "countries.yaml").read_text(encoding="utf-8"))["countries"]
    return tuple(sorted({a for c in countries for a in c.get("aliases", []) if is_code(a)}))


@cache
def forbidden_pattern() -> re.Pattern[str]:
    """One case-insensitive pattern of every forbidden name, on word boundaries."""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in forbidden_names()) + r")(?!\w)", re.IGNORECASE)


@cache
def codes_pattern() -> re.Pattern[str]:
    """The country codes, in capitals, on word boundaries."""
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in forbidden_codes()) + r")(?!\w)")


def offenders(paths: list[Path]) -> list[str]:
    """`file:line: 'name' in 'text'` for every string constant naming the article."""
    patterns = (forbidden_pattern(), codes_pattern())
    found = []
    for path in paths:
        for line, text in string_constants(path):
            m = next((m for pattern in patterns if (m := pattern.search(text))), None)
            if m:
                found.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0)!r} in {text[:60]!r}")
    return found


def test_the_list_comes_from_knowledge() -> None:
    names = {n.lower() for n in forbidden_names()}
    assert {"vietnam", "viet nam", "thai", "vietnamese", "lee hyuk", "park won-soon", "lao pdr", "korea"} <= names
    assert "long" not in names and "oh" not in names


def test_the_check_finds_a_name(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text('"""About Vietnam (a docstring: allowed)."""\nX = "the thai envoy"\nY = "a long day"\n')
    assert [line for line, _ in string_constants(module)] == [2, 3]
    assert forbidden_pattern().search("the thai envoy")
    assert not forbidden_pattern().search("a long day, oh well, thailandish")
    assert codes_pattern().search("cases in SG") and not codes_pattern().search("my 4th question")


def test_no_string_constant_in_bot_names_the_article() -> None:
    found = offenders(sorted((ROOT / "bot").rglob("*.py")))
    assert not found, "article words in code (move them to knowledge/):\n" + "\n".join(found)
