"""`python -m bot run` as an operator runs it, against the fake; the Message Content intent refused; shards."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from pathlib import Path

import discord
import pytest

from bot.config import parse_settings
from bot.discordbot.app import ShardedRoundtableBot, create_bot

from .fake_discord import sent

ROOT = Path(__file__).resolve().parents[2]


async def run_bot(fake, tmp_path, config: str | None = "log_level: INFO\n") -> asyncio.subprocess.Process:
    """`python -m bot run --config FILE` with `config` in FILE; with None, no config file at all."""
    args = []
    if config is not None:
        cfg = tmp_path / "config.yaml"
        cfg.write_text(config, encoding="utf-8")
        args = ["--config", str(cfg)]
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "DISCORD_TOKEN", "BOT_DB_PATH")}
    env.update(DISCORD_TOKEN="x", DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
               PYTHONPATH=str(ROOT))
    return await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", *args, cwd=tmp_path, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )


async def finish(proc: asyncio.subprocess.Process, timeout: float = 10) -> tuple[int, str]:
    _, err = await asyncio.wait_for(proc.communicate(), timeout)
    return proc.returncode or 0, err.decode()


async def test_operator_run_answers_prefix_slash_autocomplete_and_mentions(fake, tmp_path):
    proc = await run_bot(fake, tmp_path)
    try:
        await asyncio.wait_for(fake.ready.wait(), 20)
        await asyncio.sleep(0.1)  # let the guild arrive before the first event
        n = len(fake.requests)
        await fake.send_message("!country Vietnam")
        assert "Vietnam" in sent(await fake.next_post(after=n, timeout=5))["embeds"][0]["title"]
        n = len(fake.requests)
        await fake.slash("who", {"person": "Lee Hyuk"})
        post = await fake.next_post(after=n, timeout=5)
        assert post.body["type"] == 4 and "Lee Hyuk" in post.body["data"]["embeds"][0]["title"]
        n = len(fake.requests)
        await fake.slash("ambassador", {"name": "tha"}, focused="name")
        post = await fake.wait_for(lambda r: "/callback" in r.path, after=n, timeout=5)
        assert post.body["data"]["choices"][0]["name"] == "Thailand"
        n = len(fake.requests)
        await fake.send_message(f"<@{fake.world.app_id}> Which countries reported no deaths?", mentions=("bot",))
        assert sent(await fake.next_post(after=n, timeout=5))["embeds"]
    finally:
        proc.send_signal(signal.SIGTERM)
        code, err = await finish(proc)
    assert code == 0, err
    assert "SIGTERM received, closing" in err and "bot closed" in err
    assert "Traceback" not in err
    assert not fake.unknown


async def test_run_without_a_config_file_uses_the_defaults(fake, tmp_path):
    proc = await run_bot(fake, tmp_path, config=None)
    try:
        await asyncio.wait_for(fake.ready.wait(), 20)
        await asyncio.sleep(0.1)
        n = len(fake.requests)
        await fake.send_message("!country Vietnam")
        assert "Vietnam" in sent(await fake.next_post(after=n, timeout=5))["embeds"][0]["title"]
    finally:
        proc.send_signal(signal.SIGTERM)
        code, err = await finish(proc)
    assert code == 0, err
    assert not (tmp_path / "config.yaml").exists() and (tmp_path / "data" / "bot.sqlite3").is_file()


def test_run_with_a_named_config_that_does_not_exist_says_how_to_make_one(tmp_path):
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG",)}
    env.update(DISCORD_TOKEN="x", PYTHONPATH=str(ROOT))
    proc = subprocess.run([sys.executable, "-m", "bot", "run", "--config", "config.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)
    assert (proc.returncode, proc.stdout) == (2, "")
    [line] = proc.stderr.splitlines()
    assert line.startswith("error: config.yaml: config file not found; make one with "
                           "`cp config.example.yaml config.yaml`"), line
    assert not list(tmp_path.iterdir())


async def run_in_thread(tmp_path, monkeypatch, config: str = "log_level: INFO\n") -> int:
    """`run_main` on its own event loop in a thread, as in production (discord.py already points at the fake)."""
    import argparse

    from bot.discordbot import runner

    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setattr(runner, "configure_logging", lambda level: None)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "c.yaml").write_text(config, encoding="utf-8")
    return await asyncio.to_thread(runner.run_main, argparse.Namespace(config=tmp_path / "c.yaml", knowledge=None))


async def test_message_content_intent_refused_gives_a_clear_message(fake, tmp_path, monkeypatch, capsys):
    fake.intents_ok = False
    assert await asyncio.wait_for(run_in_thread(tmp_path, monkeypatch), 20) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("error: Discord refused the Message Content intent. Enable it in the Developer Portal")
    assert "message_content: false" in err


async def test_a_rejected_token_is_one_line_and_exit_2(fake, tmp_path, monkeypatch, capsys):
    fake.reject_token = True
    monkeypatch.delenv("BOT_DB_PATH", raising=False)
    assert await asyncio.wait_for(run_in_thread(tmp_path, monkeypatch), 20) == 2
    assert capsys.readouterr().err == "error: Discord rejected the token (401): check DISCORD_TOKEN or token_file\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]  # no database before the token is accepted


async def test_a_database_that_cannot_be_opened_is_one_line_and_exit_2(fake, tmp_path, monkeypatch, capsys):
    (tmp_path / "taken").write_text("not a folder", encoding="utf-8")
    config = f"database_path: {tmp_path / 'taken' / 'bot.sqlite3'}\n"
    assert await asyncio.wait_for(run_in_thread(tmp_path, monkeypatch, config), 20) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith(f"error: daily-summary database {tmp_path / 'taken'}"), err
    assert any(r.path.endswith("/users/@me") for r in fake.requests)  # opened only after the login


async def test_a_read_only_database_is_one_line_and_exit_2(fake, tmp_path, monkeypatch, capsys):
    """Accepted before, every later write failed: now refused at start, like a broken config."""
    import sqlite3

    from bot.daily import store as store_mod

    db = tmp_path / "bot.sqlite3"
    store_mod.DailyStore(db).close()
    monkeypatch.setattr(store_mod, "_connect", lambda p, timeout: sqlite3.connect(
        f"file:{p}?mode=ro", uri=True, isolation_level=None, timeout=timeout))
    assert await asyncio.wait_for(run_in_thread(tmp_path, monkeypatch, f"database_path: {db}\n"), 20) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"error: daily-summary database {db}: the database is read-only, so no setting or post "
                          "could be saved; make the file and its folder writable for the bot."), err


def test_discord_out_of_reach_at_start_up_is_one_line_and_exit_3(tmp_path):
    import socket
    import subprocess

    with socket.socket() as s:  # a port on 127.0.0.1 that nothing listens on once this closes
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    (tmp_path / "c.yaml").write_text("log_level: WARNING\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "BOT_DB_PATH")}
    env.update(DISCORD_TOKEN="x", PYTHONPATH=str(ROOT), DISCORD_API_BASE=f"http://127.0.0.1:{port}/api/v10",
               DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{port}/gateway/")
    proc = subprocess.run([sys.executable, "-m", "bot", "run", "--config", "c.yaml"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=30)
    assert (proc.returncode, proc.stdout) == (3, ""), proc.stderr
    lines = [line for line in proc.stderr.splitlines() if "testing: Discord" not in line]  # the fake's notice
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"error: cannot reach Discord: Cannot connect to host 127.0.0.1:{port}"), lines
    assert sorted(p.name for p in tmp_path.iterdir()) == ["c.yaml"]  # no database was created


async def test_discord_py_reconnects_by_itself_once_connected(fake, tmp_path):
    proc = await run_bot(fake, tmp_path)
    try:
        await asyncio.wait_for(fake.ready.wait(), 20)
        await fake.shards[0].ws.close(code=4000)  # the gateway drops the connection
        for _ in range(200):
            if fake.resumes and fake.shards:
                break
            await asyncio.sleep(0.05)
        assert fake.resumes == 1 and fake.shards, "discord.py did not resume the session"
        n = len(fake.requests)
        await fake.send_message("!country Vietnam")
        assert "Vietnam" in sent(await fake.next_post(after=n, timeout=5))["embeds"][0]["title"]
    finally:
        proc.send_signal(signal.SIGTERM)
        code, err = await finish(proc)
    assert code == 0, err
    assert "Traceback" not in err


def test_a_broken_config_is_one_line_and_exit_2(tmp_path, monkeypatch, capsys):
    import argparse

    from bot.discordbot.runner import run_main

    monkeypatch.setenv("DISCORD_TOKEN", "x")
    for text, expected in (("prefix: 1\n", "prefix: expected str, got int"),
                           ("prefix: [\n", "line 2, column 1: invalid YAML"),
                           ("cooldwon: {rate: 1}\n", "cooldwon: unknown key (see config.example.yaml)")):
        (tmp_path / "c.yaml").write_text(text, encoding="utf-8")
        assert run_main(argparse.Namespace(config=tmp_path / "c.yaml", knowledge=None)) == 2
        err = capsys.readouterr().err
        assert err.count("\n") == 1 and err.startswith(f"error: {tmp_path / 'c.yaml'}: {expected}"), err


async def test_slash_only_mode_needs_no_privileged_intent(fake, tmp_path):
    fake.intents_ok = False
    proc = await run_bot(fake, tmp_path, "message_content: false\n")
    try:
        await asyncio.wait_for(fake.ready.wait(), 20)
        assert not fake.shards[0].identify["intents"] & (1 << 15)
        await asyncio.sleep(0.1)
        n = len(fake.requests)
        await fake.slash("event")
        assert (await fake.next_post(after=n, timeout=5)).body["type"] == 4
    finally:
        proc.send_signal(signal.SIGINT)
        code, err = await finish(proc)
    assert code == 0, err


def test_python_m_bot_run_without_token_is_one_line_and_exit_2(tmp_path):
    import subprocess

    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "DISCORD_TOKEN")}
    env["PYTHONPATH"] = str(ROOT)
    proc = subprocess.run([sys.executable, "-m", "bot", "run"], cwd=tmp_path, env=env, capture_output=True,
                          text=True, timeout=30)
    assert (proc.returncode, proc.stdout) == (2, "")
    assert proc.stderr.startswith("error: no bot token: set DISCORD_TOKEN") and proc.stderr.count("\n") == 1


async def test_sharded_bot_serves_its_shards(start_bot, fake, monkeypatch):
    async def no_wait(self, shard_id, *, initial=False):
        return None

    monkeypatch.setattr(ShardedRoundtableBot, "before_identify_hook", no_wait)  # Discord's 5 s identify spacing
    bot = await start_bot(shard_count=2)
    assert isinstance(bot, ShardedRoundtableBot)
    assert sorted(s.shard_id for s in fake.shards) == [0, 1]
    assert {tuple(s.identify["shard"]) for s in fake.shards} == {(0, 2), (1, 2)}
    n = len(fake.requests)
    await fake.send_message("!country Vietnam")
    assert sent(await fake.next_post(after=n))["embeds"]
    n = len(fake.requests)
    await fake.send_message("!event", channel="dm")
    assert sent(await fake.next_post(after=n))["embeds"]


async def test_shard_ids_run_only_some_shards(start_bot, fake, monkeypatch):
    guild_shard = (int(fake.world.guild_id) >> 22) % 2
    bot = await start_bot(shard_count=2, shard_ids=[guild_shard])
    assert [s.identify["shard"] for s in fake.shards] == [[guild_shard, 2]]
    assert bot.get_guild(int(fake.world.guild_id)) is not None


async def test_a_sharded_bot_closed_while_its_shards_start_stops_at_once(fake, kb, engine, caplog):
    """Shards log in 5 s apart (discord.py's spacing, as Discord wants): closing the bot (SIGTERM) in between ends it
    at once, without trying to start the remaining shards."""
    bot = create_bot(parse_settings({"shard_count": 2}, "test config"), kb, guild_ready_timeout=0.01,
                     engine_factory=lambda k: engine)
    running = asyncio.create_task(bot.start("fake.token.for-tests"))
    try:
        async with asyncio.timeout(20):
            while not fake.shards:  # shard 0 logged in; shard 1 waits its turn
                await asyncio.sleep(0.01)
        await bot.close()
        await asyncio.wait_for(running, 5)
    finally:
        running.cancel()
        for thread in threading.enumerate():  # shard 1's connection, open while it waited: a process would end it
            if isinstance(thread, discord.gateway.KeepAliveHandler):
                thread.stop()
    assert "Failed to connect" not in caplog.text


@pytest.mark.parametrize(("code", "line"), [
    (4004, "error: Discord rejected the token (gateway close 4004, the token was reset or revoked): "
           "check DISCORD_TOKEN or token_file\n"),
    (4010, "error: Discord refused the shard (gateway close 4010, invalid shard): check shard_count and "
           "shard_ids in the config\n"),
    (4011, "error: Discord requires sharding for this bot (gateway close 4011): set `shard_count: auto` in the "
           "config\n"),
    (4012, "error: Discord refused the gateway API version (gateway close 4012): upgrade discord.py\n"),
    (4013, "error: Discord refused the gateway intents (gateway close 4013, invalid intents): upgrade discord.py\n"),
    (4014, "error: Discord refused the Message Content intent. Enable it in the Developer Portal "
           "(Applications > your bot > Bot > Privileged Gateway Intents > Message Content Intent), "
           "or set `message_content: false` in the config to run with slash commands, mentions and DMs only.\n"),
])
async def test_a_fatal_gateway_close_mid_session_is_one_line_and_exit_2(fake, tmp_path, monkeypatch, capsys,
                                                                          code, line):
    running = asyncio.create_task(run_in_thread(tmp_path, monkeypatch))
    await asyncio.wait_for(fake.ready.wait(), 20)
    await fake.close_gateway(code)  # e.g. 4004: the token was reset in the Developer Portal
    assert await asyncio.wait_for(running, 20) == 2
    assert capsys.readouterr().err == line
    assert not fake.resumes


async def test_a_token_reset_mid_session_logs_no_traceback(fake, tmp_path):
    proc = await run_bot(fake, tmp_path)
    await asyncio.wait_for(fake.ready.wait(), 20)
    await fake.close_gateway(4004)
    code, err = await finish(proc)
    assert code == 2, err
    assert "Traceback" not in err
    assert err.splitlines()[-1].startswith("error: Discord rejected the token (gateway close 4004")
