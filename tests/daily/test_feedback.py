"""Answer feedback: grouping the misses, and storing them on both back ends (presses once per user, expiry)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta

from bot.answer import Answer, SourceRef
from bot.daily.feedback import FeedbackService, Miss, feedback_kind, group_misses, normalise, report_csv, report_lines
from bot.daily.store import MIGRATIONS, SCHEMA_VERSION, DailyStore
from bot.engine.passages import CLOSEST_TITLE

from .conftest import Backend, FakeClock, utc

GUILD = 42


def miss(question: str, kind: str = "not_covered", pressed: bool = False) -> Miss:
    return Miss(question, kind, utc(2024, 6, 1), GUILD, pressed=pressed)


def test_questions_are_normalised_before_comparing() -> None:
    assert normalise("What's Indonesia's population?") == "indonesia population"
    assert normalise("whats indonesias population") == "indonesia population"
    assert normalise("population of indonesia?") == "population indonesia"
    assert normalise("what is") == "what is"  # only filler words: kept rather than nothing


def test_similar_questions_are_one_group_most_frequent_first() -> None:
    rows = [miss("whats indonesias population"), miss("population of indonesia?"),
            miss("Population of Indonesia", "unsure"), miss("population of indonesia?", pressed=True),
            miss("who won the football match"), miss("what is the weather in Hanoi"),
            miss("what is the weather in hanoi?")]
    groups = group_misses(rows)
    assert [g.total for g in groups] == [4, 2, 1]
    top = groups[0]
    assert set(top.wordings) == {"whats indonesias population", "population of indonesia?", "Population of Indonesia"}
    assert top.question == "population of indonesia?"  # the most asked wording
    assert (top.asked, top.pressed) == (3, 1)
    assert top.kinds == {"not_covered": 3, "unsure": 1}
    assert "weather" in groups[1].question


def test_the_report_is_inert() -> None:
    groups = group_misses([miss("@everyone see [this](https://evil.example) <@123>"), miss("=cmd|' /C calc'!A0")])
    text = "\n".join(report_lines(groups)) + report_csv(groups)
    assert "@everyone" not in text and "](" not in text and "https://evil" not in text and "<@" not in text
    assert "\n'=cmd" in report_csv(groups)  # no spreadsheet formula either


def test_the_kind_an_answer_is_filed_under() -> None:
    assert feedback_kind(Answer(title="Not in the article", kind="not_covered")) == "not_covered"
    assert feedback_kind(Answer(title="Which country?", kind="unsure")) == "unsure"
    assert feedback_kind(Answer(title=CLOSEST_TITLE)) == "closest"
    assert feedback_kind(Answer(title="From the article")) == "answer"


async def test_misses_are_recorded_only_where_turned_on(backend: Backend) -> None:
    store = await backend.open()
    clock = FakeClock(utc(2024, 6, 1))
    try:
        service = FeedbackService(store, days=30, clock=clock)
        missed = Answer(title="Not in the article", kind="not_covered", sources=(SourceRef("lead", "Lead", (1, 2)),))
        assert not await store.feedback_enabled(GUILD)  # off by default
        assert not await service.answered(GUILD, "who won the match", missed)
        await service.set_enabled(GUILD, True, updated_by=7)
        assert await store.feedback_enabled(GUILD)
        assert await service.answered(GUILD, "who won the match", missed)
        assert not await service.answered(GUILD, "who is the host", Answer(title="From the article"))
        assert not await service.answered(None, "who won the match", missed)  # never in DMs
        [row] = await store.misses(clock() - timedelta(days=1))
        assert (row.question, row.kind, row.guild_id, row.sources, row.pressed) == (
            "who won the match", "not_covered", GUILD, "lead:1,2", False)
        assert await store.misses(clock() - timedelta(days=1), guild_id=GUILD + 1) == []
    finally:
        await store.close()


async def test_a_press_counts_once_per_user_per_answer_and_keeps_no_user_id(backend: Backend) -> None:
    store = await backend.open()
    clock = FakeClock(utc(2024, 6, 1))
    try:
        service = FeedbackService(store, days=30, clock=clock)
        assert await service.pressed(GUILD, "who won", "not_covered", (), user_id=111111, message_id=9)
        assert not await service.pressed(GUILD, "who won", "not_covered", (), user_id=111111, message_id=9)
        assert await service.pressed(GUILD, "who won", "not_covered", (), user_id=222222, message_id=9)
        assert await service.pressed(GUILD, "who won", "not_covered", (), user_id=111111, message_id=10)
        [group] = await service.report(GUILD)
        assert (group.asked, group.pressed) == (0, 3)
    finally:
        await store.close()
    if backend.kind == "sqlite":
        db = sqlite3.connect(backend.target)
        dump = "\n".join(db.iterdump())
        db.close()
        assert "111111" not in dump and "222222" not in dump


async def test_rows_older_than_feedback_days_are_deleted(backend: Backend) -> None:
    store = await backend.open()
    clock = FakeClock(utc(2024, 6, 1))
    try:
        service = FeedbackService(store, days=30, clock=clock)
        await service.set_enabled(GUILD, True)
        missed = Answer(title="Not in the article", kind="not_covered")
        await service.answered(GUILD, "old question", missed)
        await service.pressed(GUILD, "old press", "unsure", (), 1, 2)
        clock.advance(timedelta(days=20).total_seconds())
        await service.answered(GUILD, "newer question", missed)
        assert len(await service.report()) == 3
        assert [g.question for g in await service.report(days=10)] == ["newer question"]
        clock.advance(timedelta(days=11).total_seconds())  # the first two are 31 days old
        await service.answered(GUILD, "newest question", missed)  # recording deletes them
        assert len(await store.misses(utc(2000, 1, 1))) == 2
        clock.advance(timedelta(days=30, seconds=1).total_seconds())
        assert await service.report() == []  # so does the report
        assert await store.misses(utc(2000, 1, 1)) == []
    finally:
        await store.close()


def test_a_version_1_file_is_migrated_keeping_its_rows(tmp_path) -> None:
    path = tmp_path / "daily.sqlite3"
    db = sqlite3.connect(path)
    for statement in MIGRATIONS[0]:
        db.execute(statement)
    db.execute("INSERT INTO channels (channel_id, post_time, timezone, since, updated_at) "
               "VALUES (5, '09:00', 'UTC', '2024-01-01T00:00:00+00:00', '2024-01-01T00:00:00+00:00')")
    db.execute("PRAGMA application_id = 1095978562")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    store = DailyStore(path)
    try:
        assert [c.channel_id for c in store.channels()] == [5]
        assert not store.feedback_enabled(GUILD)
        store.add_miss(miss("a question"), utc(2024, 1, 1))
        assert [m.question for m in store.misses(utc(2024, 1, 1))] == ["a question"]
    finally:
        store.close()
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 2
    db.close()
