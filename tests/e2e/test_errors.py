"""One error path: the user sees one short line, the log gets the traceback."""

from __future__ import annotations

import logging

from .fake_discord import sent


def boom(name, arg, context=None):
    raise RuntimeError("engine exploded")


async def test_a_failing_command_is_one_line_for_the_user_and_a_traceback_in_the_log(bot, fake, monkeypatch,
                                                                                      caplog):
    monkeypatch.setattr(bot.engine, "command", boom)
    monkeypatch.setattr(bot.engine, "answer", lambda line, context: boom(line, ""))
    caplog.set_level(logging.ERROR)
    n = len(fake.requests)
    await fake.send_message("!country Vietnam")
    msg = sent(await fake.next_post(after=n))
    assert msg["content"] == "Sorry, something went wrong while answering; it has been logged."
    n = len(fake.requests)
    await fake.slash("country", {"country": "Vietnam"})
    post = await fake.next_post(after=n)
    assert post.body["data"]["content"].startswith("Sorry, something went wrong") and post.body["data"]["flags"] & 64
    n = len(fake.requests)
    await fake.send_message("Who hosted?", channel="dm")
    assert sent(await fake.next_post(after=n))["content"].startswith("Sorry, something went wrong")
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR and r.exc_info]
    assert len(failures) == 3
    assert all("engine exploded" in str(r.exc_info[1]) for r in failures)


async def test_an_unknown_slash_command_goes_through_the_tree_error_handler(bot, fake, caplog):
    n = len(fake.requests)
    await fake.slash("retired-command")
    post = await fake.next_post(after=n)
    assert post.body["type"] == 4 and post.body["data"]["flags"] & 64
    assert "out of date" in post.body["data"]["content"]
    assert post.body["data"]["allowed_mentions"] == {"parse": []}


def tracebacks(caplog) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.exc_info]


async def test_a_string_option_sent_as_a_number_is_answered_without_a_traceback(bot, fake, caplog):
    caplog.set_level(logging.DEBUG)
    data = fake.world.interaction("country", {"country": 5}, user="member", channel="general")
    n = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", data)
    post = await fake.next_post(after=n)
    assert post.body["type"] == 4 and post.body["data"]["flags"] & 64
    assert post.body["data"]["content"] == "That slash command is out of date; an admin can fix it with `sync`."
    assert not tracebacks(caplog), [r.getMessage() for r in tracebacks(caplog)]
    assert any("option country" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)


async def test_autocomplete_of_a_number_or_with_no_focused_option_gets_choices(bot, fake, caplog):
    caplog.set_level(logging.DEBUG)
    for options, focused in (({"country": 5}, "country"), ({"country": "Viet"}, None)):
        data = fake.world.interaction("country", options, user="member", channel="general", focused=focused)
        data["type"] = 4  # an autocomplete request, focused or not
        n = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", data)
        post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
        assert post.body["type"] == 8, post.body  # choices, never a message
        assert isinstance(post.body["data"]["choices"], list)
    assert not tracebacks(caplog), [r.getMessage() for r in tracebacks(caplog)]
