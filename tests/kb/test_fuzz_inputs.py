"""Knowledge-base and config files that are huge, deeply nested, alias bombs, duplicated or of any shape:
always one clear error naming the file (and key), never a traceback, and in bounded time.

tests/kb/test_kb_validation.py covers the ordinary mistakes in the knowledge base (syntax, unknown keys,
wrong types, missing keys, broken references, duplicate fact, quote and country ids) and fuzzes
countries.yaml; tests/discordbot/test_config.py the ordinary config mistakes; tests/e2e/test_admin.py
that `!reload` with a broken file keeps the old base. This file adds what those leave out.
"""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.config import ConfigError, Settings, load_settings
from bot.kb.errors import KnowledgeError
from bot.kb.loader import default_knowledge_dir, load_knowledge

BOUND = 10.0  # seconds: a refusal is never slow (each case below takes well under one)

BOMB = "".join(f"{b}: &{b} [" + ", ".join([f"*{a}"] * 9) + "]\n" for a, b in zip("abcdefg", "bcdefgh", strict=True))
HUGE_ITEMS = "  - " + "x" * 1000 + "\n"


@pytest.fixture(scope="module")
def knowledge(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("inputs") / "knowledge"
    shutil.copytree(default_knowledge_dir(), root)
    return root


@pytest.fixture
def restore(knowledge: Path):
    """Put back every file a test broke."""
    saved = {p.name: p.read_bytes() for p in knowledge.iterdir()}
    yield knowledge
    for name, data in saved.items():
        (knowledge / name).write_bytes(data)


def refused(root: Path, file: str) -> KnowledgeError:
    start = time.perf_counter()
    with pytest.raises(KnowledgeError) as info:
        load_knowledge(root)
    assert time.perf_counter() - start < BOUND
    assert info.value.file == str(root / file), str(info.value)
    assert "\n" not in str(info.value)
    return info.value


@pytest.mark.parametrize(("name", "text", "problem"), [
    ("deep list", "countries: " + "[" * 20_000 + "]" * 20_000 + "\n", "nesting depth"),
    ("deep mapping", "countries:\n" + "".join(" " * i + f"k{i}:\n" for i in range(3000)), "nesting depth"),
    ("alias bomb", "a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB + "countries: [*h, *h, *h]\n", "unknown top-level"),
    ("alias bomb inside", "countries:\n  - id: x\n    aliases: &a [[*a]]\n", ""),
    ("huge list of garbage", "countries:\n" + HUGE_ITEMS * 20_000, "countries[0]: expected object"),
    ("huge scalar", "countries: " + "y" * 20_000_000 + "\n", "expected array"),
    ("binary", "\x00\x01\x02 countries", ""),
])
def test_pathological_files_are_refused_quickly(restore, name, text, problem):
    (restore / "countries.yaml").write_text(text, encoding="utf-8")
    assert problem in str(refused(restore, "countries.yaml"))


@pytest.mark.parametrize(("file", "key"), [("people.yaml", "people"), ("organizations.yaml", "organizations"),
                                           ("topics.yaml", "topics")])
def test_duplicate_ids_in_every_table(restore, file, key):
    data = yaml.safe_load((restore / file).read_text(encoding="utf-8"))
    first = data[key][0]
    data[key].append(dict(first))
    (restore / file).write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    error = refused(restore, file)
    last = [n for n, line in enumerate((restore / file).read_text(encoding="utf-8").splitlines(), 1)
            if line.startswith("- id:") or line.startswith("  - id:")][-1]
    assert re.fullmatch(rf"[a-z ]+ {re.escape(repr(first['id']))} \(line {last}\): id", error.where), error.where
    assert f"duplicate id {first['id']!r}" in error.problem


def test_a_huge_valid_file_loads(restore):
    """Many more records than the article has: slow-ish, but loaded, not refused."""
    facts = yaml.safe_load((restore / "facts.yaml").read_text(encoding="utf-8"))["facts"]
    many = [{**f, "id": f"{f['id']}-{n}"} for n in range(10) for f in facts]
    (restore / "facts.yaml").write_text(yaml.safe_dump({"facts": many}, sort_keys=False), encoding="utf-8")
    assert len(load_knowledge(restore).facts) == len(many)


# --- config files --------------------------------------------------------------------------------
@pytest.mark.parametrize(("text", "message"), [
    ("owners: " + "[" * 20_000 + "]" * 20_000, "invalid YAML: exceeded maximum nesting depth"),
    ("a: &a [x, x, x, x, x, x, x, x, x]\n" + BOMB + "owners: [*h]\n", "a: unknown key"),
    ("prefix: " + "z" * 10_000_000, "prefix: expected str of length <= 5"),
    ("owners:\n" + "  - 1\n" * 50_000 + "cooldown: {rate: 0}\n", "cooldown.rate: expected int >= 1"),
    ("owners: [1]\nowners: [2]\n", "duplicate key"),
    ("cooldown: [1, 2]\n", "cooldown: expected `object`, got `array`".replace("`", "")),
    ("daily: 5\n", "daily: expected object, got int"),
    ("\x00", "invalid YAML"),
])
def test_pathological_configs_are_one_line(tmp_path, text, message):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text, encoding="utf-8")
    start = time.perf_counter()
    with pytest.raises(ConfigError) as info:
        load_settings(cfg)
    assert time.perf_counter() - start < BOUND
    assert str(info.value).startswith(f"{cfg}: ") and message in str(info.value), str(info.value)
    assert "\n" not in str(info.value)


_scalars = st.none() | st.booleans() | st.integers(-10**6, 10**6) | st.floats(allow_nan=True) | st.text(max_size=8)
_keys = st.sampled_from([*Settings.__struct_fields__, "rate", "per", "channel", "time"]) | st.text(max_size=5)
_values = st.recursive(_scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_keys, inner, max_size=4),
                       max_leaves=10)
_configs = (st.dictionaries(st.sampled_from(Settings.__struct_fields__), _values, max_size=5).map(
    lambda d: yaml.safe_dump(d, allow_unicode=True)) | _values.map(lambda v: yaml.safe_dump(v, allow_unicode=True))
    | st.text(alphabet=":-[]{}?!&*|>'\"#%@ ,\n\tabno01", max_size=60))


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=_configs)
def test_any_config_file_gives_settings_or_one_line(tmp_path, text):
    cfg = tmp_path / "config.yaml"
    cfg.write_text(text, encoding="utf-8")
    try:
        settings_ = load_settings(cfg)
    except ConfigError as exc:
        assert "\n" not in str(exc) and str(exc).startswith(str(cfg))
    else:
        assert isinstance(settings_, Settings)
