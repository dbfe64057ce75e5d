"""The SQLite store: settings survive restarts, the database enforces one post a day, bad files fail clearly."""

from __future__ import annotations

import sqlite3
from datetime import date, time

import pytest

from bot.daily.schedule import PostStatus
from bot.daily.store import SCHEMA_VERSION, DailyStore, StoreError
from tests.daily.conftest import utc

NOW = utc(2024, 6, 1, 8, 0)
DAY = date(2024, 6, 1)


def test_settings_survive_a_restart(db_path) -> None:
    s = DailyStore(db_path)
    s.set_channel(10, 1, time(9, 0), "Asia/Seoul", NOW, updated_by=42)
    s.set_channel(20, 2, time(18, 30), "America/New_York", NOW)
    s.disable([20], NOW)
    s.close()
    s = DailyStore(db_path)
    try:
        chans = {c.channel_id: c for c in s.channels()}
        assert chans[10].post_time == time(9, 0) and chans[10].timezone == "Asia/Seoul" and chans[10].enabled
        assert chans[20].enabled is False and chans[20].timezone == "America/New_York"  # off keeps the settings
        assert [c.channel_id for c in s.channels(guild_id=2)] == [20]
        assert s.schema_version == SCHEMA_VERSION
    finally:
        s.close()


def test_wal_mode(store) -> None:
    assert store._db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_database_refuses_a_second_post_for_the_same_day(store) -> None:
    assert store.claim(10, DAY, NOW, "n1") is not None
    assert store.claim(10, DAY, NOW, "n1") is None
    assert store.confirm(10, DAY, 555, NOW)
    assert store.claim(10, DAY, NOW, "n1") is None
    with pytest.raises(sqlite3.IntegrityError):
        store._db.execute("INSERT INTO posts (channel_id, local_date, status) VALUES (10, ?, 'posted')",
                          (DAY.isoformat(),))
    rec = store.record(10, DAY)
    assert rec.status is PostStatus.POSTED and rec.message_id == 555


def test_failed_post_can_be_claimed_again_but_only_once(store) -> None:
    store.claim(10, DAY, NOW, "n1")
    store.fail(10, DAY, "503 Service Unavailable", NOW)
    again = store.claim(10, DAY, NOW, "n1")
    assert again is not None and again.attempts == 2 and again.status is PostStatus.CLAIMED
    assert store.claim(10, DAY, NOW, "n1") is None


def test_pause_is_one_transaction_and_set_resumes(store) -> None:
    store.set_channel(10, 1, time(9), "UTC", NOW)
    store.claim(10, DAY, NOW, "n1")
    store.fail_and_pause(10, DAY, "Missing Permissions", NOW)
    assert store.channel(10).paused_reason == "Missing Permissions"
    assert store.record(10, DAY).status is PostStatus.FAILED
    store.set_channel(10, 1, time(9), "UTC", NOW)
    assert store.channel(10).paused_reason is None and store.channel(10).active


def test_skip_only_free_or_failed_days(store) -> None:
    assert store.skip(10, DAY, "bot was down")
    assert not store.skip(10, DAY, "again")
    store.claim(11, DAY, NOW, "n")
    store.confirm(11, DAY, 1, NOW)
    assert not store.skip(11, DAY, "x")
    assert store.record(11, DAY).status is PostStatus.POSTED


def test_config_channels_seeded_once_admin_changes_win(store) -> None:
    assert store.seed_config_channel(30, None, time(9), "Asia/Seoul", NOW) == "added"
    assert store.seed_config_channel(30, None, time(9), "Asia/Seoul", NOW) == "kept"
    assert store.seed_config_channel(30, None, time(10), "Asia/Seoul", NOW) == "updated"
    store.set_channel(30, 3, time(7), "UTC", NOW)
    assert store.seed_config_channel(30, None, time(10), "Asia/Seoul", NOW) == "kept"
    assert store.channel(30).post_time == time(7)


def test_garbage_file_gives_one_clear_error_and_is_left_untouched(tmp_path) -> None:
    path = tmp_path / "daily.sqlite3"
    garbage = b"this is not a database, it is a shopping list\n" * 100
    path.write_bytes(garbage)
    with pytest.raises(StoreError, match=r"daily\.sqlite3.*left untouched"):
        DailyStore(path)
    assert path.read_bytes() == garbage


def test_corrupt_database_is_refused_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "daily.sqlite3"
    s = DailyStore(path)
    for i in range(300):
        s.set_channel(i, 1, time(9), "UTC", NOW)
    s._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    s.close()
    data = bytearray(path.read_bytes())
    data[4096: 4096 * 3] = b"\xff" * 8192  # scribble over pages 2 and 3 (table pages)
    path.write_bytes(bytes(data))
    with pytest.raises(StoreError, match=r"corrupt|cannot read"):
        DailyStore(path)
    assert path.read_bytes() == bytes(data)


def test_another_programs_database_is_refused(tmp_path) -> None:
    path = tmp_path / "other.db"
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE invoices (id INTEGER)")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="another program"):
        DailyStore(path)


def test_newer_schema_is_refused(tmp_path) -> None:
    path = tmp_path / "daily.sqlite3"
    DailyStore(path).close()
    db = sqlite3.connect(path)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.commit()
    db.close()
    with pytest.raises(StoreError, match="newer"):
        DailyStore(path)


def test_failed_migration_rolls_back_completely(tmp_path, monkeypatch) -> None:
    from bot.daily import store as store_mod

    path = tmp_path / "daily.sqlite3"
    broken = (store_mod.MIGRATIONS[0][0], "CREATE TABLE oops (")  # second statement fails
    monkeypatch.setattr(store_mod, "MIGRATIONS", (broken,))
    monkeypatch.setattr(store_mod, "SCHEMA_VERSION", 1)
    with pytest.raises(StoreError):
        DailyStore(path)
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA user_version").fetchone()[0] == 0
    assert db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0] == 0
    db.close()
    monkeypatch.undo()
    DailyStore(path).close()  # a later good start migrates normally


def test_unwritable_directory_fails_clearly(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="directory"):
        DailyStore(blocker / "sub" / "daily.sqlite3")
