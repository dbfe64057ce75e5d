"""`python -m bot run`: read config and token, configure logging once, run the bot until a signal.

Problems an operator can fix (no token, bad config, broken knowledge base, rejected token, an unusable
database: corrupt, read-only, another program's; the Message Content intent not enabled, a gateway close
Discord does not let a client resume from: `FATAL_CLOSES`)
print one line to stderr and exit with status 2, at start-up or mid-session; Discord out of reach at
start-up (DNS failure, connection refused) prints one line and exits with status 3. The database (the
SQLite file, or PostgreSQL with `database_url`; unreachable is also exit 2) is opened only once Discord
has accepted the token. Once connected, discord.py reconnects by itself.

For tests only: `DISCORD_API_BASE` (e.g. `http://127.0.0.1:8765/api/v10`) and `DISCORD_GATEWAY_URL`
(e.g. `ws://127.0.0.1:8765/gateway/`) point discord.py at a fake Discord server. Unset, nothing changes.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import signal
import sys
from pathlib import Path

import aiohttp
import discord
import yarl

from bot.config import ConfigError, Settings, load_settings
from bot.daily.backend import Store, open_store
from bot.daily.store import StoreError
from bot.discordbot.app import create_bot
from bot.kb.errors import KnowledgeError
from bot.kb.loader import KnowledgeBase, load_knowledge

log = logging.getLogger(__name__)

EXIT_USAGE = 2
EXIT_UNREACHABLE = 3  # Discord could not be reached at start-up: worth retrying later, nothing to fix here
LOG_FORMAT = "%(asctime)s %(levelname)-8s %(name)s: %(message)s"
INTENT_HELP = (
    "Discord refused the Message Content intent. Enable it in the Developer Portal "
    "(Applications > your bot > Bot > Privileged Gateway Intents > Message Content Intent), "
    "or set `message_content: false` in the config to run with slash commands, mentions and DMs only."
)

TOKEN_REJECTED = "Discord rejected the token ({how}): check DISCORD_TOKEN or token_file"
# Gateway close codes discord.py does not reconnect after, and what the operator can do (4014, disallowed
# intents, is `discord.PrivilegedIntentsRequired`: INTENT_HELP).
FATAL_CLOSES = {
    4004: TOKEN_REJECTED.format(how="gateway close 4004, the token was reset or revoked"),
    4010: "Discord refused the shard (gateway close 4010, invalid shard): check shard_count and shard_ids "
          "in the config",
    4011: "Discord requires sharding for this bot (gateway close 4011): set `shard_count: auto` in the config",
    4012: "Discord refused the gateway API version (gateway close 4012): upgrade discord.py",
    4013: "Discord refused the gateway intents (gateway close 4013, invalid intents): upgrade discord.py",
}


class TokenError(Exception):
    """No usable bot token."""


class DiscordUnreachable(Exception):
    """Discord's API could not be reached while logging in; the message is the network error, on one line."""


def read_token(settings: Settings, environ: dict[str, str] | os._Environ[str] = os.environ) -> str:
    """The token from `$DISCORD_TOKEN`, else from the config's `token_file`; checked for obvious mistakes."""
    token = environ.get("DISCORD_TOKEN", "")
    source = "DISCORD_TOKEN"
    if not token.strip() and settings.token_file:
        source = f"token_file {settings.token_file}"
        try:
            token = Path(settings.token_file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise TokenError(f"cannot read token_file {settings.token_file}: {exc.__class__.__name__}") from None
    token = token.strip()
    if not token:
        raise TokenError("no bot token: set DISCORD_TOKEN (or token_file in the config); "
                         "`python -m bot console` needs none")
    if token.lower().startswith("bot "):
        raise TokenError(f"malformed token in {source}: drop the leading 'Bot '")
    if any(c.isspace() for c in token) or not token.isascii() or not token.isprintable():
        raise TokenError(f"malformed token in {source}: it must be one line without spaces")
    return token


def configure_logging(level: str) -> None:
    """Log to stderr at the configured level (once, here, never at import time); colour only on a terminal."""
    numeric = getattr(logging, level.upper())
    if sys.stderr.isatty():
        discord.utils.setup_logging(level=numeric, root=True)
    else:
        discord.utils.setup_logging(level=numeric, formatter=logging.Formatter(LOG_FORMAT), root=True)
    for flag in ("warn_nacl", "warn_dave"):  # the bot uses no voice: skip discord.py's warnings about it
        if hasattr(discord.VoiceClient, flag):
            setattr(discord.VoiceClient, flag, False)


def apply_test_endpoints(environ: dict[str, str] | os._Environ[str] = os.environ) -> None:
    """Point discord.py at a fake server when the testing variables are set (never in production)."""
    api = environ.get("DISCORD_API_BASE")
    gateway = environ.get("DISCORD_GATEWAY_URL")
    if api:
        discord.http.Route.BASE = api.rstrip("/")
        log.warning("testing: Discord REST API at %s", api)
    if gateway:
        discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
        log.warning("testing: Discord gateway at %s", gateway)


async def serve(settings: Settings, kb: KnowledgeBase, token: str, store: Store | None = None,
                database: Path | str | None = None) -> None:
    """Run the bot until it is closed; SIGINT and SIGTERM close it cleanly.

    With `database` (a SQLite file or a PostgreSQL URL), the store is opened once Discord accepts the token
    (an unusable or unreachable database raises `StoreError`), and closed at the end, after the work already
    queued for it.
    Raises `DiscordUnreachable` when the login cannot reach Discord.
    """
    opener = (lambda: open_store(database)) if database is not None and store is None else None
    bot = create_bot(settings, kb, store=store, open_store=opener)
    loop = asyncio.get_running_loop()
    closing: list[asyncio.Task[None]] = []

    def stop(signame: str) -> None:
        if not closing:
            log.info("%s received, closing", signame)
            closing.append(loop.create_task(bot.close()))

    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):  # Windows; not the main thread
            loop.add_signal_handler(sig, stop, sig.name)
    try:
        async with bot:
            try:
                await bot.login(token)
            except aiohttp.ClientConnectionError as exc:  # DNS failure, connection refused, reset, timeout
                raise DiscordUnreachable(" ".join(str(exc).split()) or type(exc).__name__) from None
            await bot.connect()
    finally:
        if opener is not None and bot.store is not None:
            await bot.store.close()
    if closing:
        await closing[0]
    log.info("bot closed")


def run_main(args: argparse.Namespace) -> int:
    """Entry point of `python -m bot run`; returns the process exit status."""
    try:
        settings = load_settings(getattr(args, "config", None))
        token = read_token(settings)
    except (ConfigError, TokenError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    configure_logging(settings.log_level)
    knowledge = getattr(args, "knowledge", None) or (Path(settings.knowledge_dir) if settings.knowledge_dir else None)
    try:
        kb = load_knowledge(knowledge)
    except KnowledgeError as exc:
        print(f"error: knowledge base: {exc}", file=sys.stderr)
        return EXIT_USAGE
    apply_test_endpoints()
    try:
        asyncio.run(serve(settings, kb, token, database=settings.database))
    except StoreError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except DiscordUnreachable as exc:
        print(f"error: cannot reach Discord: {exc}", file=sys.stderr)
        return EXIT_UNREACHABLE
    except discord.PrivilegedIntentsRequired:
        print(f"error: {INTENT_HELP}", file=sys.stderr)
        return EXIT_USAGE
    except discord.LoginFailure:
        print(f"error: {TOKEN_REJECTED.format(how='401')}", file=sys.stderr)
        return EXIT_USAGE
    except discord.ConnectionClosed as exc:
        if exc.code not in FATAL_CLOSES:
            raise
        print(f"error: {FATAL_CLOSES[exc.code]}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    return 0
