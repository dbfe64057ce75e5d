"""The runner's checks before connecting: token sources and mistakes, test endpoints, no discord import elsewhere."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import discord
import pytest

from bot.config import Settings
from bot.discordbot import runner
from bot.discordbot.runner import TokenError, read_token, run_main

ROOT = Path(__file__).resolve().parents[2]


def test_token_from_environment_or_file(tmp_path):
    assert read_token(Settings(), {"DISCORD_TOKEN": " abc.def \n"}) == "abc.def"
    secret = tmp_path / "token"
    secret.write_text("from.file\n", encoding="utf-8")
    assert read_token(Settings(token_file=str(secret)), {}) == "from.file"
    assert read_token(Settings(token_file=str(secret)), {"DISCORD_TOKEN": "env"}) == "env"


@pytest.mark.parametrize("environ, settings, message", [
    ({}, Settings(), "no bot token: set DISCORD_TOKEN"),
    ({"DISCORD_TOKEN": "   "}, Settings(), "no bot token"),
    ({"DISCORD_TOKEN": "Bot abc"}, Settings(), "malformed token in DISCORD_TOKEN: drop the leading 'Bot '"),
    ({"DISCORD_TOKEN": "abc def"}, Settings(), "malformed token in DISCORD_TOKEN: it must be one line"),
    ({}, Settings(token_file="/nonexistent/token"), "cannot read token_file /nonexistent/token"),
])
def test_token_mistakes(environ, settings, message):
    with pytest.raises(TokenError, match=message):
        read_token(settings, environ)


def test_run_main_without_token_prints_one_line_and_returns_2(tmp_path, monkeypatch, capsys):
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    monkeypatch.chdir(tmp_path)
    assert run_main(argparse.Namespace(config=None, knowledge=None)) == 2
    out, err = capsys.readouterr()
    assert out == "" and err.count("\n") == 1 and err.startswith("error: no bot token")


def test_run_main_with_broken_knowledge_returns_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    monkeypatch.setattr(runner, "configure_logging", lambda level: None)
    assert run_main(argparse.Namespace(config=tmp_path / "none.yaml", knowledge=None)) == 2
    assert capsys.readouterr().err.startswith("error: ")
    (tmp_path / "c.yaml").write_text(f"knowledge_dir: {tmp_path / 'missing'}\n", encoding="utf-8")
    assert run_main(argparse.Namespace(config=tmp_path / "c.yaml", knowledge=None)) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: knowledge base: ") and "knowledge directory not found" in err


def test_test_endpoints_change_nothing_unless_set(monkeypatch):
    monkeypatch.setattr(discord.http.Route, "BASE", discord.http.Route.BASE)
    monkeypatch.setattr(discord.gateway.DiscordWebSocket, "DEFAULT_GATEWAY",
                        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY)
    runner.apply_test_endpoints({})
    assert discord.http.Route.BASE == "https://discord.com/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY).startswith("wss://gateway.discord.gg")
    runner.apply_test_endpoints({"DISCORD_API_BASE": "http://127.0.0.1:1/api/v10/",
                                 "DISCORD_GATEWAY_URL": "ws://127.0.0.1:1/gateway/"})
    assert discord.http.Route.BASE == "http://127.0.0.1:1/api/v10"
    assert str(discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY) == "ws://127.0.0.1:1/gateway/"


def test_only_the_discord_package_imports_discord():
    code = ("import sys, bot.cli, bot.config, bot.console, bot.engine, bot.kb.loader; "
            "bad = [m for m in sys.modules if m == 'discord' or m.startswith('discord.')]; "
            "assert not bad, bad")
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, timeout=60)
    for path in (ROOT / "bot").rglob("*.py"):
        if "discordbot" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        assert "import discord" not in text and "from discord" not in text, path
