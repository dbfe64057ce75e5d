"""`python -m bot misses`: the grouped report from the bot's store, as text or CSV, quickly on a big table."""

from __future__ import annotations

import csv
import io
import random
import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from bot import cli
from bot.daily.store import DailyStore

COUNTRIES = ("indonesia", "vietnam", "thailand", "malaysia", "the philippines", "singapore", "cambodia", "laos",
             "myanmar", "brunei")
TOPICS = ("population", "gdp", "capital", "president", "currency", "language", "flag", "football team",
          "weather", "tourism", "exports", "army", "religion", "national dish", "time zone", "prime minister",
          "oil production", "rice harvest", "internet speed", "stock market")
WORDINGS = ("what is the {t} of {c}", "whats {c}s {t}?", "{t} of {c}?", "tell me about {c}'s {t}")


def database(tmp_path: Path, rows: list[tuple[int, str, str, str | None, str]]) -> Path:
    """A store with these misses rows (guild, question, kind, voter, at), and a config file naming it."""
    path = tmp_path / "bot.sqlite3"
    DailyStore(path).close()  # created and migrated as the bot would
    db = sqlite3.connect(path)
    with db:  # one transaction for every row
        db.executemany("INSERT INTO misses (guild_id, question, kind, voter, at) VALUES (?, ?, ?, ?, ?)", rows)
    db.close()
    config = tmp_path / "config.yaml"
    config.write_text(f"database_path: {path}\n", encoding="utf-8")
    return config


def now_minus(days: float) -> str:
    return (datetime.now(UTC) - timedelta(days=days)).isoformat()


def big_table(n: int = 10_000, seed: int = 1) -> list[tuple[int, str, str, str | None, str]]:
    """`n` rows over 200 questions in four wordings each, a tenth of them presses, over the last 29 days."""
    rng = random.Random(seed)
    rows = []
    for i in range(n):
        question = rng.choice(WORDINGS).format(c=rng.choice(COUNTRIES), t=rng.choice(TOPICS))
        voter = f"v{i}" if i % 10 == 0 else None
        rows.append((rng.choice((1, 2)), question, rng.choice(("not_covered", "unsure", "closest")), voter,
                     now_minus(rng.uniform(0, 29))))
    return rows


def test_the_report_groups_similar_questions(tmp_path, capsys) -> None:
    config = database(tmp_path, [
        (1, "whats indonesias population", "not_covered", None, now_minus(1)),
        (1, "population of indonesia?", "unsure", None, now_minus(2)),
        (1, "population of indonesia?", "not_covered", "pressed-once", now_minus(2)),
        (1, "who won the football", "not_covered", None, now_minus(5)),
        (2, "population of indonesia?", "not_covered", None, now_minus(2.5)),
        (1, "population of indonesia?", "not_covered", None, now_minus(40)),  # older than feedback_days
    ])
    assert cli.main(["misses", "--config", str(config), "--guild", "1"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Misses and Not helpful presses, last 30 days, server 1: 2 group(s)")
    assert out[1] == "3× “population of indonesia?” (2 wordings) — not_covered 2, unsure 1 · 1 not helpful"
    assert out[2].startswith("1× “who won the football”")
    assert cli.main(["misses", "--config", str(config), "--format", "csv", "--days", "3"]) == 0
    table = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert table[0] == ["question", "wordings", "misses", "not_helpful", "kinds"]
    assert table[1][:4] == ["population of indonesia?", "2", "3", "1"]  # both servers
    assert len(table) == 2  # the football question is five days old


def test_a_missing_database_is_an_error_and_is_not_created(tmp_path, capsys) -> None:
    config = tmp_path / "config.yaml"
    config.write_text(f"database_path: {tmp_path / 'none.sqlite3'}\n", encoding="utf-8")
    assert cli.main(["misses", "--config", str(config)]) == 2
    assert "no database" in capsys.readouterr().err
    assert not (tmp_path / "none.sqlite3").exists()


def distinct_table(n: int = 10_000, seed: int = 2) -> list[tuple[int, str, str, str | None, str]]:
    """`n` rows, every question different (five random words): the fuzzy pass's worst case."""
    rng = random.Random(seed)
    vocab = ["".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(4, 9))) for _ in range(3000)]
    return [(1, " ".join(rng.choice(vocab) for _ in range(5)), "not_covered", None, now_minus(rng.uniform(0, 29)))
            for _ in range(n)]


@pytest.mark.parametrize(("data", "fmt", "expected"), [
    ("repeated", "text", (150, 250)), ("repeated", "csv", (150, 250)), ("distinct", "text", (9_900, 10_000))])
def test_ten_thousand_rows_are_reported_in_under_a_second(tmp_path, capsys, data, fmt, expected) -> None:
    config = database(tmp_path, big_table() if data == "repeated" else distinct_table())
    cli.main(["misses", "--config", str(config), "--days", "1"])  # imports done once, as a fresh process would
    capsys.readouterr()
    started = time.process_time()  # the work's own CPU time, the store's thread too: other jobs do not count
    assert cli.main(["misses", "--config", str(config), "--format", fmt]) == 0
    took = time.process_time() - started
    out = capsys.readouterr().out
    assert took < 1.0, f"the report took {took:.2f} s of CPU time"
    groups = len(out.splitlines()) - 1 if fmt == "csv" else int(out.split(": ")[1].split()[0])
    low, high = expected  # 200 questions in four wordings each are grouped, not one group per wording
    assert low <= groups <= high
