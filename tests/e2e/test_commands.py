"""Engine commands as `!prefix` and `/slash` commands, autocomplete, typos, usage and the input cap."""

from __future__ import annotations

import asyncio
import time

from bot.discordbot.render import fits
from bot.engine.specs import SPECS

from .fake_discord import sent


def embed_ok(message: dict) -> dict:
    """The one embed of a message, checked against Discord's limits."""
    import discord

    assert len(message["embeds"]) == 1, message
    data = message["embeds"][0]
    assert fits(discord.Embed.from_dict(data))
    return data


async def test_prefix_command_answers_with_an_embed_citing_the_article(bot, fake):
    n = len(fake.requests)
    question = await fake.send_message("!country Vietnam")
    post = await fake.next_post(after=n)
    assert post.path == f"/channels/{fake.world.channels['general']['id']}/messages"
    msg = sent(post)
    embed = embed_ok(msg)
    assert "Vietnam" in embed["title"]
    assert "Nguyen Vu Tu" in embed["description"]
    assert embed["footer"]["text"].startswith("Source: ")
    assert msg["message_reference"]["message_id"] == int(question["id"])
    assert msg["allowed_mentions"] == {"parse": []}
    assert [c["label"] for row in msg["components"] for c in row["components"]] == ["Source", "Not helpful"]


async def test_alias_and_case_reach_the_same_command(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!C vietnam")
    assert "Vietnam" in embed_ok(sent(await fake.next_post(after=n)))["title"]


async def test_slash_command_answers_through_the_interaction_callback(bot, fake):
    n = len(fake.requests)
    interaction = await fake.slash("country", {"country": "Vietnam"})
    post = await fake.next_post(after=n)
    assert post.path == f"/interactions/{interaction['id']}/{interaction['token']}/callback"
    assert post.query.get("with_response") in ("1", "true")
    assert post.body["type"] == 4
    embed = embed_ok(post.body["data"])
    assert "Vietnam" in embed["title"]
    assert post.body["data"]["allowed_mentions"] == {"parse": []}
    assert not post.body["data"].get("flags", 0) & 64  # answers are public


async def test_slash_command_without_argument(bot, fake):
    n = len(fake.requests)
    await fake.slash("event")
    post = await fake.next_post(after=n)
    assert post.body["type"] == 4
    assert embed_ok(post.body["data"])["fields"]


async def test_autocomplete_returns_ranked_choices(bot, fake):
    n = len(fake.requests)
    await fake.slash("country", {"country": "vi"}, focused="country")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert post.body["type"] == 8
    names = [c["name"] for c in post.body["data"]["choices"]]
    assert names[0] == "Vietnam"
    assert 1 <= len(names) <= 25
    assert all(c["name"] == c["value"] and len(c["name"]) <= 100 for c in post.body["data"]["choices"])


async def test_autocomplete_never_offers_more_than_25(bot, fake):
    n = len(fake.requests)
    await fake.slash("quote", {"about": ""}, focused="about")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert 1 <= len(post.body["data"]["choices"]) <= 25


async def test_autocomplete_for_people_and_help(bot, fake):
    n = len(fake.requests)
    await fake.slash("who", {"person": "lee h"}, focused="person")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert "Lee Hyuk" in [c["name"] for c in post.body["data"]["choices"]]
    n = len(fake.requests)
    await fake.slash("help", {"command": "qu"}, focused="command")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert next(c["name"] for c in post.body["data"]["choices"]) == "quote"


async def test_autocomplete_offers_nothing_unrelated(bot, fake):
    n = len(fake.requests)
    await fake.slash("who", {"person": "le"}, focused="person")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    names = [c["name"] for c in post.body["data"]["choices"]]
    assert names[0] == "Lee Hyuk" and "Romane Kanaruk" not in names


async def test_typoed_command_is_understood(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!contry Vietnam")
    embed = embed_ok(sent(await fake.next_post(after=n)))
    assert "Vietnam" in embed["title"]


async def test_unknown_command_is_answered_as_a_question(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!xylophone concerts in Hanoi")
    embed = embed_ok(sent(await fake.next_post(after=n)))
    assert embed["title"] == "Not in the article"
    assert "Did you mean" in [f["name"] for f in embed.get("fields", [])]


async def test_unknown_commands_can_be_ignored(start_bot, fake):
    await start_bot(unknown_commands="ignore")
    n = len(fake.requests)
    await fake.send_message("!xylophone concerts")
    assert await fake.quiet(n) == []


async def test_missing_argument_gets_the_usage_line(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!who")
    msg = sent(await fake.next_post(after=n))
    assert not msg.get("embeds")
    assert "Usage: `!who <person>`" in msg["content"]
    assert msg["allowed_mentions"] == {"parse": []}


async def test_usage_line_follows_the_configured_prefix(start_bot, fake):
    await start_bot(prefix="?")
    n = len(fake.requests)
    await fake.send_message("?country")
    assert "`?country <country>` (e.g. `?country Vietnam`)" in sent(await fake.next_post(after=n))["content"]


async def test_help_lists_every_command_with_examples(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!help")
    embed = embed_ok(sent(await fake.next_post(after=n)))
    text = str(embed)
    for spec in SPECS:
        assert spec.usage in text
    assert "e.g." in text


async def test_input_over_the_cap_gets_a_clear_message(start_bot, fake):
    await start_bot(max_input_length=20)
    n = len(fake.requests)
    await fake.send_message("!search " + "rice " * 10)
    msg = sent(await fake.next_post(after=n))
    assert "please keep it under 20" in msg["content"]
    n = len(fake.requests)
    await fake.slash("search", {"words": "rice " * 10})
    post = await fake.next_post(after=n)
    assert "please keep it under 20" in post.body["data"]["content"]
    assert post.body["data"]["flags"] & 64  # ephemeral


async def test_plain_text_where_the_bot_may_not_embed(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!country Vietnam", channel="noembed")
    msg = sent(await fake.next_post(after=n))
    assert not msg.get("embeds")
    assert msg["content"].startswith("Vietnam")
    assert len(msg["content"]) <= 2000
    assert "Source:" in msg["content"]


async def test_without_read_history_the_answer_is_posted_without_a_quote(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!country Vietnam", channel="nohistory")
    msg = sent(await fake.next_post(after=n))
    assert "message_reference" not in msg and msg["embeds"]
    n = len(fake.requests)
    await fake.send_message("!who", channel="nohistory")
    msg = sent(await fake.next_post(after=n))
    assert "message_reference" not in msg and "Usage" in msg["content"]


async def test_ping_shows_the_gateway_latency(bot, fake, monkeypatch):
    monkeypatch.setattr(type(bot), "latency", property(lambda self: 0.0423))
    n = len(fake.requests)
    await fake.send_message("!ping")
    embed = embed_ok(sent(await fake.next_post(after=n)))
    assert embed["title"] == "Pong!"
    assert "Gateway latency: 42 ms" in embed["description"]


async def test_ping_before_any_heartbeat_says_so(bot, fake, monkeypatch):
    monkeypatch.setattr(type(bot), "latency", property(lambda self: float("inf")))
    n = len(fake.requests)
    await fake.slash("ping")
    post = await fake.next_post(after=n)
    assert "not measured yet" in embed_ok(post.body["data"])["description"]


async def test_invite_builds_the_url_from_the_application_id(bot, fake):
    n = len(fake.requests)
    await fake.slash("invite")
    embed = embed_ok((await fake.next_post(after=n)).body["data"])
    url = (f"https://discord.com/oauth2/authorize?client_id={fake.world.app_id}"
           "&scope=bot+applications.commands&permissions=277025508352")  # docs/deployment.md
    assert url in embed["description"]
    assert "Embed Links" in str(embed["fields"])


async def test_about_and_source_on_discord(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!about")
    embed = embed_ok(sent(await fake.next_post(after=n)))
    assert bot.kb.profile.article.headline in str(embed)
    n = len(fake.requests)
    await fake.slash("source")
    assert "No URL is recorded" in str(embed_ok((await fake.next_post(after=n)).body["data"]))


async def test_another_knowledge_base_registers_only_the_commands_it_can_answer(start_bot, fake):
    from pathlib import Path

    from bot.kb.loader import load_knowledge

    harbour = load_knowledge(Path(__file__).resolve().parents[1] / "data" / "harbour-festival")
    bot = await start_bot(knowledge=harbour)
    for name in ("country", "ambassador", "stats", "c", "envoy", "figures"):
        assert bot.get_command(name) is None, name
    assert bot.get_command("who") is not None and bot.get_command("about") is not None
    slash = {c.name for c in bot.tree.get_commands()}
    assert slash.isdisjoint({"country", "ambassador", "stats"}) and {"who", "quote", "ping"} <= slash
    n = len(fake.requests)
    await fake.send_message("!help")
    text = str(embed_ok(sent(await fake.next_post(after=n))))
    assert "!who <person>" in text and "!country" not in text and "!stats" not in text
    n = len(fake.requests)
    await fake.slash("who", {"person": "ivo"}, focused="person")
    post = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert "Ivo Hartsen" in [c["name"] for c in post.body["data"]["choices"]]


async def test_help_lists_the_admin_and_daily_commands_to_those_who_may_run_them(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!help", user="admin")
    text = str(embed_ok(sent(await fake.next_post(after=n))))
    for usage in ("!reload", "!sync", "!daily set", "!daily off", "!daily status", "!daily preview"):
        assert usage in text, usage
    assert "`<...>` is required and `[...]` optional" in text
    n = len(fake.requests)
    await fake.send_message("!help", user="member")
    text = str(embed_ok(sent(await fake.next_post(after=n))))
    assert "!country <country>" in text and "!sync" not in text and "!daily" not in text


async def test_help_for_an_admin_command(bot, fake):
    for arg, expect in (("daily", "!daily set"), ("sync", "Publish the slash commands"),
                        ("reload", "Re-read the knowledge base"), ("daily set", "time zone")):
        n = len(fake.requests)
        await fake.send_message(f"!help {arg}", user="admin")
        assert expect in str(embed_ok(sent(await fake.next_post(after=n)))), arg
    n = len(fake.requests)
    await fake.send_message("!help sync", user="member")
    assert "only for server managers" in str(embed_ok(sent(await fake.next_post(after=n))))


async def test_unknown_command_gets_no_such_command_and_the_closest_ones(bot, fake):
    n = len(fake.requests)
    await fake.send_message("!relaod", user="admin")
    embed = embed_ok(sent(await fake.next_post(after=n)))
    assert embed["title"].startswith("No command") and "!reload" in str(embed)
    n = len(fake.requests)
    await fake.send_message("!help stat")
    embed = embed_ok(sent(await fake.next_post(after=n)))
    assert embed["title"].startswith("No command") and "!stats" in str(embed)
    n = len(fake.requests)
    await fake.send_message("!qwzx")
    assert embed_ok(sent(await fake.next_post(after=n)))["title"].startswith("No command")


async def test_stats_attach_a_chart_of_the_figures(bot, fake):
    from bot.charts import stats_png

    n = len(fake.requests)
    await fake.send_message("!stats")
    post = await fake.next_post(after=n)
    assert [name for name, _ in post.files] == ["stats.png"]
    assert post.files[0][1] == stats_png(bot.kb)
    assert embed_ok(sent(post))["image"]["url"] == "attachment://stats.png"
    n = len(fake.requests)
    await fake.slash("stats", {"country": "Thailand"})
    post = await fake.next_post(after=n)
    assert [name for name, _ in post.files] == ["stats-thailand.png"]
    assert post.files[0][1] == stats_png(bot.kb, "thailand")
    n = len(fake.requests)
    await fake.send_message("how many cases in each country?", channel="ask")
    post = await fake.next_post(after=n)
    assert [name for name, _ in post.files] == ["stats.png"]
    n = len(fake.requests)
    await fake.send_message("!country Vietnam")
    assert (await fake.next_post(after=n)).files == []


async def test_closing_while_the_chart_process_starts_shuts_it_down(start_bot, monkeypatch, tmp_path):
    """A fresh machine keeps no chart from an earlier run, so the bot starts its chart process right away; closing
    it meanwhile waits for that start and shuts the process down, instead of failing on the cancelled warm-up."""
    import bot.discordbot.app as app

    monkeypatch.setenv("BOT_CACHE_DIR", str(tmp_path / "cache"))  # no chart drawn before
    real_start = app._start_chart_process

    def slow_start():
        time.sleep(0.3)  # still starting when close() comes
        return real_start()

    monkeypatch.setattr(app, "_start_chart_process", slow_start)
    bot = await start_bot()
    for _ in range(500):
        if bot._chart_start is not None:
            break
        await asyncio.sleep(0.01)
    assert bot._chart_start is not None and not bot._chart_start.done()
    await bot.close()
    assert bot._chart_pool is None and bot._chart_start is None
