"""Fixtures for the daily-summary tests: a fake clock, a fake Discord poster, a store in tmp_path, a store whose
writes fail for a while, and `backend`: each test that takes it runs once on SQLite and once on a real
PostgreSQL server (one per test session, started here; skipped with the reason only where PostgreSQL is not
installed, and a failure under `$CI`)."""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.answer import Answer
from bot.daily.backend import Store, open_store
from bot.daily.service import DailyService, RetryPolicy
from bot.daily.store import DailyStore, StoreError
from tests.daily.pgserver import BlockingStore, PgServer, pg_server

GRACE = timedelta(hours=1)


class FakeClock:
    """A settable UTC clock; `advance()` moves it, nothing ever sleeps."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)

    def set(self, value: datetime) -> None:
        self.now = value


@dataclass
class Sent:
    channel_id: int
    message_id: int
    marker: str
    nonce: str
    at: datetime
    answer: Answer


@dataclass
class FakePoster:
    """Records posts; `errors[channel]` is a list of exceptions raised by the next sends, in order."""

    clock: FakeClock
    sent: list[Sent] = field(default_factory=list)
    errors: dict[int, list[Exception]] = field(default_factory=dict)
    find_error: Exception | None = None
    calls: int = 0
    next_id: int = 1000

    async def send(self, channel_id: int, answer: Answer, *, nonce: str, marker: str) -> int:
        self.calls += 1
        queue = self.errors.get(channel_id)
        if queue:
            raise queue.pop(0)
        for s in self.sent:  # Discord's enforce_nonce: a repeated nonce returns the first message
            if s.nonce == nonce and s.channel_id == channel_id:
                return s.message_id
        self.next_id += 1
        self.sent.append(Sent(channel_id, self.next_id, marker, nonce, self.clock(), answer))
        return self.next_id

    async def find(self, channel_id: int, *, marker: str, after: datetime) -> int | None:
        if self.find_error is not None:
            raise self.find_error
        for s in self.sent:
            if s.channel_id == channel_id and s.marker == marker and s.at >= after:
                return s.message_id
        return None

    def posts(self, channel_id: int | None = None) -> list[Sent]:
        return [s for s in self.sent if channel_id is None or s.channel_id == channel_id]


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def spotlight(day: date) -> tuple[str, Answer]:
    return f"item-{day.toordinal() % 5}", Answer(title=f"Spotlight {day}", body="body")


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(utc(2024, 6, 1, 0, 0))


@pytest.fixture
def db_path(tmp_path):
    return tmp_path / "data" / "daily.sqlite3"


@pytest.fixture(scope="session")
def pg() -> Any:
    """The session's PostgreSQL server, started on first use."""
    with pg_server() as server:
        if isinstance(server, str):
            if os.environ.get("CI"):
                pytest.fail(f"CI must run the PostgreSQL tests: {server}")
            pytest.skip(server)
        server.create_database("daily")
        yield server


TABLES = ("posts", "channels", "misses", "feedback_guilds")


@dataclass
class Backend:
    """Where a test's store lives: `kind` "sqlite" (a file) or "postgres" (a URL); `target` opens it."""

    kind: str
    target: Path | str
    server: PgServer | None = None

    async def open(self, **options: Any) -> Store:
        """The store the bot would use."""
        return await open_store(self.target, **options)

    def blocking(self) -> Any:
        """A synchronous store on the same data, for setting up and checking (a `DailyStore` for SQLite)."""
        if isinstance(self.target, Path):
            return DailyStore(self.target)
        return BlockingStore.open(self.target)


@pytest.fixture(params=["sqlite", "postgres"])
def backend(request, db_path) -> Backend:
    """Each test taking this runs on both back ends; the PostgreSQL database is emptied first."""
    if request.param == "sqlite":
        return Backend("sqlite", db_path)
    server: PgServer = request.getfixturevalue("pg")
    url = server.url("daily")
    server.execute("daily", "DO $$ BEGIN IF to_regclass('posts') IS NOT NULL THEN "
                   f"TRUNCATE {', '.join(TABLES)}; END IF; END $$")
    return Backend("postgres", url, server)


@pytest.fixture
def store(db_path):
    s = DailyStore(db_path)
    yield s
    s.close()


@pytest.fixture
def poster(clock) -> FakePoster:
    return FakePoster(clock)


WRITES = frozenset({"claim", "confirm", "fail", "fail_and_pause", "mark_unconfirmed", "skip", "set_channel",
                    "seed_config_channel", "set_guild", "disable"})


class FlakyStore:
    """A store whose writes fail with `cause` ("the disk is full") while `clock() < until`; reads pass through."""

    def __init__(self, inner: Store, *, clock: Callable[[], datetime], until: datetime, cause: str) -> None:
        self.inner, self.clock, self.until, self.cause = inner, clock, until, cause
        self.refused = 0

    @classmethod
    async def open(cls, target: Any, *, clock: Callable[[], datetime], until: datetime, cause: str,
                   **options: Any) -> FlakyStore:
        return cls(await open_store(target, **options), clock=clock, until=until, cause=cause)

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self.inner, name)
        if name not in WRITES:
            return attr

        async def write(*args: Any, **kw: Any) -> Any:
            if self.clock() < self.until:
                self.refused += 1
                raise StoreError(f"daily-summary database: {self.cause}", self.cause)
            return await attr(*args, **kw)

        return write


StoreFactory = Callable[[Any], Awaitable[Any]]


class Harness:
    """A service over a store, restartable: `await restart()` reopens the stores and builds a new service.

    `store` is a synchronous store on the same data (`Backend.blocking`), to set up and check; the service uses
    a `Store` of its own (`db`, made by `open_store`) with its own connection, as the bot does.
    """

    def __init__(self, backend: Backend, clock: FakeClock, poster: FakePoster,
                 open_store: StoreFactory | None = None) -> None:
        self.backend, self.clock, self.poster = backend, clock, poster
        self.target = backend.target
        self.open_store: StoreFactory = open_store or (lambda target: backend.open())
        self.sleeps: list[float] = []
        self.store = backend.blocking()
        self.db: Any = None

    async def start(self) -> Harness:
        self.db = await self.open_store(self.target)
        self.service = self._service()
        return self

    async def _sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.clock.advance(seconds)

    def _service(self) -> DailyService:
        assert self.db is not None
        return DailyService(self.db, self.poster, spotlight, grace=GRACE, clock=self.clock, sleep=self._sleep,
                            retry=RetryPolicy(attempts=3, base=2.0, later=timedelta(minutes=10)))

    async def restart(self) -> DailyService:
        assert self.db is not None
        await self.db.close()
        self.store.close()
        self.store = self.backend.blocking()
        self.db = await self.open_store(self.target)
        self.service = self._service()
        return self.service

    def add(self, channel_id: int, hhmm: str, tz: str, guild_id: int = 1, since: datetime | None = None) -> None:
        hour, minute = map(int, hhmm.split(":"))
        self.store.set_channel(channel_id, guild_id, time(hour, minute), tz, since or self.clock())

    async def run_until(self, end: datetime, reconcile: bool = True,
                        before_tick: Callable[[], None] | None = None) -> int:
        """Drive the service like `run()` does, jumping the clock to each wake-up; returns the wake count."""
        if reconcile:
            await self.service.reconcile()
        wakes = 0
        while self.clock() < end:
            if before_tick is not None:
                before_tick()
            await self.service.tick()
            wakes += 1
            delay = await self.service.sleep_seconds()
            assert delay > 0, "the scheduler would spin"
            self.clock.advance(min(delay, (end - self.clock()).total_seconds()))
        return wakes

    async def close(self) -> None:
        if self.db is not None:
            await self.db.close()
        self.store.close()


@pytest.fixture
async def harness(backend, clock, poster):
    h = await Harness(backend, clock, poster).start()
    yield h
    await h.close()
