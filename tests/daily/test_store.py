"""The store on both back ends: settings survive restarts, the database enforces one post a day; SQLite's bad
files fail clearly (PostgreSQL's own cases are in test_pgstore.py)."""

from __future__ import annotations

import os
import sqlite3
import stat
from datetime import date, time

import pytest

from bot.daily.schedule import PostStatus
from bot.daily.store import FULL, LOCKED, READ_ONLY, SCHEMA_VERSION, DailyStore, StoreError
from tests.daily.conftest import Backend, utc

NOW = utc(2024, 6, 1, 8, 0)
DAY = date(2024, 6, 1)


@pytest.fixture
def any_store(backend: Backend):
    """A synchronous store on each back end in turn."""
    s = backend.blocking()
    yield s
    s.close()


def test_settings_survive_a_restart(backend: Backend) -> None:
    s = backend.blocking()
    s.set_channel(10, 1, time(9, 0), "Asia/Seoul", NOW, updated_by=42)
    s.set_channel(20, 2, time(18, 30), "America/New_York", NOW)
    assert s.disable([20, 30], NOW) == 1
    s.close()
    s = backend.blocking()
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


def test_database_refuses_a_second_post_for_the_same_day(any_store) -> None:
    store = any_store
    claim = store.claim(10, DAY, NOW, "n1", "item-1")
    assert claim is not None and claim.status is PostStatus.CLAIMED and claim.claimed_at == NOW
    assert claim.nonce == "n1" and claim.spotlight == "item-1" and claim.attempts == 1
    assert store.claim(10, DAY, NOW, "n1") is None
    assert store.confirm(10, DAY, 555, NOW)
    assert not store.confirm(10, DAY, 556, NOW)  # only a claimed row is confirmed
    assert store.claim(10, DAY, NOW, "n1") is None
    rec = store.record(10, DAY)
    assert rec.status is PostStatus.POSTED and rec.message_id == 555 and rec.posted_at == NOW
    assert store.history(DAY) == {(10, DAY): rec} and store.recent(10) == [rec]
    assert store.claimed() == []


def test_sqlite_itself_refuses_a_second_row_for_the_same_day(store) -> None:
    store.claim(10, DAY, NOW, "n1")
    with pytest.raises(sqlite3.IntegrityError):
        store._db.execute("INSERT INTO posts (channel_id, local_date, status) VALUES (10, ?, 'posted')",
                          (DAY.isoformat(),))


def test_an_unfinished_claim_of_a_stopped_process_is_listed_until_resolved(backend: Backend) -> None:
    crashed = backend.blocking()
    crashed.claim(10, DAY, NOW, "n1")
    crashed.claim(11, DAY, NOW, "n2")
    crashed.close()
    store = backend.blocking()
    assert store.mark_unconfirmed(11, DAY, "cannot check")
    (rec,) = store.claimed()
    assert (rec.channel_id, rec.local_date) == (10, DAY)
    assert store.history(date(2030, 1, 1)).keys() == {(10, DAY)}  # an unresolved claim is always in the plan
    assert store.record(11, DAY).status is PostStatus.UNCONFIRMED
    store.close()


def test_failed_post_can_be_claimed_again_but_only_once(any_store) -> None:
    store = any_store
    store.claim(10, DAY, NOW, "n1")
    store.fail(10, DAY, "503 Service Unavailable", NOW)
    again = store.claim(10, DAY, NOW, "n1")
    assert again is not None and again.attempts == 2 and again.status is PostStatus.CLAIMED
    assert store.claim(10, DAY, NOW, "n1") is None


def test_pause_is_one_transaction_and_set_resumes(any_store) -> None:
    store = any_store
    store.set_channel(10, 1, time(9), "UTC", NOW)
    store.claim(10, DAY, NOW, "n1")
    store.fail_and_pause(10, DAY, "Missing Permissions", NOW)
    assert store.channel(10).paused_reason == "Missing Permissions"
    assert store.record(10, DAY).status is PostStatus.FAILED
    store.set_channel(10, 1, time(9), "UTC", NOW)
    assert store.channel(10).paused_reason is None and store.channel(10).active


def test_skip_only_free_or_failed_days(any_store) -> None:
    store = any_store
    assert store.skip(10, DAY, "bot was down")
    assert not store.skip(10, DAY, "again")
    store.claim(12, DAY, NOW, "n")
    store.fail(12, DAY, "503", None)
    assert store.skip(12, DAY, "window passed")
    assert store.record(12, DAY).error == "window passed (last error: 503)"
    store.claim(11, DAY, NOW, "n")
    store.confirm(11, DAY, 1, NOW)
    assert not store.skip(11, DAY, "x")
    assert store.record(11, DAY).status is PostStatus.POSTED


def test_config_channels_seeded_once_admin_changes_win(any_store) -> None:
    store = any_store
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


def test_a_new_database_is_private(tmp_path) -> None:
    path = tmp_path / "new" / "data" / "daily.sqlite3"
    DailyStore(path).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert stat.S_IMODE(path.parent.parent.stat().st_mode) == 0o700


def test_an_existing_folder_and_file_keep_their_modes(tmp_path) -> None:
    tmp_path.chmod(0o755)
    path = tmp_path / "daily.sqlite3"
    DailyStore(path).close()
    path.chmod(0o640)
    DailyStore(path).close()
    assert stat.S_IMODE(tmp_path.stat().st_mode) == 0o755
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def read_only(monkeypatch) -> None:
    """Open every store read-only, as SQLite opens a file (or on a mount) the bot may not write."""
    from bot.daily import store as store_mod

    monkeypatch.setattr(store_mod, "_connect", lambda p, timeout: sqlite3.connect(
        f"file:{p}?mode=ro", uri=True, isolation_level=None, timeout=timeout))


def test_a_read_only_database_is_refused_at_start_up_in_one_line(tmp_path, monkeypatch) -> None:
    path = tmp_path / "daily.sqlite3"
    DailyStore(path).close()
    before = path.read_bytes()
    read_only(monkeypatch)
    with pytest.raises(StoreError) as info:
        DailyStore(path)
    assert info.value.cause == READ_ONLY
    assert "daily.sqlite3: the database is read-only" in str(info.value) and "\n" not in str(info.value)
    assert path.read_bytes() == before


@pytest.mark.skipif(os.geteuid() == 0, reason="root may write a 0400 file")
def test_a_file_the_bot_may_not_write_is_refused(tmp_path) -> None:
    path = tmp_path / "daily.sqlite3"
    DailyStore(path).close()
    path.chmod(0o400)
    with pytest.raises(StoreError, match="read-only"):
        DailyStore(path)


def test_a_locked_database_is_named_and_does_not_stop_start_up(db_path) -> None:
    DailyStore(db_path).close()
    locker = sqlite3.connect(db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        s = DailyStore(db_path, busy_timeout=0.01)
        with pytest.raises(StoreError) as info:
            s.set_channel(10, 1, time(9), "UTC", NOW)
        assert info.value.cause == LOCKED and info.value.transient
        assert s.channels() == []  # reading still works while another connection writes
        s.close()
    finally:
        locker.close()


def test_a_full_disk_is_named(store) -> None:
    pages = store._db.execute("PRAGMA page_count").fetchone()[0]
    store._db.execute(f"PRAGMA max_page_count = {pages}")  # the file may not grow: as a full disk
    with pytest.raises(StoreError) as info:
        for i in range(2000):
            store.set_channel(i, 1, time(9), "UTC", NOW)
    assert info.value.cause == FULL and not info.value.transient
    assert "the disk is full" in str(info.value)
