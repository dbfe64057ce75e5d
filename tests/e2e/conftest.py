"""Fixtures: a fake Discord per test and the real bot connected to it through discord.py's own network code."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import discord
import pytest
import yarl

from bot.config import parse_settings
from bot.discordbot.app import RoundtableBotMixin, create_bot
from bot.engine import Engine
from bot.kb.loader import KnowledgeBase

from .fake_discord import FakeDiscord

TOKEN = "fake.token.for-tests"


@pytest.fixture
async def fake(monkeypatch: pytest.MonkeyPatch) -> AsyncIterator[FakeDiscord]:
    """A started fake Discord, with discord.py's REST base and gateway pointed at it."""
    server = await FakeDiscord().start()
    monkeypatch.setattr(discord.http.Route, "BASE", server.api_base)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY", yarl.URL(server.gateway_url))
    yield server
    await server.stop()


BotFactory = Callable[..., Awaitable[RoundtableBotMixin]]


@pytest.fixture
async def start_bot(fake: FakeDiscord, kb: KnowledgeBase, engine: Engine) -> AsyncIterator[BotFactory]:
    """`await start_bot(**config)`: the bot, logged in and ready; closed after the test (`options` go to the
    bot class, e.g. an injected heartbeat sleep)."""
    running: list[tuple[Any, asyncio.Task[None]]] = []

    async def start(knowledge: KnowledgeBase | None = None, options: dict[str, Any] | None = None,
                    **config: Any) -> RoundtableBotMixin:
        config.setdefault("ask_channels", [int(fake.world.channels["ask"]["id"])])
        config.setdefault("cooldown", {"rate": 100, "per": 1.0})
        settings = parse_settings(config, "test config")
        bot: Any = create_bot(settings, knowledge or kb, guild_ready_timeout=0.01,
                              engine_factory=lambda k: engine if k is kb else Engine(k),  # share the index
                              **(options or {}))
        task = asyncio.create_task(bot.start(TOKEN))
        running.append((bot, task))
        fake.bots.append(bot)  # so `fake.quiet()` can tell when the bot has handled everything
        ready = asyncio.create_task(bot.wait_until_ready())
        done, _ = await asyncio.wait({ready, task}, timeout=5, return_when=asyncio.FIRST_COMPLETED)
        if task in done:
            ready.cancel()
            task.result()  # raises why the bot stopped
        assert ready in done, "bot did not become ready"
        return bot

    yield start
    for bot, task in running:
        await bot.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(task, timeout=5)
    assert not fake.unknown, f"requests to unknown routes: {[(r.method, r.path) for r in fake.unknown]}"


@pytest.fixture
async def bot(start_bot: BotFactory) -> RoundtableBotMixin:
    """The bot with the test defaults."""
    return await start_bot()
