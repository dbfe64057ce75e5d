"""The bot's own noise is throttled: one "slow down" note or refusal per user per cooldown window, then silence."""

from __future__ import annotations

import asyncio

from .fake_discord import FakeDiscord, sent


def count_notes(bot) -> list[bool]:
    """Record every decision to send (True) or drop (False) a refusal or "slow down" note."""
    decisions: list[bool] = []
    may_note = bot.may_note

    def recording(message, *kind: str) -> bool:
        decisions.append(may_note(message, *kind))
        return decisions[-1]

    bot.may_note = recording
    return decisions


async def until(check, timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        while not check():
            await asyncio.sleep(0.005)


def posts(fake: FakeDiscord, after: int) -> list[str]:
    return [str(sent(r).get("content") or sent(r).get("embeds")) for r in fake.requests[after:]
            if r.method == "POST" and "/messages" in r.path]


async def test_a_flood_of_questions_gets_one_slow_down_note(start_bot, fake):
    bot = await start_bot(cooldown={"rate": 3, "per": 60})
    decisions = count_notes(bot)
    n = len(fake.requests)
    for _ in range(15):
        await fake.send_message("!country Vietnam")
        await fake.send_message("who hosted the roundtable?", channel="ask")
    await until(lambda: len(decisions) == 27)  # every message over the rate has been decided on
    await until(lambda: len(posts(fake, n)) == 4)
    out = posts(fake, n)
    assert sum("Slow down" in p for p in out) == 1
    assert sum("Slow down" not in p for p in out) == 3  # the allowed answers
    assert decisions.count(True) == 1


async def test_a_member_repeating_an_admin_command_gets_one_refusal(start_bot, fake):
    bot = await start_bot(cooldown={"rate": 100, "per": 60})
    decisions = count_notes(bot)
    n = len(fake.requests)
    for _ in range(30):
        await fake.send_message("!reload")
    await until(lambda: len(decisions) == 30)
    await until(lambda: len(posts(fake, n)) >= 1)
    out = posts(fake, n)
    assert len(out) == 1 and "only for server managers" in out[0]
    bucket = bot.cooldowns.get_bucket(fake_message_of(bot, fake))
    assert bucket is not None and bucket.get_tokens() == 70  # the refusals counted against the cooldown


def fake_message_of(bot, fake):
    """A message object from the member, to look up their cooldown bucket."""
    return next(m for m in bot.cached_messages if str(m.author.id) == fake.world.users["member"]["id"])
