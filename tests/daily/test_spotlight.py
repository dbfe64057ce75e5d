"""The spotlight rotation over the shipped knowledge base, and `python -m bot summary`."""

from __future__ import annotations

import subprocess
import sys
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dates import parse_date
from bot.engine.spotlight import Rotation
from bot.kb.loader import KnowledgeBase
from bot.summarycli import summary_main

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def rotation(kb: KnowledgeBase) -> Rotation:
    return Rotation(kb)


def test_rotation_covers_every_member_the_event_and_themes(rotation: Rotation, kb: KnowledgeBase) -> None:
    keys = [i.key for i in rotation.items]
    assert len(keys) == len(set(keys))
    assert {f"country:{c.id}" for c in kb.members} <= set(keys)
    assert "event" in keys
    assert any(k.startswith(("topic:", "section:")) for k in keys)
    assert keys[0] == "event" or not keys[0].startswith("country:")  # themes spread among countries
    assert not any(a.startswith("country:") and b.startswith("country:") and c.startswith("country:")
                   for a, b, c in zip(keys, keys[1:], keys[2:], strict=False))


@settings(max_examples=60, deadline=None)
@given(start=st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_rotation_does_not_repeat_before_covering_everything(rotation: Rotation, start: date) -> None:
    n = len(rotation)
    seen = [rotation.item_for(start + timedelta(days=k)).key for k in range(n)]
    assert sorted(seen) == sorted(i.key for i in rotation.items)
    assert rotation.item_for(start + timedelta(days=n)).key == seen[0]


def test_deterministic_for_a_date(kb: KnowledgeBase, rotation: Rotation) -> None:
    day = date(2026, 1, 15)
    assert Rotation(kb).answer(day) == rotation.answer(day)
    assert rotation(day)[0] == rotation.item_for(day).key


def test_every_spotlight_dates_its_figures_and_cites_its_sections(rotation: Rotation, kb: KnowledgeBase) -> None:
    section_ids = {s.id for s in kb.article.sections}
    start = date(2026, 3, 1)
    for k in range(len(rotation)):
        answer = rotation.answer(start + timedelta(days=k))
        text = answer.to_text()
        assert "as of June 22, 2020" in text
        assert answer.sources and all(s.section in section_ids for s in answer.sources)
        for field in answer.fields:
            for line in field.value.splitlines():
                if line.startswith("•"):
                    assert line.rstrip().endswith("]"), line  # each item names its section and paragraph


def test_country_spotlight_shows_envoy_figures_and_a_quote(rotation: Rotation, kb: KnowledgeBase) -> None:
    day = next(date(2026, 1, 1) + timedelta(days=k) for k in range(len(rotation))
               if rotation.item_for(date(2026, 1, 1) + timedelta(days=k)).key.startswith("country:"))
    item = rotation.item_for(day)
    country = item.country
    text = rotation.answer(day).to_text()
    assert country.name in text
    assert kb.people[country.envoy].name in text
    assert f"{country.stats.value('confirmed'):,}" in text and f"{country.stats.value('deaths'):,}" in text
    quote = rotation.quote_for(day)
    if item.quotes:
        assert quote is not None and quote.text.strip() in text and quote in item.quotes


def test_quotes_come_from_the_knowledge_base_and_change_between_cycles(rotation: Rotation, kb: KnowledgeBase) -> None:
    ids = {q.id for q in kb.quotes}
    n = len(rotation)
    changed = 0
    for k in range(n):
        day = date(2026, 1, 1) + timedelta(days=k)
        q1, q2 = rotation.quote_for(day), rotation.quote_for(day + timedelta(days=n))
        assert q1 is None or q1.id in ids
        changed += q1 != q2
    assert changed >= n // 2
    cycle = [rotation.quote_for(date(2026, 1, 1) + timedelta(days=k)) for k in range(n)]
    used = [q.id for q in cycle if q is not None]
    assert len(used) - len(set(used)) <= 2  # a quote repeats within a cycle only when nothing else is left


def test_spotlight_fits_a_discord_embed(rotation: Rotation) -> None:
    render = pytest.importorskip("bot.discordbot.render")
    for k in range(len(rotation)):
        pages = render.render_embeds(rotation.answer(date(2026, 1, 1) + timedelta(days=k)))
        assert len(pages) == 1 and render.fits(pages[0].embed)


def test_summary_for_two_consecutive_days_differs(capsys, tmp_path) -> None:
    args = type("Args", (), {"config": tmp_path / "none.yaml", "knowledge": None, "date": "2020-06-22"})
    (tmp_path / "none.yaml").write_text("{}\n")
    assert summary_main(args) == 0
    first = capsys.readouterr().out
    args.date = "2020-06-23"
    assert summary_main(args) == 0
    second = capsys.readouterr().out
    assert first.startswith("Daily spotlight: ") and second.startswith("Daily spotlight: ")
    assert first.splitlines()[0] != second.splitlines()[0]
    assert "as of June 22, 2020" in first and "as of June 22, 2020" in second


def test_summary_bad_date_is_a_clear_error(capsys, tmp_path) -> None:
    (tmp_path / "c.yaml").write_text("{}\n")
    args = type("Args", (), {"config": tmp_path / "c.yaml", "knowledge": None, "date": "22/06/2020"})
    assert summary_main(args) == 2
    assert "YYYY-MM-DD" in capsys.readouterr().err


def test_default_date_is_today_in_the_configured_zone() -> None:
    from tests.daily.conftest import utc

    assert parse_date(None, "Asia/Seoul", utc(2024, 6, 1, 16, 0)) == date(2024, 6, 2)
    assert parse_date(None, "America/New_York", utc(2024, 6, 1, 3, 0)) == date(2024, 5, 31)


def test_summary_command_runs_without_discord() -> None:
    code = ("import sys, runpy; sys.argv=['bot', 'summary', '--date', '2020-06-22'];"
            "import bot.cli; rc = bot.cli.main(sys.argv[1:]);"
            "assert 'discord' not in sys.modules, 'discord imported'; raise SystemExit(rc)")
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert "Daily spotlight:" in proc.stdout


def test_summary_command_arguments(kb: KnowledgeBase) -> None:
    from bot.engine.spotlight import summary_day

    today = date(2026, 5, 1)
    assert summary_day("", today) == today
    assert summary_day(" Tomorrow ", today) == date(2026, 5, 2)
    assert summary_day("yesterday", today) == date(2026, 4, 30)
    assert summary_day("2020-06-22", today) == date(2020, 6, 22)
    for word in ("full", "FULL", "overview"):
        assert summary_day(word, today) is None
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        summary_day("vaccines please", today)


def test_summary_date_tomorrow_is_the_next_days_post_like_the_command(capsys, tmp_path) -> None:
    from bot.engine import Engine
    from bot.kb.loader import load_knowledge

    (tmp_path / "c.yaml").write_text("{}\n")
    args = type("Args", (), {"config": tmp_path / "c.yaml", "knowledge": None, "date": "tomorrow"})
    assert summary_main(args) == 0
    out = capsys.readouterr().out
    tomorrow = parse_date(None, "Asia/Seoul") + timedelta(days=1)
    assert out.splitlines()[0] == Rotation(load_knowledge()).answer(tomorrow).title
    assert out.splitlines()[0] == Engine(load_knowledge()).answer("!summary tomorrow").title
    assert parse_date("Yesterday", "UTC") == parse_date(None, "UTC") - timedelta(days=1)
