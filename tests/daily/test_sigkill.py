"""A real SIGKILL right after a post reaches "Discord": the database is consistent and nothing posts twice."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from datetime import date, time
from pathlib import Path

import pytest

from bot.answer import Answer
from bot.daily.aiostore import AsyncStore
from bot.daily.schedule import PostStatus
from bot.daily.service import DailyService
from bot.daily.store import DailyStore
from tests.daily.conftest import GRACE, FakeClock, utc

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent("""
    import asyncio, json, os, signal, sys
    from datetime import datetime, timedelta, UTC
    from bot.answer import Answer
    from bot.daily.aiostore import AsyncStore
    from bot.daily.service import DailyService

    db, wire = sys.argv[1], sys.argv[2]
    now = datetime(2024, 6, 1, 9, 0, 1, tzinfo=UTC)

    class Poster:
        async def send(self, channel_id, answer, *, nonce, marker):
            with open(wire, "a") as f:  # the message is now "on Discord"
                f.write(json.dumps({"channel": channel_id, "marker": marker, "id": 777, "nonce": nonce}) + "\\n")
                f.flush()
                os.fsync(f.fileno())
            os.kill(os.getpid(), signal.SIGKILL)  # killed before the confirm transaction

        async def find(self, channel_id, *, marker, after):
            return None

    async def main():
        store = await AsyncStore.open(db)
        service = DailyService(store, Poster(), lambda d: ("k", Answer(title="t")), clock=lambda: now)
        await service.tick()

    asyncio.run(main())
    print("not killed")
""")


class WirePoster:
    """Reads what the killed process put "on Discord"; sends append to the same file."""

    def __init__(self, wire: Path) -> None:
        self.wire = wire

    def messages(self) -> list[dict]:
        return [json.loads(line) for line in self.wire.read_text().splitlines()]

    async def send(self, channel_id: int, answer: Answer, *, nonce: str, marker: str) -> int:
        with self.wire.open("a") as f:
            f.write(json.dumps({"channel": channel_id, "marker": marker, "id": 888, "nonce": nonce}) + "\n")
        return 888

    async def find(self, channel_id: int, *, marker: str, after) -> int | None:
        return next((m["id"] for m in self.messages() if m["channel"] == channel_id and m["marker"] == marker), None)


@pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs SIGKILL")
async def test_sigkill_right_after_posting_then_restart_posts_nothing_more(tmp_path) -> None:
    db_path, wire = tmp_path / "daily.sqlite3", tmp_path / "discord.jsonl"
    store = DailyStore(db_path)
    store.set_channel(10, 1, time(9, 0), "UTC", utc(2024, 6, 1, 8, 0), updated_by=5)
    store.set_channel(20, 1, time(23, 0), "Asia/Seoul", utc(2024, 6, 1, 8, 0))
    store.close()

    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(db_path), str(wire)], env=env, capture_output=True,
                          text=True, timeout=60)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    assert "not killed" not in proc.stdout

    poster = WirePoster(wire)
    assert len(poster.messages()) == 1
    store = DailyStore(db_path)  # opens cleanly after the kill
    try:
        assert store.record(10, date(2024, 6, 1)).status is PostStatus.CLAIMED
        chans = {c.channel_id: c for c in store.channels()}
        assert chans[10].post_time == time(9, 0) and chans[20].timezone == "Asia/Seoul"  # settings intact
        clock = FakeClock(utc(2024, 6, 1, 9, 0, 30))
        db = await AsyncStore.open(db_path)
        try:
            service = DailyService(db, poster, lambda d: ("k", Answer(title="t")), grace=GRACE, clock=clock)
            await service.reconcile()
            await service.tick()
            clock.advance(3600)
            await service.tick()
        finally:
            await db.close()
        assert len(poster.messages()) == 1  # still exactly one post
        rec = store.record(10, date(2024, 6, 1))
        assert rec.status is PostStatus.POSTED and rec.message_id == 777
        assert store._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    finally:
        store.close()
