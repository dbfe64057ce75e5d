"""Fixtures for the daily-summary tests: a fake clock, a fake Discord poster, a store in tmp_path, a store whose
writes fail for a while."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, TypeVar

import pytest

from bot.answer import Answer
from bot.daily.aiostore import AsyncStore
from bot.daily.service import DailyService, RetryPolicy
from bot.daily.store import DailyStore, StoreError

T = TypeVar("T")

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


class FlakyStore(AsyncStore):
    """An `AsyncStore` whose writes fail with `cause` ("the disk is full") while `clock() < until`."""

    def __init__(self, path: Any, *, clock: Callable[[], datetime], until: datetime, cause: str,
                 **options: Any) -> None:
        super().__init__(path, **options)
        self.clock, self.until, self.cause = clock, until, cause
        self.refused = 0

    async def run(self, fn: Callable[[DailyStore], T], what: str = "a query") -> T:
        if what in WRITES and self.clock() < self.until:
            self.refused += 1
            raise StoreError(f"daily-summary database {self.path}: {self.cause}", self.cause)
        return await super().run(fn, what)


StoreFactory = Callable[[Any], Awaitable[AsyncStore]]


class Harness:
    """A service over a store file, restartable: `await restart()` reopens the stores and builds a new service.

    `store` is a synchronous `DailyStore` on the test's thread, to set up and check; the service uses an
    `AsyncStore` of its own (`db`, made by `open_store`) with its own thread and connection, as the bot does.
    """

    def __init__(self, db_path, clock: FakeClock, poster: FakePoster, open_store: StoreFactory | None = None) -> None:
        self.db_path, self.clock, self.poster = db_path, clock, poster
        self.open_store: StoreFactory = open_store or AsyncStore.open
        self.sleeps: list[float] = []
        self.store = DailyStore(db_path)
        self.db: AsyncStore | None = None

    async def start(self) -> Harness:
        self.db = await self.open_store(self.db_path)
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
        self.store = DailyStore(self.db_path)
        self.db = await self.open_store(self.db_path)
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
async def harness(db_path, clock, poster):
    h = await Harness(db_path, clock, poster).start()
    yield h
    await h.close()
