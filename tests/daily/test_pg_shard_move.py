"""A shard moving to another process: real `python -m bot run` processes, one fake Discord, one PostgreSQL database.

Process A runs shard 0 of 2 and process B shard 1, as two hosts would (docs/deployment.md section 8).

- A host fails mid-post: two guilds on each shard, every post due. The fake Discord holds A's two posts without
  answering, the first after putting the message in the channel and the second before, and A is SIGKILLed while
  both wait: its claims are written, neither post is confirmed. A's own config (shard 0) is then started as a new
  process beside B, which keeps running, as a failed host's container is run on another host (each host has its own
  container and config, their `shard_ids` disjoint and together covering every shard). It finds the first post in
  the channel's history, sends the second, and every guild has exactly one post for the day.
- Settings follow the guild: `!daily set` and `!daily off` through A move a guild's post to another channel, time and
  zone; A and B stop and B starts again with both shards; `!daily status` through B shows the moved setting.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.daily.schedule import PostStatus, format_time
from tests.daily.pgserver import BlockingStore, PgServer
from tests.e2e import payloads as p
from tests.e2e.fake_discord import Request, Shard, reply, sent

from .botproc import BotProcess, start
from .fake_server import DailyFakeDiscord, is_daily_post

SHARDS = 2
GRACE = timedelta(minutes=60)  # the default daily.grace_minutes


def shard_of(guild_id: int | str) -> int:
    """The shard a guild belongs to."""
    return (int(guild_id) >> 22) % SHARDS


def guild_on(shard: int) -> str:
    """A fresh guild id on `shard`."""
    gid = int(p.snowflake())
    while shard_of(gid) != shard:
        gid += 1 << 22  # one millisecond later
    return str(gid)


def config(shard_ids: list[int]) -> str:
    """A host's config: this process runs `shard_ids` of the bot's shards."""
    return f"log_level: DEBUG\nmessage_content: true\nshard_count: {SHARDS}\nshard_ids: {shard_ids}\n"


class HoldingFake(DailyFakeDiscord):
    """Never answers the daily post to a channel in `hold_sent` (after making the message: Discord has it, the bot
    does not know) or `hold_unsent` (before: nothing is made), once per channel; `held` lists them as they come.
    `logins` lists the shard ids that logged in, each once its guilds were sent."""

    def __init__(self) -> None:
        super().__init__()
        self.hold_sent: set[str] = set()
        self.hold_unsent: set[str] = set()
        self.held: list[str] = []
        self.release = asyncio.Event()  # set: the held requests end (their sender is gone by then)
        self.logins: list[int] = []
        self._more = asyncio.Event()

    async def _identify(self, shard: Shard, data: dict[str, Any]) -> None:
        await super()._identify(shard, data)
        self.logins.append(shard.shard_id)
        self._more.set()

    async def _until(self, done: Callable[[], bool], timeout: float) -> None:
        async with asyncio.timeout(timeout):
            while not done():
                self._more.clear()
                await self._more.wait()

    async def wait_held(self, count: int, timeout: float = 60.0) -> None:
        """Return once `count` posts are held."""
        await self._until(lambda: len(self.held) >= count, timeout)

    async def wait_login(self, shard_id: int, *, after: int, timeout: float = 60.0) -> None:
        """Return once shard `shard_id` logged in (after the first `after` logins) and got its guilds: a message
        to one of them sent now reaches that connection after them."""
        await self._until(lambda: shard_id in self.logins[after:], timeout)

    async def route(self, r: Request) -> Any:
        """Hold the daily posts to the channels named; everything else as the daily fake does."""
        parts = r.path.strip("/").split("/")
        channel = parts[1] if len(parts) == 3 and parts[0] == "channels" and parts[2] == "messages" else ""
        if r.method != "POST" or channel not in self.hold_sent | self.hold_unsent or not is_daily_post(r.body):
            return await super().route(r)
        made = await super().route(r) if channel in self.hold_sent else None
        self.hold_sent.discard(channel)
        self.hold_unsent.discard(channel)
        self.held.append(channel)
        self._more.set()
        await self.release.wait()
        return made if made is not None else reply({"message": "held", "code": 0}, 503)


@pytest.fixture
async def fake() -> AsyncIterator[HoldingFake]:
    server = HoldingFake()
    await server.start()
    yield server
    server.release.set()
    await server.stop()


async def stop_all(bots: list[BotProcess]) -> list[int]:
    """SIGTERM every process still running; the exit statuses."""
    codes = []
    for bot in bots:
        with contextlib.suppress(Exception):
            codes.append(await bot.stop())
    return codes


def tails(bots: list[BotProcess]) -> str:
    """The last log lines of each process, for a failing assertion."""
    return "\n\n".join("\n".join(bot.lines[-25:]) for bot in bots)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
async def test_a_host_killed_mid_post_then_its_shard_started_beside_the_other_posts_each_guild_once(
        pg: PgServer, fake: HoldingFake, tmp_path: Path) -> None:
    url = pg.create_database("shard_move_kill")
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    day = slot.date()
    channels: dict[int, list[int]] = {0: [], 1: []}  # shard -> the channels of its guilds
    store = BlockingStore.open(url)
    try:
        for shard, k in ((0, 0), (0, 1), (1, 0), (1, 1)):
            name = f"news-{shard}-{k}"
            guild = int(fake.world.add_guild(name, guild_id=guild_on(shard)))
            channel = int(fake.world.channels[name]["id"])
            store.set_channel(channel, guild, slot.time(), "UTC", now - timedelta(minutes=2))  # due at start-up
            channels[shard].append(channel)
    finally:
        store.close()
    made, lost = (str(c) for c in channels[0])
    fake.hold_sent.add(made)
    fake.hold_unsent.add(lost)

    a = await start(tmp_path, "host-a", config([0]), fake, url)
    b = await start(tmp_path, "host-b", config([1]), fake, url)
    bots = [a, b]
    try:
        await fake.wait_held(2)  # A claimed both its posts and is sending them
        assert await a.kill() == -signal.SIGKILL
        fake.release.set()
        check = BlockingStore.open(url)
        try:
            assert [check.record(c, day).status for c in channels[0]] == [PostStatus.CLAIMED] * 2
        finally:
            check.close()
        assert len(fake.daily_posts(made)) == 1 and not fake.daily_posts(lost)
        line = await b.wait_for("daily: scheduler pass 1:", timeout=60)
        assert all(f"channel {c} {day} posted" in line for c in channels[1]), line

        a2 = await start(tmp_path, "host-a-again", config([0]), fake, url)  # A's config, beside B
        bots.append(a2)
        await a2.wait_for(f"daily: channel {made}, {day}: found the post sent before the restart", timeout=60)
        await a2.wait_for(f"daily: channel {lost}, {day}: the post was not sent before the restart")
        line = await a2.wait_for("daily: scheduler pass 1:")
        assert line.endswith(f"channel {lost} {day} posted"), line
    finally:
        codes = await stop_all(bots)
    assert codes == [-signal.SIGKILL, 0, 0], tails(bots)

    check = BlockingStore.open(url)
    try:
        for c in channels[0] + channels[1]:
            posts = fake.daily_posts(str(c))
            assert len(posts) == 1, (c, posts)  # no guild of either shard missed or got two
            rec = check.record(c, day)
            assert rec.status is PostStatus.POSTED and rec.message_id == int(posts[0]["id"]), rec
            assert rec.posted_at is not None and slot <= rec.posted_at < slot + GRACE
    finally:
        check.close()
    assert not any(str(c) in line for line in b.lines for c in channels[0])  # B never touched A's guilds
    assert not any("Traceback" in line for bot in bots for line in bot.lines)
    assert not fake.unknown, [(r.method, r.path) for r in fake.unknown]


async def command(fake: HoldingFake, content: str, channel: str) -> dict[str, Any]:
    """An admin's `!` command in a channel, and what the bot answered."""
    n = len(fake.requests)
    await fake.send_message(content, user="admin", channel=channel)
    return sent(await fake.next_post(after=n, timeout=30))


async def test_a_daily_setting_made_through_one_process_is_seen_by_the_next_owner_of_its_shard(
        pg: PgServer, fake: HoldingFake, tmp_path: Path) -> None:
    url = pg.create_database("shard_move_settings")
    guild = int(fake.world.add_guild("news", "news2", guild_id=guild_on(0)))
    news, news2 = (int(fake.world.channels[n]["id"]) for n in ("news", "news2"))
    now = datetime.now(UTC)
    old_slot = (now + timedelta(hours=3)).replace(second=0, microsecond=0)
    store = BlockingStore.open(url)
    try:
        store.set_channel(news, guild, old_slot.time(), "UTC", now)
    finally:
        store.close()
    zone = "Asia/Seoul"
    new_slot = (now + timedelta(hours=6)).replace(second=0, microsecond=0)
    hhmm = format_time(new_slot.astimezone(ZoneInfo(zone)).time())

    a = await start(tmp_path, "host-a", config([0]), fake, url)
    b = await start(tmp_path, "host-b", config([1]), fake, url)
    bots = [a, b]
    try:
        for bot in bots:
            await bot.wait_for("daily scheduler started", timeout=60)  # ready, reading commands
        answer = await command(fake, f"!daily set <#{news2}> {hhmm} {zone}", "news")
        assert f"Daily spotlight in <#{news2}> at {hhmm} ({zone})" in answer["content"], answer
        answer = await command(fake, f"!daily off <#{news}>", "news")
        assert f"Daily posts stopped in <#{news}> (1 channel(s))" in answer["content"], answer
        assert [await a.stop(), await b.stop()] == [0, 0]

        logins = len(fake.logins)
        b2 = await start(tmp_path, "host-b-both", config([0, 1]), fake, url)  # B now runs A's shard too
        bots.append(b2)
        await fake.wait_login(0, after=logins)  # shard 0 logs in first (shard 1 follows 5 s later, as on Discord)
        fields = {f["name"]: f["value"] for f in (await command(fake, "!daily status", "news"))["embeds"][0]["fields"]}
        assert fields["#news2"].startswith(f"{hhmm} {zone} · **on**\nNext post: <t:{int(new_slot.timestamp())}:F>"), \
            fields
        assert fields["#news"].startswith(f"{format_time(old_slot.time())} UTC · **off**"), fields
    finally:
        codes = await stop_all(bots)
    assert codes == [0, 0, 0], tails(bots)
    assert not any("Traceback" in line for bot in bots for line in bot.lines)
    assert not fake.unknown, [(r.method, r.path) for r in fake.unknown]
