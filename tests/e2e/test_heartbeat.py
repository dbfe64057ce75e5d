"""The heartbeat file the container HEALTHCHECK reads: touched while the bot is connected."""

from __future__ import annotations

import asyncio

import bot.discordbot.app as app


async def test_heartbeat_file_is_touched_while_connected(start_bot, tmp_path, monkeypatch):
    beat = tmp_path / "bot.heartbeat"
    monkeypatch.setenv("BOT_HEARTBEAT_FILE", str(beat))
    monkeypatch.setattr(app, "HEARTBEAT_SECONDS", 0.02)
    running = await start_bot()
    for _ in range(100):
        if beat.exists():
            break
        await asyncio.sleep(0.01)
    assert beat.exists()
    first = beat.stat().st_mtime_ns
    await asyncio.sleep(0.1)
    assert beat.stat().st_mtime_ns > first
    await running.close()
    assert running._heartbeat_task.cancelled() or running._heartbeat_task.done()


async def test_no_heartbeat_without_the_variable(start_bot, monkeypatch):
    monkeypatch.delenv("BOT_HEARTBEAT_FILE", raising=False)
    running = await start_bot()
    assert running._heartbeat_task is None
