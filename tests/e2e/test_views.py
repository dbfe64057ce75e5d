"""The Source button (cited paragraphs, ephemeral) and the pager of long answers."""

from __future__ import annotations

from bot.answer import Answer, Field, SourceRef

from .fake_discord import sent


async def answer_message(fake, content: str) -> dict:
    n = len(fake.requests)
    await fake.send_message(content)
    post = await fake.next_post(after=n)
    return fake.messages[next(m for m in fake.messages if fake.messages[m].get("sent") is post.body)]


async def test_source_button_shows_the_cited_paragraphs_to_the_presser_only(bot, fake):
    msg = await answer_message(fake, "!country Vietnam")
    n = len(fake.requests)
    press = await fake.click(msg, "Source", user="admin")  # anyone may check the source
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert post.path == f"/interactions/{press['id']}/{press['token']}/callback"
    assert post.body["type"] == 4
    data = post.body["data"]
    assert data["flags"] & 64  # ephemeral
    assert data["allowed_mentions"] == {"parse": []}
    text = "\n".join(e["description"] for e in data["embeds"])
    section = bot.kb.article.section(bot.kb.countries["vietnam"].section)
    assert section.paragraphs[0].text in text
    assert "**¶1**" in text


async def test_pager_turns_pages_for_the_asker_only(bot, fake, monkeypatch):
    long = Answer(
        title="A long answer",
        body="Intro.",
        fields=tuple(Field(f"Part {i}", ("word " * 190).strip()) for i in range(12)),
        sources=(SourceRef("lead", "Lead", (1,)),),
    )
    monkeypatch.setattr(bot.engine, "command", lambda name, arg, context: long)
    msg = await answer_message(fake, "!summary")
    labels = [c["label"] for row in msg["components"] for c in row["components"]]
    assert labels == ["Previous", "Next", "Source"]
    first = msg["embeds"][0]
    assert first["footer"]["text"].endswith("page 1/3")

    n = len(fake.requests)
    await fake.click(msg, "Next", user="admin")  # not the asker
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert post.body["type"] == 4 and post.body["data"]["flags"] & 64
    assert "Only the person who asked" in post.body["data"]["content"]

    n = len(fake.requests)
    await fake.click(msg, "Next")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert post.body["type"] == 7  # the message is updated in place
    page = post.body["data"]["embeds"][0]
    assert page["footer"]["text"].endswith("page 2/3")
    assert page["fields"][0]["name"] != first["fields"][0]["name"]
    assert post.body["data"]["allowed_mentions"] == {"parse": []}
    buttons = {c["label"]: c for row in post.body["data"]["components"] for c in row["components"]}
    assert not buttons["Previous"]["disabled"]


async def test_slash_answer_has_working_buttons(bot, fake):
    n = len(fake.requests)
    await fake.slash("who", {"person": "Lee Hyuk"})
    post = await fake.next_post(after=n)
    msg_id = post.body and fake.originals[next(iter(t for t in fake.originals if t in post.path))]
    msg = fake.messages[msg_id]
    n = len(fake.requests)
    await fake.click(msg, "Source")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert post.body["data"]["flags"] & 64 and post.body["data"]["embeds"]
    assert sent(post)["embeds"][0]["description"].startswith("**¶")


async def test_source_button_works_after_a_restart_and_keeps_no_view(start_bot, fake):
    first = await start_bot()
    msg = await answer_message(fake, "!country Vietnam")
    assert not first._connection._view_store._synced_message_views  # nothing kept per answer
    await first.close()
    await start_bot()  # a new bot instance: the button still works
    n = len(fake.requests)
    await fake.click(msg, "Source", user="admin")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert post.body["data"]["flags"] & 64
    assert sent(post)["embeds"][0]["description"].startswith("**¶")
