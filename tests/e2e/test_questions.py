"""Free-form questions by mention, DM and ask channel; mention safety; the bot ignoring bots; cooldown."""

from __future__ import annotations

from bot.answer import Answer

from .fake_discord import sent

RICE = "How much rice did Korea donate?"


def mention(fake) -> str:
    return f"<@{fake.world.app_id}>"


async def test_question_by_mention_replies_to_the_message(bot, fake):
    n = len(fake.requests)
    question = await fake.send_message(f"{mention(fake)} {RICE}", mentions=("bot",))
    msg = sent(await fake.next_post(after=n))
    assert msg["message_reference"]["message_id"] == int(question["id"])
    embed = msg["embeds"][0]
    assert "rice" in str(embed).lower()
    assert embed["footer"]["text"].startswith("Source: ")


async def test_question_by_mentioning_the_bots_role(bot, fake):
    n = len(fake.requests)
    role = fake.world.bot_role
    await fake.send_message(f"<@&{role}> {RICE}", role_mentions=(role,))
    assert "rice" in str(sent(await fake.next_post(after=n))["embeds"]).lower()


async def test_question_by_dm(bot, fake):
    n = len(fake.requests)
    question = await fake.send_message(RICE, channel="dm")
    post = await fake.next_post(after=n)
    assert post.path == f"/channels/{fake.world.dm_channel}/messages"
    msg = sent(post)
    assert msg["message_reference"]["message_id"] == int(question["id"])
    assert "rice" in str(msg["embeds"]).lower()


async def test_command_in_a_mention_and_in_a_dm(bot, fake):
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} !country Vietnam", mentions=("bot",))
    assert "Vietnam" in sent(await fake.next_post(after=n))["embeds"][0]["title"]
    n = len(fake.requests)
    await fake.send_message("!country Vietnam", channel="dm")
    assert "Vietnam" in sent(await fake.next_post(after=n))["embeds"][0]["title"]
    assert len([r for r in await fake.quiet(n) if r.method == "POST"]) == 1  # answered once, not twice


async def test_bare_mention_gets_a_hint(bot, fake):
    n = len(fake.requests)
    await fake.send_message(mention(fake), mentions=("bot",))
    assert "!help" in sent(await fake.next_post(after=n))["content"]


async def test_ask_channel_takes_every_message_as_a_question(bot, fake):
    n = len(fake.requests)
    await fake.send_message(RICE, channel="ask")
    assert "rice" in str(sent(await fake.next_post(after=n))["embeds"]).lower()


async def test_plain_chatter_elsewhere_and_empty_messages_are_ignored(bot, fake):
    n = len(fake.requests)
    await fake.send_message(RICE, channel="general")
    await fake.send_message("", channel="ask")  # e.g. an image without text
    assert await fake.quiet(n) == []


async def test_mentions_and_dms_can_be_turned_off(start_bot, fake):
    await start_bot(answer_mentions=False, answer_dms=False, ask_channels=[])
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} {RICE}", mentions=("bot",))
    await fake.send_message(RICE, channel="dm")
    await fake.send_message(RICE, channel="ask")
    assert await fake.quiet(n) == []


async def test_everyone_in_a_question_pings_nobody(bot, fake, monkeypatch):
    member = fake.world.users["member"]["id"]
    text = f"@everyone @here <@&{fake.world.admin_role}> <@{member}> !xylophone"
    for content, channel in ((f"{mention(fake)} {text}", "general"), (text, "ask"), (text, "dm")):
        n = len(fake.requests)
        await fake.send_message(content, channel=channel, mentions=("bot",) if channel == "general" else ())
        msg = sent(await fake.next_post(after=n))
        assert msg["allowed_mentions"] == {"parse": []}, msg
    # The same text echoed in plain-text mode, and through a slash command.
    n = len(fake.requests)
    await fake.send_message(f"!search {text}", channel="noembed")
    msg = sent(await fake.next_post(after=n))
    assert msg["allowed_mentions"] == {"parse": []}
    n = len(fake.requests)
    await fake.slash("ask", {"question": text})
    assert sent(await fake.next_post(after=n))["allowed_mentions"] == {"parse": []}
    # Even if the engine echoed the text raw, as plain content, nobody would be pinged.
    monkeypatch.setattr(bot.engine, "command", lambda name, arg, context: Answer(title=arg, kind="not_covered"))
    n = len(fake.requests)
    await fake.send_message(f"!ask {text}", channel="noembed")
    msg = sent(await fake.next_post(after=n))
    assert msg["content"].startswith("@everyone @here <@&") and msg["allowed_mentions"] == {"parse": []}
    # Nothing the bot sent, anywhere, allowed a mention.
    bodies = [sent(r) for r in fake.requests if r.method in ("POST", "PATCH") and isinstance(r.body, dict)
              and ("content" in r.body or "data" in r.body)]
    assert bodies and all(b.get("allowed_mentions") == {"parse": []} for b in bodies if b)


async def test_bot_does_not_answer_its_own_messages(bot, fake):
    # Every post of the bot is echoed back by the fake as MESSAGE_CREATE, including ones that look like
    # questions and commands: the bot must answer the user once and then stay quiet.
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} !country Vietnam", mentions=("bot",))
    await fake.next_post(after=n)
    own = fake.world.bot_message(fake.world.channels["ask"]["id"], {"content": f"!country Vietnam {RICE}"})
    own["mentions"] = [fake.world.bot]
    await fake.dispatch("MESSAGE_CREATE", own)
    posts = [r for r in await fake.quiet(n) if r.method == "POST"]
    assert len(posts) == 1


async def test_other_bots_are_ignored(bot, fake):
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} {RICE}", user="otherbot", mentions=("bot",))
    await fake.send_message("!country Vietnam", user="otherbot")
    await fake.send_message(RICE, user="otherbot", channel="ask")
    assert await fake.quiet(n) == []


async def test_cooldown_gives_a_friendly_note(start_bot, fake):
    await start_bot(cooldown={"rate": 2, "per": 60})
    replies = []
    for content in ("!country Vietnam", "!event", "!country Thailand"):
        n = len(fake.requests)
        await fake.send_message(content)
        replies.append(sent(await fake.next_post(after=n)))
    assert replies[0]["embeds"] and replies[1]["embeds"]
    assert not replies[2].get("embeds")
    assert replies[2]["content"].startswith("Slow down a little: you can ask again in ")
    # The limit is per user and covers slash commands, whose (ephemeral) note always goes out; a second note in a
    # channel does not (tests/e2e/test_throttle.py).
    n = len(fake.requests)
    await fake.slash("event")
    post = await fake.next_post(after=n)
    assert post.body["data"]["content"].startswith("Slow down") and post.body["data"]["flags"] & 64
    n = len(fake.requests)
    await fake.send_message("!country Vietnam", user="admin")
    assert sent(await fake.next_post(after=n))["embeds"]


async def test_long_question_gets_a_clear_message(start_bot, fake):
    await start_bot(max_input_length=30)
    n = len(fake.requests)
    await fake.send_message("x " * 40, channel="dm")
    assert "please keep it under 30" in sent(await fake.next_post(after=n))["content"]


async def test_a_mention_is_a_prefix_for_every_command(bot, fake):
    for content, user, expect in ((f"{mention(fake)} country Vietnam", "member", "Vietnam"),
                                  (f"{mention(fake)} !country Vietnam", "member", "Vietnam"),
                                  (f"{mention(fake)} ambassador thailand", "member", "Romane Kanaruk")):
        n = len(fake.requests)
        await fake.send_message(content, user=user, mentions=("bot",))
        assert expect in str(sent(await fake.next_post(after=n))["embeds"][0])
        assert len([r for r in await fake.quiet(n) if r.method == "POST"]) == 1, content  # answered once
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} !sync", user="admin", mentions=("bot",))
    assert sent(await fake.next_post(after=n))["content"].startswith("Synced ")
    assert any(r.method == "PUT" for r in fake.requests[n:])
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} sync", user="member", mentions=("bot",))
    assert "only for server managers" in sent(await fake.next_post(after=n))["content"]


async def test_a_mention_before_a_question_is_answered_once_as_a_question(bot, fake):
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} who hosted the roundtable?", mentions=("bot",))
    embed = sent(await fake.next_post(after=n))["embeds"][0]
    assert "The Korea Times" in embed["description"], embed
    assert len([r for r in await fake.quiet(n) if r.method == "POST"]) == 1


async def test_a_mention_works_without_the_message_content_intent(start_bot, fake):
    await start_bot(message_content=False, ask_channels=[])
    n = len(fake.requests)
    await fake.send_message(f"{mention(fake)} stats Laos", mentions=("bot",))
    assert "Laos" in sent(await fake.next_post(after=n))["embeds"][0]["title"]


def test_what_follows_a_mention_is_a_command_or_a_question():
    from bot.discordbot.addressing import command_after_mention

    names = {"country", "who", "sync", "stats"}.__contains__
    assert command_after_mention("country Vietnam", "!", names)
    assert command_after_mention(" !sync", "!", names)
    assert command_after_mention("!anything at all", "!", names)
    assert not command_after_mention("who hosted the roundtable", "!", names)
    assert not command_after_mention("stats for Laos?", "!", names)
    assert not command_after_mention("how much rice did Korea donate", "!", names)
