"""Bot settings: one typed, validated object read from `config.yaml`.

Every key is documented in `config.example.yaml`. Unknown keys, wrong types and out-of-range values
are rejected with one line naming the file and the key, e.g.
`config.yaml: cooldown.per: expected a number >= 0.1, got -1`.

No discord.py import here: the console and the daily summary read the same file.
To add settings, add a field (with a default) to `Settings` or a nested `Struct`, and document it
in `config.example.yaml`.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Any, Literal

import msgspec

from bot.daily.dburl import is_postgres_url, redact
from bot.daily.settings import Daily
from bot.kb.yamlio import load_yaml
from bot.typed import DataError, Snowflake, Strict, convert

DEFAULT_CONFIG = Path("config.yaml")
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")

class ConfigError(Exception):
    """The config file is missing, unreadable or invalid; the message is one line naming the key."""


class Cooldown(Strict, frozen=True):
    """Per-user rate limit: at most `rate` questions or commands every `per` seconds."""

    rate: Annotated[int, msgspec.Meta(ge=1, le=100)] = 5
    per: Annotated[float, msgspec.Meta(ge=0.1, le=3600)] = 30.0


class Conversations(Strict, frozen=True):
    """Follow-up questions: a conversation (a channel and user) idle `idle_minutes` starts afresh; at most
    `max_conversations` are remembered at once, the least recently used going first."""

    idle_minutes: Annotated[float, msgspec.Meta(ge=0.5, le=1440)] = 10.0
    max_conversations: Annotated[int, msgspec.Meta(ge=100, le=1_000_000)] = 10_000

    @property
    def idle_seconds(self) -> float:
        """The idle time in seconds."""
        return self.idle_minutes * 60


def default_database_path() -> str:
    """`$BOT_DB_PATH` (the container sets /data/bot.sqlite3), else `data/bot.sqlite3`."""
    return os.environ.get("BOT_DB_PATH") or "data/bot.sqlite3"


def default_database_url() -> str | None:
    """`$BOT_DATABASE_URL` (a `postgresql://` URL) if set, else None: the SQLite file `database_path`."""
    return os.environ.get("BOT_DATABASE_URL") or None


class Settings(Strict, frozen=True):
    """Everything the Discord bot reads from its config file (all keys optional)."""

    prefix: Annotated[str, msgspec.Meta(min_length=1, max_length=5)] = "!"
    owners: list[Snowflake] = msgspec.field(default_factory=list)
    log_level: str = "INFO"
    knowledge_dir: str | None = None
    token_file: str | None = None
    message_content: bool = True
    answer_mentions: bool = True
    answer_dms: bool = True
    ask_channels: list[Snowflake] = msgspec.field(default_factory=list)
    unknown_commands: Literal["suggest", "ignore"] = "suggest"
    cooldown: Cooldown = Cooldown()
    conversations: Conversations = Conversations()
    max_input_length: Annotated[int, msgspec.Meta(ge=10, le=1500)] = 300
    sync_guild: Snowflake | None = None
    sync_on_start: bool = False
    shard_count: Annotated[int, msgspec.Meta(ge=1)] | Literal["auto"] | None = None
    shard_ids: list[Annotated[int, msgspec.Meta(ge=0)]] | None = None
    database_path: Annotated[str, msgspec.Meta(min_length=1)] = msgspec.field(default_factory=default_database_path)
    database_url: str | None = msgspec.field(default_factory=default_database_url)
    daily: Daily = Daily()
    feedback_days: Annotated[int, msgspec.Meta(ge=1, le=3650)] = 30  # misses and presses are kept this long

    def __post_init__(self) -> None:
        if self.log_level.upper() not in LOG_LEVELS:
            raise ValueError(f"log_level: must be one of {', '.join(LOG_LEVELS)}, got {self.log_level!r}")
        if self.ask_channels and not self.message_content:
            raise ValueError("ask_channels: needs message_content: true (without it Discord sends no message text)")
        if self.database_url is not None and not is_postgres_url(self.database_url):
            raise ValueError("database_url: expected a postgresql:// URL (or no database_url, for the SQLite "
                             f"file database_path), got {redact(self.database_url)!r}")
        if any(c.isspace() for c in self.prefix):
            raise ValueError("prefix: must not contain spaces")
        if self.shard_ids is not None:
            if not isinstance(self.shard_count, int):
                raise ValueError("shard_ids: needs a numeric shard_count")
            bad = [i for i in self.shard_ids if i >= self.shard_count]
            if bad:
                raise ValueError(f"shard_ids: {bad} out of range for shard_count {self.shard_count}")
            if not self.shard_ids or len(set(self.shard_ids)) != len(self.shard_ids):
                raise ValueError("shard_ids: must be a non-empty list without repeats")

    @property
    def database(self) -> str | Path:
        """Where the daily store lives: the PostgreSQL URL if set, else the SQLite file."""
        return self.database_url or Path(self.database_path)

    @property
    def sharded(self) -> bool:
        """True when the bot should run as an `AutoShardedBot`."""
        return self.shard_count is not None


def config_path(arg: Path | None = None) -> tuple[Path, bool]:
    """The config file to read and whether it was asked for explicitly (`--config` or `$BOT_CONFIG`)."""
    if arg is not None:
        return arg, True
    env = os.environ.get("BOT_CONFIG")
    if env:
        return Path(env), True
    return DEFAULT_CONFIG, False


def _where(exc: DataError) -> tuple[str, str]:
    """The key and the problem of a setting that does not fit, in the config's words: an unknown key is named
    in the key path and sends the reader to config.example.yaml, a float is "a number"."""
    if exc.unknown is None:
        return exc.where, exc.problem.replace("expected float", "expected a number")
    key = f"{exc.where}.{exc.unknown}" if exc.where else exc.unknown
    return (key if key.isprintable() else repr(key)), "unknown key (see config.example.yaml)"


def parse_settings(data: Any, source: str = "config") -> Settings:
    """Validate already-parsed YAML data; raises `ConfigError`."""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{source}: expected a mapping of keys to values, got {type(data).__name__}")
    try:
        return convert(data, Settings)
    except DataError as exc:
        key, problem = _where(exc)
        raise ConfigError(f"{source}: {key}: {problem}" if key else f"{source}: {problem}") from None


def load_settings(path: Path | None = None) -> Settings:
    """Read and validate the config file; a missing default `config.yaml` means all defaults, a missing
    file named by `--config` or `$BOT_CONFIG` is an error saying how to make one."""
    file, explicit = config_path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        if not explicit:
            return Settings()
        raise ConfigError(f"{file}: config file not found; make one with `cp config.example.yaml {file}`, "
                          "or name none (no --config, no $BOT_CONFIG) to run with the defaults") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read config: {exc}") from None
    try:
        data = load_yaml(text)
    except DataError as exc:
        raise ConfigError(f"{file}: {exc}") from None
    return parse_settings(data, str(file))


__all__ = ["ConfigError", "Conversations", "Cooldown", "Settings", "config_path", "load_settings", "parse_settings"]
