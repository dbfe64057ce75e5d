"""The heartbeat file the container HEALTHCHECK reads: touched while the gateway connection is live, not while
discord.py reconnects."""

from __future__ import annotations

import asyncio

import discord
import pytest


class Beats:
    """An injected sleep for the heartbeat loop: the loop waits in it until the test calls `step`."""

    def __init__(self) -> None:
        self.waiting: asyncio.Queue[float] = asyncio.Queue()
        self.go: asyncio.Queue[None] = asyncio.Queue()

    async def sleep(self, seconds: float) -> None:
        await self.waiting.put(seconds)
        await self.go.get()

    async def first(self) -> float:
        """Wait for the loop's first check; the interval it then sleeps for."""
        return await asyncio.wait_for(self.waiting.get(), 5)

    async def step(self) -> None:
        """Let the loop run one more check, and wait until it has."""
        self.go.put_nowait(None)
        await asyncio.wait_for(self.waiting.get(), 5)


class QuickBackoff:
    """discord.py's reconnect backoff without its seconds of random wait."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        pass

    def delay(self) -> float:
        return 0.01


async def until(condition, timeout: float = 5.0) -> None:
    """Wait for `condition()` to hold (it is checked every few milliseconds)."""
    async with asyncio.timeout(timeout):
        while not condition():
            await asyncio.sleep(0.005)


@pytest.fixture
def beat(tmp_path, monkeypatch):
    path = tmp_path / "bot.heartbeat"
    monkeypatch.setenv("BOT_HEARTBEAT_FILE", str(path))
    return path


async def test_heartbeat_file_is_touched_while_connected(start_bot, beat):
    beats = Beats()
    running = await start_bot(options={"heartbeat_seconds": 7.5, "heartbeat_sleep": beats.sleep})
    assert await beats.first() == 7.5  # the first check ran in setup_hook, before the bot was ready
    await beats.step()
    assert beat.exists()
    beat.unlink()
    await beats.step()
    assert beat.exists()
    await running.close()
    assert running._heartbeat_task.cancelled() or running._heartbeat_task.done()


async def test_no_heartbeat_while_the_gateway_is_down(start_bot, fake, beat, monkeypatch):
    monkeypatch.setattr(discord.client, "ExponentialBackoff", QuickBackoff)
    beats = Beats()
    running = await start_bot(options={"heartbeat_sleep": beats.sleep})
    await beats.first()
    await beats.step()
    assert beat.exists() and running.gateway_live
    fake.refuse_gateway = True
    await fake.close_gateway(4000)  # resumable: discord.py reconnects by itself, and stays "ready"
    await until(lambda: fake.refused >= 2)
    assert running.is_ready() and not running.gateway_live
    beat.unlink()
    for _ in range(3):
        await beats.step()
        assert not beat.exists(), "the heartbeat was touched while the gateway was down"
    fake.refuse_gateway = False
    await until(lambda: fake.resumes == 1 and running.gateway_live)
    await beats.step()
    assert beat.exists()


async def test_no_heartbeat_without_the_variable(start_bot, monkeypatch):
    monkeypatch.delenv("BOT_HEARTBEAT_FILE", raising=False)
    running = await start_bot()
    assert running._heartbeat_task is None
