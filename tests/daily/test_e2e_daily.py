"""Daily posts end to end: the real bot, its store and discord.py's network code against a fake Discord."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import discord
import pytest
import yarl

from bot.config import parse_settings
from bot.daily.aiostore import AsyncStore
from bot.daily.schedule import PostStatus, format_time
from bot.daily.service import marker_for, nonce_for
from bot.daily.store import DailyStore
from bot.discordbot.app import create_bot
from tests.e2e import payloads as p
from tests.e2e.fake_discord import sent

from .fake_server import DailyFakeDiscord

TOKEN = "fake.token.for-tests"


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[DailyFakeDiscord]:
    server = DailyFakeDiscord()
    for name in ("news", "locked"):
        server.world.channels[name] = {"id": p.snowflake(), "name": name}
    server.world.deny["locked"] = p.SEND
    await server.start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.stop()


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "bot.sqlite3"


@pytest.fixture
async def start_bot(fake: DailyFakeDiscord, kb, db_path):
    """`await start_bot(**config)`: a ready bot with a store on `db_path`; `await stop(bot)` to restart."""
    running: list[tuple[Any, asyncio.Task[None], AsyncStore]] = []

    async def start(**config: Any) -> Any:
        config.setdefault("cooldown", {"rate": 100, "per": 1.0})
        store = await AsyncStore.open(db_path)
        bot: Any = create_bot(parse_settings(config, "test config"), kb, store=store, guild_ready_timeout=0.05)
        task = asyncio.create_task(bot.start(TOKEN))
        running.append((bot, task, store))
        await asyncio.wait_for(bot.wait_until_ready(), 5)
        return bot

    async def stop(bot: Any) -> None:
        for entry in running:
            if entry[0] is bot:
                await bot.close()
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(entry[1], 5)
                await entry[2].close()
                running.remove(entry)
                return

    start.stop = stop  # type: ignore[attr-defined]
    yield start
    for bot, _task, _store in list(running):
        await stop(bot)
    assert not fake.unknown, f"requests to unknown routes: {[(r.method, r.path) for r in fake.unknown]}"


@pytest.fixture
def db(db_path):
    """The database as the tests read it: a connection of their own (the bot's lives on its store's thread)."""
    store = DailyStore(db_path)
    yield store
    store.close()


def due_now(db_path, channel_id: int, guild_id: int) -> date:
    """Configure a channel whose post time is one minute ago (set up two minutes ago): due at start-up."""
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    store = DailyStore(db_path)
    store.set_channel(channel_id, guild_id, slot.time(), "UTC", now - timedelta(minutes=2))
    store.close()
    return slot.date()


def posted(db: DailyStore, channel_id: int, day: date) -> bool:
    """Whether the day's post is recorded (the bot writes on its store's thread, so the row may come later)."""
    rec = db.record(channel_id, day)
    return rec is not None and rec.status is PostStatus.POSTED


async def wait_until(check, timeout: float = 5.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not check():
        assert asyncio.get_running_loop().time() < deadline, "timed out"
        await asyncio.sleep(0.01)


async def scheduler_pass(bot) -> None:
    """Wait until the bot's daily scheduler has made a pass: checked unfinished posts, then handled what was due."""
    service = bot.get_cog("Daily").service
    await wait_until(lambda: service.wakeups >= 1)


async def test_daily_post_arrives_in_the_right_channel_as_an_embed_once(start_bot, fake, db_path, kb, db) -> None:
    news = fake.world.channels["news"]["id"]
    day = due_now(db_path, int(news), int(fake.world.guild_id))
    bot = await start_bot()
    await wait_until(lambda: posted(db, int(news), day))
    (post,) = fake.daily_posts()
    assert post["channel_id"] == news
    (embed,) = post["embeds"]
    assert embed["title"].startswith("Daily spotlight: ")
    assert embed["footer"]["text"].startswith(marker_for(day))
    assert "as of June 22, 2020" in embed["description"]
    assert post["sent"]["nonce"] == nonce_for(int(news), day) and post["sent"]["enforce_nonce"] is True
    assert post["sent"]["allowed_mentions"] == {"parse": []}
    rec = db.record(int(news), day)
    assert rec.status is PostStatus.POSTED and rec.message_id == int(post["id"])
    for _ in range(2):  # restart twice: still one post
        await start_bot.stop(bot)
        bot = await start_bot()
        await scheduler_pass(bot)
    assert len(fake.daily_posts()) == 1


async def test_restart_after_dying_mid_post_finds_the_post_instead_of_posting_again(start_bot, fake, db_path, db):
    news = fake.world.channels["news"]["id"]
    day = due_now(db_path, int(news), int(fake.world.guild_id))
    store = DailyStore(db_path)  # a previous run claimed the post, Discord created it, the run died
    store.claim(int(news), day, datetime.now(UTC) - timedelta(seconds=30), nonce_for(int(news), day))
    store.close()
    msg = fake.world.bot_message(news, {"embeds": [{"title": "Daily spotlight: x",
                                                    "footer": {"text": marker_for(day)}}]})
    fake.messages[msg["id"]] = msg
    bot = await start_bot()
    await wait_until(lambda: posted(db, int(news), day))
    assert db.record(int(news), day).message_id == int(msg["id"])
    await scheduler_pass(bot)
    assert len(fake.daily_posts()) == 1
    assert any(r.is_("GET", f"/channels/{news}/messages") for r in fake.requests)


async def test_missing_permission_and_deleted_channel_pause_only_those(start_bot, fake, db_path, db):
    guild = int(fake.world.guild_id)
    locked, news, gone = (int(fake.world.channels[n]["id"]) for n in ("locked", "news", "general"))
    for cid in (locked, news, gone):
        day = due_now(db_path, cid, guild)
    fake.missing.add(str(gone))  # the channel was deleted after it was configured
    bot = await start_bot()
    await wait_until(lambda: db.record(news, day) is not None
                     and db.record(news, day).status is PostStatus.POSTED
                     and all(db.channel(c).paused_reason for c in (locked, gone)))
    assert [m["channel_id"] for m in fake.daily_posts()] == [str(news)]
    assert "Send Messages" in db.channel(locked).paused_reason
    assert "Unknown Channel" in db.channel(gone).paused_reason
    assert db.record(news, day).status is PostStatus.POSTED
    n = len(fake.requests)
    await fake.send_message("!daily status", user="admin", channel="news")
    status = sent(await fake.next_post(after=n))
    text = str(status["embeds"])
    assert "paused" in text and "Send Messages" in text and "Unknown Channel" in text
    await scheduler_pass(bot)  # the pass that paused them is over, and the next one is not near: no tight retry
    assert await bot.get_cog("Daily").service.sleep_seconds() > 60
    assert not any(r.method == "POST" and str(locked) in r.path for r in fake.requests[n:])


async def test_daily_set_by_text_and_slash_with_timezone_autocomplete(start_bot, fake, db_path, db):
    await start_bot()
    news = int(fake.world.channels["news"]["id"])
    n = len(fake.requests)
    await fake.send_message(f"!daily set <#{news}> 18:30 america/new_york", user="admin")
    reply = sent(await fake.next_post(after=n))["content"]
    assert f"<#{news}> at 18:30 (America/New_York)" in reply and "Next post: <t:" in reply
    sch = db.channel(news)
    assert (format_time(sch.post_time), sch.timezone, sch.guild_id) == ("18:30", "America/New_York",
                                                                        int(fake.world.guild_id))
    n = len(fake.requests)
    await fake.send_message("!daily set 25:00", user="admin")
    assert "HH:MM" in sent(await fake.next_post(after=n))["content"]
    n = len(fake.requests)
    await fake.send_message("!daily set 09:00 Asia/Soul", user="admin")
    assert "IANA" in sent(await fake.next_post(after=n))["content"]

    data = fake.world.interaction("daily", {}, user="admin", channel="general")
    data["data"]["options"] = [{"name": "set", "type": 1, "options": [
        {"name": "time", "type": 3, "value": "07:45"}, {"name": "timezone", "type": 3, "value": "Europe/Berlin"}]}]
    n = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", data)
    assert "at 07:45 (Europe/Berlin)" in sent(await fake.next_post(after=n))["content"]
    assert db.channel(int(fake.world.channels["general"]["id"])).timezone == "Europe/Berlin"

    data = fake.world.interaction("daily", {}, user="admin", channel="general", focused="x")
    data["data"]["options"] = [{"name": "set", "type": 1, "options": [
        {"name": "timezone", "type": 3, "value": "seo", "focused": True}]}]
    n = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", data)
    cb = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert cb.body["type"] == 8
    choices = [c["value"] for c in cb.body["data"]["choices"]]
    assert choices[0] == "Asia/Seoul" and len(choices) <= 25


async def test_daily_commands_need_manage_server(start_bot, fake):
    await start_bot()
    n = len(fake.requests)
    await fake.send_message("!daily set 09:00", user="member")
    assert "Sorry, `!daily set` is only for server managers" in sent(await fake.next_post(after=n))["content"]
    data = fake.world.interaction("daily", {}, user="member", channel="general")
    data["data"]["options"] = [{"name": "off", "type": 1, "options": []}]
    n = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", data)
    assert "only for server managers" in sent(await fake.next_post(after=n))["content"]


async def test_daily_off_keeps_settings_and_preview_shows_the_spotlight(start_bot, fake, db):
    bot = await start_bot()
    news = int(fake.world.channels["news"]["id"])
    n = len(fake.requests)
    await fake.send_message(f"!daily set <#{news}> 09:00", user="admin")
    assert "Daily spotlight in" in sent(await fake.next_post(after=n))["content"]
    n = len(fake.requests)
    await fake.send_message("!daily off", user="admin")
    assert "stopped in this server (1 channel(s))" in sent(await fake.next_post(after=n))["content"]
    sch = db.channel(news)
    assert not sch.enabled and sch.timezone == "Asia/Seoul"
    n = len(fake.requests)
    await fake.send_message("!daily preview 2020-06-22", user="admin")
    embed = sent(await fake.next_post(after=n))["embeds"][0]
    assert embed["title"] == bot.get_cog("Daily").rotation().answer(date(2020, 6, 22)).title


async def test_config_listed_channels_are_seeded_with_their_guild(start_bot, fake, db):
    news = int(fake.world.channels["news"]["id"])
    await start_bot(daily={"time": "08:15", "timezone": "Europe/Berlin",
                                 "channels": [{"channel": news}, {"channel": 42, "time": "07:00", "timezone": "UTC"}]})
    await wait_until(lambda: db.channel(news).guild_id == int(fake.world.guild_id))
    sch = db.channel(news)
    assert (format_time(sch.post_time), sch.timezone, sch.source) == ("08:15", "Europe/Berlin", "config")
    assert db.channel(42).timezone == "UTC" and db.channel(42).guild_id is None  # not in this guild
    n = len(fake.requests)
    await fake.send_message("!daily status", user="admin")
    text = str(sent(await fake.next_post(after=n))["embeds"])
    assert "#news" in text and "08:15 Europe/Berlin" in text


async def test_daily_prefix_commands_take_the_slash_syntax(start_bot, fake, db_path, db):
    bot = await start_bot()
    news = int(fake.world.channels["news"]["id"])
    general = int(fake.world.channels["general"]["id"])
    n = len(fake.requests)
    await fake.send_message("!daily set time:09:00 timezone:Europe/Berlin", user="admin")
    assert "at 09:00 (Europe/Berlin)" in sent(await fake.next_post(after=n))["content"]
    assert db.channel(general).timezone == "Europe/Berlin"
    n = len(fake.requests)
    await fake.send_message(f"!daily set channel:<#{news}> timezone:America/New York time:18:30", user="admin")
    assert f"<#{news}> at 18:30 (America/New_York)" in sent(await fake.next_post(after=n))["content"]
    n = len(fake.requests)
    await fake.send_message("!daily set time:9am", user="admin")
    assert "HH:MM" in sent(await fake.next_post(after=n))["content"]
    n = len(fake.requests)
    await fake.send_message("!daily preview day:2020-06-22", user="admin")
    embed = sent(await fake.next_post(after=n))["embeds"][0]
    assert embed["title"] == bot.get_cog("Daily").rotation().answer(date(2020, 6, 22)).title
    n = len(fake.requests)
    await fake.send_message(f"!daily off channel:<#{news}>", user="admin")
    assert f"stopped in <#{news}> (1 channel(s))" in sent(await fake.next_post(after=n))["content"]
    assert db.channel(general).enabled


def daily_slash(fake, sub: str, user: str = "admin") -> dict[str, Any]:
    """`/daily <sub>` as Discord sends it: the subcommand as the one option."""
    data = fake.world.interaction("daily", {}, user=user, channel="general")
    data["data"]["options"] = [{"name": sub, "type": 1, "options": []}]
    return data


async def test_slash_daily_status_is_private(start_bot, fake):
    await start_bot()
    n = len(fake.requests)
    await fake.dispatch("INTERACTION_CREATE", daily_slash(fake, "status"))
    first = await fake.wait_for(lambda r: "/callback" in r.path, after=n)
    assert first.body["data"]["flags"] & 64, "the status went to the whole channel"
    reply = await fake.wait_for(lambda r: r.path.startswith("/webhooks/"), after=n)  # the deferred reply
    assert "Daily spotlight posts" in str(reply.body["embeds"])


async def test_refusals_name_the_whole_daily_command(start_bot, fake):
    await start_bot()
    for content in ("!daily set 09:00", "!daily status", "!daily"):
        n = len(fake.requests)
        await fake.send_message(content, user="member")
        name = " ".join(content.split()[:2]) if content != "!daily" else "!daily"
        assert f"Sorry, `{name}` is only for server managers" in sent(await fake.next_post(after=n))["content"]
    for sub in ("off", "status", "preview"):
        n = len(fake.requests)
        await fake.dispatch("INTERACTION_CREATE", daily_slash(fake, sub, user="member"))
        reply = sent(await fake.next_post(after=n))
        assert f"Sorry, `/daily {sub}` is only for server managers" in reply["content"] and reply["flags"] & 64


async def test_a_locked_database_never_delays_answers_and_admins_hear_why(start_bot, fake, db):
    """Another connection holds the write lock: `!daily set` waits off the loop and names the cause; a member's
    question sent after it is answered first."""
    await start_bot()
    news = int(fake.world.channels["news"]["id"])
    locker = sqlite3.connect(db.path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        n = len(fake.requests)
        await fake.send_message(f"!daily set <#{news}> 09:00", user="admin")
        start = time.perf_counter()
        await fake.send_message("!country Vietnam")
        answer = await fake.wait_for(lambda r: r.method == "POST" and r.path.endswith("/messages")
                                     and bool(sent(r).get("embeds")), after=n)
        answered_in = time.perf_counter() - start
        note = await fake.wait_for(lambda r: r.method == "POST" and r.path.endswith("/messages")
                                   and "database" in (sent(r).get("content") or ""), after=n)
    finally:
        locker.close()
    assert answered_in < 1.0, f"the question waited {answered_in:.2f} s for the database"
    assert fake.requests.index(answer) < fake.requests.index(note)  # the question did not wait for the store
    text = sent(note)["content"]
    assert "`!daily set` could not use the daily-post database: the database is locked" in text
    assert "Sorry, something went wrong" not in text
    assert db.channel(news) is None  # nothing was half-saved
