"""The Source button: the cited paragraphs, shown only to whoever pressed it (the pager: test_pager.py)."""

from __future__ import annotations

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
    store = first._connection._view_store
    assert not store._synced_message_views and not store._views  # nothing kept per answer
    await first.close()
    await start_bot()  # a new bot instance: the button still works
    n = len(fake.requests)
    await fake.click(msg, "Source", user="admin")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert post.body["data"]["flags"] & 64
    assert sent(post)["embeds"][0]["description"].startswith("**¶")
