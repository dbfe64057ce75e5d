"""The pager of long answers: stateless buttons that rebuild the page on a press, for the asker only."""

from __future__ import annotations

import asyncio
from typing import Any

from bot.answer import Answer, Field, SourceRef
from bot.dialogue import FRESH, Context

from .fake_discord import FakeDiscord

LONG = Answer(
    title="A long answer",
    body="Intro.",
    fields=tuple(Field(f"Part {i}", ("word " * 190).strip()) for i in range(12)),
    sources=(SourceRef("lead", "Lead", (1,)),),
)


async def answer_message(fake: FakeDiscord, content: str, **kwargs: Any) -> dict[str, Any]:
    """The message the bot posted in answer to `content`."""
    n = len(fake.requests)
    await fake.send_message(content, **kwargs)
    post = await fake.next_post(after=n)
    return fake.messages[next(m for m in fake.messages if fake.messages[m].get("sent") is post.body)]


async def press(fake: FakeDiscord, msg: dict[str, Any], label: str, user: str = "member") -> dict[str, Any]:
    """Press a button and return what the bot answered: the interaction callback's body, or for a deferred
    update (type 6) the edit or private follow-up that came after it, as the callback it stands for (7 or 4)."""
    n = len(fake.requests)
    await fake.click(msg, label, user=user)
    callback = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    if callback.body["type"] != 6:
        return callback.body
    done = await fake.wait_for(lambda r: r.path.startswith("/webhooks/"), after=fake.requests.index(callback) + 1)
    return {"type": 7 if done.method == "PATCH" else 4, "data": done.body}


def labels(msg: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {c["label"]: c for row in msg.get("components", []) for c in row["components"]}


def views_kept(bot: Any) -> int:
    store = bot._connection._view_store
    return len(store._views) + len(store._synced_message_views)


async def test_pages_turn_for_the_asker_and_strangers_are_refused_privately(bot, fake, monkeypatch):
    monkeypatch.setattr(bot.engine, "command", lambda name, arg, context=FRESH: LONG)
    msg = await answer_message(fake, "!summary")
    assert list(labels(msg)) == ["Previous", "Next", "Source", "Not helpful"]
    assert labels(msg)["Previous"]["disabled"]
    first = msg["embeds"][0]
    assert first["footer"]["text"].endswith("page 1/3")

    refused = await press(fake, msg, "Next", user="admin")
    assert refused["type"] == 4 and refused["data"]["flags"] & 64
    assert "Only the person who asked" in refused["data"]["content"]

    turned = await press(fake, msg, "Next")
    assert turned["type"] == 7  # the message is updated in place
    page = turned["data"]["embeds"][0]
    assert page["footer"]["text"].endswith("page 2/3")
    assert page["fields"][0]["name"] != first["fields"][0]["name"]
    assert turned["data"]["allowed_mentions"] == {"parse": []}
    assert not labels(msg)["Previous"]["disabled"]  # the fake applied the edit: msg shows page 2 now

    assert (await press(fake, msg, "Next"))["data"]["embeds"][0]["footer"]["text"].endswith("page 3/3")
    assert labels(msg)["Next"]["disabled"]
    await press(fake, msg, "Previous")
    back = await press(fake, msg, "Previous")
    assert back["data"]["embeds"][0] == first
    assert views_kept(bot) == 0


async def test_plain_text_pages_of_a_real_answer(bot, fake):
    msg = await answer_message(fake, "!summary", channel="noembed")  # no embeds: 2,000 characters a page
    assert msg["content"].endswith("(page 1/3)") and not msg["embeds"]
    turned = await press(fake, msg, "Next")
    assert turned["data"]["content"].endswith("(page 2/3)")
    assert not turned["data"].get("embeds")


async def test_pages_turn_after_a_restart(start_bot, fake, monkeypatch):
    first = await start_bot()
    monkeypatch.setattr(first.engine, "command", lambda name, arg, context=FRESH: LONG)  # the engine is shared
    msg = await answer_message(fake, "!summary")
    await first.close()
    second = await start_bot()  # a new bot object, knowing nothing of the answer
    assert second is not first
    turned = await press(fake, msg, "Next")
    assert turned["type"] == 7 and turned["data"]["embeds"][0]["footer"]["text"].endswith("page 2/3")


async def test_a_long_question_is_read_again_from_the_message_it_asked(start_bot, fake, monkeypatch):
    first = await start_bot()
    monkeypatch.setattr(first.engine, "answer", lambda line, context=FRESH: LONG)
    question = "What did every single envoy at the roundtable say about vaccines, trade and the recovery?"
    asked = await answer_message(fake, question, channel="ask")
    assert all(len(c["custom_id"]) <= 100 for c in labels(asked).values())
    assert labels(asked)["Next"]["custom_id"].endswith(":^")
    assert (await press(fake, asked, "Next"))["data"]["embeds"][0]["footer"]["text"].endswith("page 2/3")
    await first.close()
    await start_bot()  # its message cache is empty: the question is fetched
    n = len(fake.requests)
    turned = await press(fake, asked, "Next")
    assert turned["data"]["embeds"][0]["footer"]["text"].endswith("page 3/3")
    assert any(r.method == "GET" and "/messages/" in r.path for r in fake.requests[n:])


async def test_an_answer_that_changed_is_not_paged(bot, fake, monkeypatch):
    answers = {"now": LONG}
    monkeypatch.setattr(bot.engine, "command", lambda name, arg, context=FRESH: answers["now"])
    msg = await answer_message(fake, "!summary")
    answers["now"] = Answer(title="A long answer", body="Another intro.", fields=LONG.fields)  # e.g. a reload
    refused = await press(fake, msg, "Next")
    assert refused["type"] == 4 and refused["data"]["flags"] & 64
    assert "changed since it was posted" in refused["data"]["content"]
    assert msg["embeds"][0]["footer"]["text"].endswith("page 1/3")  # the message was left alone


async def test_an_answer_depending_on_the_conversation_comes_as_messages(bot, fake, monkeypatch):
    def answer(line: str, context=FRESH) -> Answer:
        return LONG if context != FRESH else Answer(title="Something else", context=Context(entities=("vietnam",)))

    monkeypatch.setattr(bot.engine, "answer", answer)
    await answer_message(fake, "Who hosted it?", channel="ask")  # the conversation has a context now
    n = len(fake.requests)
    await fake.send_message("and what else?", channel="ask")
    await fake.wait_for(lambda r: r.method == "POST" and "page 3/3" in str(r.body), after=n)
    posts = [r.body for r in fake.requests[n:] if r.method == "POST" and r.path.endswith("/messages")]
    assert [p["embeds"][0]["footer"]["text"][-8:] for p in posts] == ["page 1/3", "page 2/3", "page 3/3"]
    assert [c["label"] for row in posts[0]["components"] for c in row["components"]] == ["Source", "Not helpful"]


async def test_no_view_is_kept_per_answer(bot, fake, monkeypatch):
    monkeypatch.setattr(bot.engine, "command", lambda name, arg, context=FRESH: LONG)
    for i in range(30):
        msg = await answer_message(fake, f"!summary {i}")
        assert "Next" in labels(msg)
    for _ in range(10):
        await answer_message(fake, "What did Vietnam say about vaccines?", channel="ask")
    assert views_kept(bot) == 0
    turned = await press(fake, msg, "Next")
    assert turned["type"] == 7
    assert views_kept(bot) == 0


async def test_a_press_is_answered_before_the_engine_is_asked_again(bot, fake, monkeypatch):
    monkeypatch.setattr(bot.engine, "command", lambda name, arg, context=FRESH: LONG)
    msg = await answer_message(fake, "!summary")
    asked = asyncio.Event()
    slow = bot.answer_line

    async def answer_later(line, context=FRESH):  # the engine's turn comes late (a burst of questions)
        await asyncio.sleep(0.5)
        asked.set()
        return await slow(line, context)

    monkeypatch.setattr(bot, "answer_line", answer_later)
    n = len(fake.requests)
    await fake.click(msg, "Next")
    callback = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert callback.body["type"] == 6 and not asked.is_set()  # Discord hears back at once, the page follows
    edit = await fake.wait_for(lambda r: r.method == "PATCH" and r.path.startswith("/webhooks/"), after=n)
    assert edit.body["embeds"][0]["footer"]["text"].endswith("page 2/3")
