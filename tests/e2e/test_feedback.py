"""Answer feedback end to end: the Not helpful button, misses where `/feedback on`, expiry and `/feedback report`."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.daily.aiostore import AsyncStore
from bot.daily.feedback import Miss

from .conftest import BotFactory
from .fake_discord import FakeDiscord, sent

MISSED = "whats indonesias population"  # not in the article
LONG = "what exactly did the article say about the population of indonesia and how it compares to its neighbours"


class Clock:
    """A settable clock for the bot's feedback service."""

    def __init__(self) -> None:
        self.now = datetime(2024, 6, 1, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def store(tmp_path) -> AsyncIterator[AsyncStore]:
    s = await AsyncStore.open(tmp_path / "bot.sqlite3")
    yield s
    await s.close()


@pytest.fixture
async def bot(start_bot: BotFactory, store: AsyncStore) -> Any:
    bot: Any = await start_bot(options={"store": store})
    bot.feedback.clock = Clock()
    return bot


async def ask(fake: FakeDiscord, content: str, **kwargs: Any) -> dict[str, Any]:
    """The message the bot posted in answer to `content`, once the bot has done everything it does for it."""
    n = len(fake.requests)
    await fake.send_message(content, channel="ask", **kwargs)
    post = await fake.next_post(after=n)
    await fake.quiet(n)
    return fake.messages[next(m for m in fake.messages if fake.messages[m].get("sent") is post.body)]


async def press(fake: FakeDiscord, msg: dict[str, Any], user: str) -> dict[str, Any]:
    n = len(fake.requests)
    await fake.click(msg, "Not helpful", user=user)
    return (await fake.wait_for(lambda r: "/callback" in r.path, after=n)).body


async def slash_feedback(fake: FakeDiscord, action: str, user: str = "admin") -> dict[str, Any]:
    n = len(fake.requests)
    await fake.slash("feedback", {"action": action}, user=user)
    post = await fake.next_post(after=n)
    if "/callback" in post.path and post.body["type"] == 5:  # deferred: the report is a follow-up
        post = await fake.wait_for(lambda r: r.method == "POST" and r.path.startswith("/webhooks/"), after=n)
    await fake.quiet(n)
    return sent(post)


async def rows(store: AsyncStore) -> list[Miss]:
    return await store.misses(datetime(2000, 1, 1, tzinfo=UTC))


def buttons(msg: dict[str, Any]) -> dict[str, str]:
    return {c["label"]: c["custom_id"] for row in msg["components"] for c in row["components"]}


async def test_a_press_is_counted_once_per_user_and_thanked_privately(bot, fake, store):
    msg = await ask(fake, MISSED)
    assert all(len(custom_id) <= 100 for custom_id in buttons(msg).values())
    assert buttons(msg)["Not helpful"].startswith("rt:nh:n:")
    for user in ("member", "member", "admin"):
        reply = await press(fake, msg, user)
        assert reply["type"] == 4 and reply["data"]["flags"] & 64
        assert reply["data"]["content"] == "Thanks — noted."
    pressed = await rows(store)
    assert len(pressed) == 2  # member twice counts once
    assert {(r.question, r.kind, r.pressed, r.guild_id) for r in pressed} == {
        (MISSED, "not_covered", True, int(fake.world.guild_id))}
    assert pressed[0].sources  # read from the answer's Source button


async def test_a_long_question_is_read_from_the_message_it_answers(bot, fake, store):
    msg = await ask(fake, LONG)
    assert buttons(msg)["Not helpful"].endswith(":^")
    await press(fake, msg, "member")
    assert [r.question for r in await rows(store)] == [LONG]


async def test_misses_are_recorded_only_once_the_admins_turn_them_on(bot, fake, store):
    await ask(fake, MISSED)
    assert await rows(store) == []  # off by default
    refused = await slash_feedback(fake, "on", user="member")
    assert "Manage Server" in refused["content"] or "manage" in refused["content"].lower()
    assert not await store.feedback_enabled(int(fake.world.guild_id))
    reply = await slash_feedback(fake, "on")
    assert reply["flags"] & 64 and "store what was typed" in reply["content"]
    await ask(fake, MISSED)
    await ask(fake, "who is the host of the roundtable?")  # answered: not a miss
    [row] = await rows(store)
    assert (row.question, row.kind, row.pressed) == (MISSED, "not_covered", False)
    await slash_feedback(fake, "off")
    await ask(fake, MISSED)
    assert len(await rows(store)) == 1


async def test_rows_older_than_feedback_days_are_deleted(bot, fake, store):
    await slash_feedback(fake, "on")
    await ask(fake, MISSED)
    bot.feedback.clock.now += timedelta(days=29)
    await ask(fake, "population of indonesia?")
    assert len(await rows(store)) == 2
    bot.feedback.clock.now += timedelta(days=2)  # the first is 31 days old: the next record deletes it
    await ask(fake, "what is the population of vietnam?")
    assert [r.question for r in await rows(store)] == ["population of indonesia?", "what is the population of vietnam?"]


async def test_the_report_groups_similar_questions_for_admins_only(bot, fake, store):
    await slash_feedback(fake, "on")
    await ask(fake, MISSED)
    msg = await ask(fake, "population of indonesia?")
    await press(fake, msg, "member")
    await ask(fake, "@everyone who is [Bob](https://evil.example)?")
    report = await slash_feedback(fake, "report")
    assert report["flags"] & 64 and report["allowed_mentions"] == {"parse": []}
    lines = report["content"].splitlines()
    assert lines[1].startswith("3× “") and "(2 wordings)" in lines[1] and "1 not helpful" in lines[1]
    assert "［Bob］(https://\u200bevil.example)" in report["content"]  # shown, inert
    assert "https://evil" not in report["content"] and "](" not in report["content"]
    assert "@everyone" not in report["content"]
    refused = await slash_feedback(fake, "report", user="member")
    assert "indonesia" not in refused["content"]
