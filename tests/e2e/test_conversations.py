"""Conversations on Discord: a follow-up carries the asker's context, per channel and user; a reply to an
answer continues that answer; a conversation idle too long starts afresh.

The plumbing is tested apart from what the engine makes of a context: a spy records the context each engine
call RECEIVED and gives each answer a context of its own (the real answer, with `context` replaced). The
last test asks the real engine.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from msgspec.structs import replace

from bot.conversations import ConversationStore
from bot.dialogue import FRESH, Context

from .fake_discord import sent

RICE = "How much rice did Korea donate?"


class EngineSpy:
    """Wraps the bot's engine: records (line, context received) and marks each answer with its own context."""

    def __init__(self, bot: Any, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls: list[tuple[str, Context]] = []
        real_answer, real_command = bot.engine.answer, bot.engine.command

        def answer(line: str, context: Context = FRESH) -> Any:
            return self._mark(line, context, real_answer(line))

        def command(name: str, arg: str = "", context: Context = FRESH) -> Any:
            return self._mark(f"!{name} {arg}".strip(), context, real_command(name, arg))

        monkeypatch.setattr(bot.engine, "answer", answer)
        monkeypatch.setattr(bot.engine, "command", command)

    def _mark(self, line: str, context: Context, answer: Any) -> Any:
        self.calls.append((line, context))
        return replace(answer, context=Context(entities=(f"answer-{len(self.calls)}",), turn=len(self.calls)))

    @staticmethod
    def made(n: int) -> Context:
        """The context the spy gave the n-th answer (from 1)."""
        return Context(entities=(f"answer-{n}",), turn=n)

    def received(self, n: int) -> Context:
        """The context the n-th engine call (from 1) was given."""
        return self.calls[n - 1][1]


@pytest.fixture
def spy(bot, monkeypatch) -> EngineSpy:
    return EngineSpy(bot, monkeypatch)


def mention(fake) -> str:
    return f"<@{fake.world.app_id}>"


async def ask(fake, content: str, **kwargs: Any) -> dict[str, Any]:
    """Post a message; the message the bot answered with (as Discord stored it, with its id)."""
    n = len(fake.requests)
    await fake.send_message(content, **kwargs)
    return await answered(fake, n)


async def answered(fake, n: int) -> dict[str, Any]:
    post = await fake.next_post(after=n)
    body = sent(post)
    return next(m for m in reversed(fake.messages.values()) if m.get("sent") is body)


async def reply_to(fake, answer: dict[str, Any], content: str, *, user: str = "member",
                   channel: str = "general") -> dict[str, Any]:
    """A user replies (Discord's reply, pinging the bot as it does by default) to a message of the bot."""
    data = fake.world.message(content, user=user, channel=channel, mentions=("bot",) if channel != "dm" else ())
    data["type"] = 19
    data["message_reference"] = {"type": 0, "message_id": answer["id"], "channel_id": answer["channel_id"],
                                 **({"guild_id": answer["guild_id"]} if "guild_id" in answer else {})}
    fake.messages[data["id"]] = data
    n = len(fake.requests)
    await fake.dispatch("MESSAGE_CREATE", data)
    return await answered(fake, n)


async def known(bot, answer: dict[str, Any]) -> None:
    """Wait until the bot has stored the answer's message id (it learns it once Discord has returned it)."""
    await until(lambda: bot.conversations.messages.get(int(answer["id"])) is not None)


async def until(check: Any, timeout: float = 3.0) -> None:
    """Wait for `check()` to hold (the bot stores a sent message's id once Discord has returned it)."""
    for _ in range(int(timeout / 0.005)):
        if check():
            return
        await asyncio.sleep(0.005)
    raise AssertionError("condition never held")


async def test_a_follow_up_by_the_same_user_in_the_same_channel_carries_the_context(bot, fake, spy):
    await ask(fake, f"{mention(fake)} who represented thailand?", mentions=("bot",))
    await ask(fake, f"{mention(fake)} what did he say about vaccines?", mentions=("bot",))
    assert spy.received(1) == FRESH
    assert spy.received(2) == spy.made(1)
    # Commands take part in the same conversation, as `!command`, as a slash command and as a typo.
    await ask(fake, "!quote vaccine")
    assert spy.calls[2] == ("!quote vaccine", spy.made(2))
    n = len(fake.requests)
    await fake.slash("event")
    await fake.next_post(after=n)
    assert spy.calls[3] == ("!event", spy.made(3))
    await ask(fake, "!xylophone rice donation")  # unknown: answered by the engine as a question
    assert spy.calls[4] == ("!xylophone rice donation", spy.made(4))
    await ask(fake, f"{mention(fake)} {RICE}", mentions=("bot",))
    assert spy.received(6) == spy.made(5)


async def test_other_users_and_other_channels_are_other_conversations(bot, fake, spy):
    await ask(fake, f"{mention(fake)} who represented thailand?", mentions=("bot",))  # member, general
    await ask(fake, f"{mention(fake)} what did he say about vaccines?", user="admin", mentions=("bot",))
    await ask(fake, "what did he say about vaccines?", channel="ask")  # member, ask channel
    await ask(fake, "what did he say about vaccines?", channel="dm")  # member, DM
    assert [spy.received(i) for i in (2, 3, 4)] == [FRESH, FRESH, FRESH]
    # Each of them carries on where it was.
    await ask(fake, "and the deaths?", channel="dm")
    await ask(fake, f"{mention(fake)} and the deaths?", user="admin", mentions=("bot",))
    await ask(fake, f"{mention(fake)} and the deaths?", mentions=("bot",))
    assert [spy.received(i) for i in (5, 6, 7)] == [spy.made(4), spy.made(2), spy.made(1)]
    assert len(bot.conversations) == 4


async def test_a_reply_to_an_answer_continues_that_answer_whoever_replies(bot, fake, spy):
    first = await ask(fake, f"{mention(fake)} who represented thailand?", mentions=("bot",))
    await ask(fake, f"{mention(fake)} {RICE}", mentions=("bot",))
    # The admin replies to the member's first answer: that answer's context, not the member's latest one.
    await known(bot, first)
    third = await reply_to(fake, first, "what did he say about vaccines?", user="admin")
    assert spy.received(3) == spy.made(1)
    # The admin's conversation in this channel now goes on from there; the member's is unchanged.
    await ask(fake, f"{mention(fake)} and the deaths?", user="admin", mentions=("bot",))
    assert spy.received(4) == spy.made(3)
    await ask(fake, f"{mention(fake)} and the deaths?", mentions=("bot",))
    assert spy.received(5) == spy.made(2)
    # A `!command` in reply to an answer, and a reply in an ask channel, continue that answer too.
    await known(bot, third)
    n = len(fake.requests)
    await reply_to(fake, third, "!quote vaccine")
    assert spy.received(6) == spy.made(3)
    assert len([r for r in await fake.quiet(n) if r.method == "POST"]) == 1  # answered once, as a command
    in_ask = await ask(fake, "who represented thailand?", channel="ask")
    await known(bot, in_ask)
    await reply_to(fake, in_ask, "what did he say?", user="admin", channel="ask")
    assert spy.received(8) == spy.made(7)


async def test_a_reply_to_a_slash_command_answer_continues_it(bot, fake, spy):
    n = len(fake.requests)
    await fake.slash("ambassador", {"name": "Thailand"}, user="admin")
    answer = await answered(fake, n)
    await known(bot, answer)
    await reply_to(fake, answer, "what did he say about vaccines?")
    assert spy.calls[0][0] == "!ambassador Thailand" and spy.received(2) == spy.made(1)


async def test_a_reply_to_a_message_the_bot_does_not_remember_is_the_users_own_conversation(bot, fake, spy):
    await ask(fake, f"{mention(fake)} who represented thailand?", mentions=("bot",))
    old = fake.world.bot_message(fake.world.channels["general"]["id"], {"content": "an answer from before a restart"})
    fake.messages[old["id"]] = old
    await reply_to(fake, old, "what did he say about vaccines?")
    assert spy.received(2) == spy.made(1)


async def test_a_conversation_idle_too_long_starts_afresh(start_bot, fake, monkeypatch):
    bot = await start_bot(conversations={"idle_minutes": 10, "max_conversations": 100})
    assert (bot.conversations.idle_seconds, bot.conversations.max_conversations) == (600, 100)
    now = [5000.0]
    bot.conversations = ConversationStore(600, 100, clock=lambda: now[0])
    spy = EngineSpy(bot, monkeypatch)
    first = await ask(fake, f"{mention(fake)} who represented thailand?", mentions=("bot",))
    await known(bot, first)
    now[0] += 599
    await ask(fake, f"{mention(fake)} what did he say about vaccines?", mentions=("bot",))
    assert spy.received(2) == spy.made(1)  # within the idle time (which starts again with each answer)
    now[0] += 600
    await ask(fake, f"{mention(fake)} what did he say about vaccines?", mentions=("bot",))
    assert spy.received(3) == FRESH
    # A reply to an answer idle too long is the replier's own conversation (here, the one just answered).
    await reply_to(fake, first, "and the deaths?")
    assert spy.received(4) == spy.made(3)


# --- The real engine: follow-ups answered from the carried context --------------------------------------
async def test_follow_ups_are_answered_from_the_conversation(bot, fake):
    await ask(fake, f"{mention(fake)} who represented thailand?", mentions=("bot",))
    answer = await ask(fake, f"{mention(fake)} what did he say about vaccines?", mentions=("bot",))
    assert "equitable access" in str(answer["sent"]["embeds"]).lower()
    # Another user asking the same follow-up has no one to refer to.
    other = await ask(fake, f"{mention(fake)} what did he say about vaccines?", user="admin", mentions=("bot",))
    assert "equitable access" not in str(other["sent"]["embeds"]).lower()
    # Ellipsis keeps the attribute and changes the country; the title says what was understood.
    await ask(fake, f"{mention(fake)} how many deaths in singapore?", mentions=("bot",))
    laos = await ask(fake, f"{mention(fake)} what about laos?", mentions=("bot",))
    embed = laos["sent"]["embeds"][0]
    assert embed["title"].startswith("Laos: deaths")
    assert "**0** deaths" in embed["description"]
