"""Two real `python -m bot run` processes, one fake Discord, one PostgreSQL database: one post per guild and day.

Both processes start at once with the guild's post already due. As shards 0 and 1 of 2, only the owner of the
guild's shard posts; as two copies of the same unsharded bot (the overlap of a rolling deploy), both try and
the database's claim lets exactly one through. The second process's absence of a post is shown by its own log:
its scheduler pass finished, with the slot found claimed or already done, before both are stopped.
Also here: PostgreSQL unreachable at start-up is one line and exit 2.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.daily.schedule import PostStatus
from tests.daily.pgserver import BlockingStore, PgServer
from tests.e2e import payloads as p

from .botproc import start
from .fake_server import DailyFakeDiscord


class GatedFake(DailyFakeDiscord):
    """Holds every gateway login until `expected` have arrived, so both processes become ready together and
    reach the due slot at the same moment."""

    expected = 2

    def __init__(self) -> None:
        super().__init__()
        self.arrived = 0
        self.all_in = asyncio.Event()

    async def _identify(self, shard: Any, data: dict[str, Any]) -> None:
        self.arrived += 1
        if self.arrived >= self.expected:
            self.all_in.set()
        await asyncio.wait_for(self.all_in.wait(), 60)
        await super()._identify(shard, data)


@pytest.fixture
async def fake() -> AsyncIterator[GatedFake]:
    server = GatedFake()
    server.world.channels["news"] = {"id": p.snowflake(), "name": "news"}
    await server.start()
    yield server
    await server.stop()


@pytest.mark.parametrize("layout", ["shards 0 and 1 of 2", "two copies, unsharded"])
async def test_two_processes_on_one_database_post_once_per_guild_and_day(pg: PgServer, fake: GatedFake,
                                                                         tmp_path: Path, layout: str) -> None:
    name = "procs_" + ("sharded" if layout.startswith("shards") else "copies")
    url = pg.create_database(name)
    channel, guild = int(fake.world.channels["news"]["id"]), int(fake.world.guild_id)
    now = datetime.now(UTC)
    slot = (now - timedelta(minutes=1)).replace(second=0, microsecond=0)
    store = BlockingStore.open(url)
    try:
        store.set_channel(channel, guild, slot.time(), "UTC", now - timedelta(minutes=2))  # due at start-up
    finally:
        store.close()
    base = "log_level: DEBUG\nmessage_content: true\n"
    if layout.startswith("shards"):
        configs = [base + f"shard_count: 2\nshard_ids: [{i}]\n" for i in (0, 1)]
    else:
        configs = [base, base]
    bots = [await start(tmp_path, f"bot{i}", c, fake, url) for i, c in enumerate(configs)]
    codes: list[int] = []
    try:
        for bot in bots:  # every process has finished its first scheduler pass over the due slot
            await bot.wait_for("daily: scheduler pass 1:", timeout=60)
        posted = [b for b in bots if any("daily: posted" in line for line in b.lines)]
        assert len(posted) == 1, [b.lines[-20:] for b in bots]
        if layout.startswith("shards"):
            owner = (guild >> 22) % 2
            assert posted[0] is bots[owner]
            other = bots[1 - owner]
            assert "nothing due" in await other.wait_for("daily: scheduler pass 1:")  # not its guild: not its post
        else:
            other = next(b for b in bots if b is not posted[0])
            line = await other.wait_for("daily: scheduler pass 1:")
            assert "nothing due" in line or f"channel {channel} {slot.date()} busy" in line, line
    finally:
        for bot in bots:
            with contextlib.suppress(Exception):
                codes.append(await bot.stop())
    assert codes == [0, 0], [b.lines[-20:] for b in bots]
    assert len(fake.daily_posts(str(channel))) == 1
    check = BlockingStore.open(url)
    try:
        rec = check.record(channel, slot.date())
    finally:
        check.close()
    assert rec.status is PostStatus.POSTED and rec.message_id == int(fake.daily_posts(str(channel))[0]["id"])
    for bot in bots:
        assert not any("Traceback" in line for line in bot.lines), bot.lines


async def test_postgresql_unreachable_at_start_up_is_one_line_and_exit_2(fake: GatedFake,
                                                                        tmp_path: Path) -> None:
    url = f"postgresql://bot:s3cret@/daily?host={tmp_path}&port=5432"  # nothing listens on that socket
    fake.all_in.set()  # one process: no gate
    bot = await start(tmp_path, "bot", "log_level: WARNING\n", fake, url)
    code = await asyncio.wait_for(bot.proc.wait(), 60)
    await bot._reader
    lines = [line for line in bot.lines if "testing: Discord" not in line]  # the fake's notice
    assert code == 2 and len(lines) == 1, bot.lines
    assert lines[0].startswith("error: daily-summary database postgresql://bot:***@/daily"), lines
    assert "the database server cannot be reached" in lines[0] and "s3cret" not in lines[0]
