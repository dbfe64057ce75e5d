"""config.yaml: defaults, the shipped example, and one clear line naming the key for every mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ConfigError, Settings, load_settings, parse_settings

ROOT = Path(__file__).resolve().parents[2]


def test_the_example_documents_every_key_with_its_default():
    example = ROOT / "config.example.yaml"
    assert load_settings(example) == Settings()
    text = example.read_text(encoding="utf-8")
    for key in Settings.__struct_fields__:
        # a key whose default comes from the environment is documented commented out
        assert f"\n{key}:" in text or f"\n# {key}:" in text, f"config.example.yaml does not document {key}"


def test_database_path_defaults_to_bot_db_path(tmp_path, monkeypatch):
    monkeypatch.delenv("BOT_DB_PATH", raising=False)
    assert Settings().database_path == "data/bot.sqlite3"
    monkeypatch.setenv("BOT_DB_PATH", "/data/bot.sqlite3")
    assert Settings().database_path == "/data/bot.sqlite3"
    cfg = tmp_path / "c.yaml"
    cfg.write_text("database_path: /elsewhere/x.sqlite3\n", encoding="utf-8")
    assert load_settings(cfg).database_path == "/elsewhere/x.sqlite3"


def test_missing_default_file_means_defaults(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("BOT_CONFIG", raising=False)
    assert load_settings() == Settings()


def test_bot_config_variable_and_explicit_path(tmp_path, monkeypatch):
    cfg = tmp_path / "bot.yaml"
    cfg.write_text("prefix: '?'\nowners: [123]\ncooldown: {rate: 2, per: 10}\n", encoding="utf-8")
    monkeypatch.setenv("BOT_CONFIG", str(cfg))
    settings = load_settings()
    assert (settings.prefix, settings.owners, settings.cooldown.rate, settings.cooldown.per) == ("?", [123], 2, 10.0)
    with pytest.raises(ConfigError) as info:
        load_settings(tmp_path / "nope.yaml")
    message = str(info.value)
    assert message.startswith(f"{tmp_path / 'nope.yaml'}: config file not found; ") and "\n" not in message
    assert f"cp config.example.yaml {tmp_path / 'nope.yaml'}" in message


@pytest.mark.parametrize("data, message", [
    ({"prefx": "!"}, "cfg: prefx: unknown key (see config.example.yaml)"),
    ({"cooldown": {"rat": 1}}, "cfg: cooldown.rat: unknown key"),
    ({"cooldown": {"per": -1}}, "cfg: cooldown.per: expected a number >= 0.1"),
    ({"prefix": ""}, "cfg: prefix: expected str of length >= 1"),
    ({"prefix": "a b"}, "cfg: prefix: must not contain spaces"),
    ({"owners": ["me"]}, "cfg: owners[0]: expected int, got str"),
    ({"log_level": "loud"}, "cfg: log_level: must be one of DEBUG, INFO"),
    ({"message_content": "no"}, "cfg: message_content: expected bool, got str"),
    ({"max_input_length": 5}, "cfg: max_input_length: expected int >= 10"),
    ({"unknown_commands": "shout"}, "cfg: unknown_commands: invalid enum value 'shout'"),
    ({"ask_channels": [1], "message_content": False}, "cfg: ask_channels: needs message_content: true"),
    ({"shard_ids": [0]}, "cfg: shard_ids: needs a numeric shard_count"),
    ({"shard_count": 2, "shard_ids": [0, 2]}, "cfg: shard_ids: [2] out of range for shard_count 2"),
    ({"shard_count": 0}, "cfg: shard_count: expected int >= 1"),
    (["prefix"], "cfg: expected a mapping of keys to values, got list"),
])
def test_mistakes_are_one_line_naming_the_key(data, message):
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "cfg")
    text = str(info.value)
    assert text.startswith(message), text
    assert "\n" not in text


def test_yaml_booleans_and_shards(tmp_path):
    cfg = tmp_path / "c.yaml"
    cfg.write_text("message_content: false\nshard_count: auto\n", encoding="utf-8")
    settings = load_settings(cfg)
    assert settings.message_content is False and settings.sharded
    cfg.write_text("message_content: no\n", encoding="utf-8")  # YAML 1.1 would read True/False here
    with pytest.raises(ConfigError, match="message_content: expected bool, got str"):
        load_settings(cfg)
    cfg.write_text("prefix: [\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c\.yaml: line 2, column 1: invalid YAML"):
        load_settings(cfg)
    cfg.write_text("a: 1\na: 2\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="duplicate key"):
        load_settings(cfg)


def test_a_key_with_a_line_break_still_gives_one_line():
    with pytest.raises(ConfigError) as err:
        parse_settings({"cooldown": {"\n\n  ": None}}, "c.yaml")
    assert "\n" not in str(err.value) and "unknown key" in str(err.value)
