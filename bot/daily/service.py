"""The one daily-post scheduler: sleeps until the next due instant, then claims, sends and confirms.

No discord import: sending goes through a `Poster` (the Discord cog supplies one, tests a fake), and
time comes from an injected clock, so every path runs in tests without sleeping.

Exactly-once protocol (claim -> send -> confirm)
------------------------------------------------
1. **Claim.** One committed transaction inserts the `(channel, local_date)` row with status
   `claimed` (`UNIQUE(channel_id, local_date)` makes a second claim impossible; only a `failed`
   row can be claimed again). Nothing is sent before this commit.
2. **Send** with a nonce derived from `(channel, local_date)`. discord.py sends it with
   `enforce_nonce`, so Discord itself answers a repeat of the same nonce within a few minutes with
   the first message instead of a new one: the backoff retries of 5xx/429 cannot duplicate either.
   Every message carries a marker (`Daily spotlight · 2020-06-22` in the embed footer).
3. **Confirm**: one transaction stores the message id and status `posted`.

A crash (SIGKILL, power loss) can only leave a `claimed` row behind, never a sent-but-unrecorded day
that looks free. On start-up `reconcile()` resolves every `claimed` row before any new post: it looks
for the marker among the bot's own messages in that channel since the claim. Found: the row becomes
`posted` with that message id. Not found: `failed`, so it is posted now if still within the grace
window (same nonce again), else skipped. Cannot look (no history permission, errors): `unconfirmed`,
counted as posted. So the bot prefers missing one day over ever posting twice, and a `claimed` row
blocks that channel's next day until resolved ("recorded before the next day's can start").
A retry after a failure that might have reached Discord (5xx, timeouts) also looks for the marker first.

Permanent errors (channel deleted, permission missing) fail the day and pause the channel in one
transaction (`/daily status` shows why; `/daily set` resumes). Transient errors (5xx, rate limits,
network) are retried in-process with exponential backoff, then again after `RetryPolicy.later`
while inside the grace window, then skipped. Each channel is handled independently: one channel's
error never stops another's post.

A database that refuses the claim at post time (locked by another process, disk full, read-only) is
not a missed day: the claim is tried again with backoff (`RetryPolicy.store_delay`: 5 s, 10 s, 20 s
... at most a minute apart) while inside the grace window, so the post goes out once the store
recovers; if the window passes first, the skip names that cause. The records written after sending
(confirm, fail) are tried again the same way for a few minutes. The store is a `bot.daily.backend.Store`:
SQLite on a thread of its own, or PostgreSQL (asyncpg); nothing here depends on which.

Several processes (shards on several hosts, sharing one PostgreSQL database): each posts only for the
channels it `owns` and recovers only those claims, and the store returns only claims whose process is no
longer running (`Store.claimed`), so a restarting process never re-posts what another is still sending.
Such a store is `shared`: recovery then also runs before every pass, for processes that stopped later, and while
one of its channels waits on another process's claim the loop wakes every `RECHECK` seconds, so a claim left by a
process that stops or dies after this one started (a shard moved while its old host hung, a rolling restart at post
time) is recovered within the grace window rather than at the next slot.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Protocol

from bot.answer import Answer
from bot.daily import schedule
from bot.daily.backend import Store
from bot.daily.schedule import ChannelSchedule, Due, PostRecord, PostStatus
from bot.daily.store import StoreError

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]
Waiter = Callable[[float, asyncio.Event], Awaitable[None]]
SpotlightFn = Callable[[date], tuple[str, Answer]]

WAKE_SLACK = 0.05  # seconds added to every sleep so the wake-up lands just after the slot
RECONCILE_LOOKBACK = timedelta(minutes=1)  # clock skew allowance when searching for a sent post
RECHECK = timedelta(seconds=15)  # how often a shared store's claims of other running processes are looked at again


class PostError(Exception):
    """Sending a daily post failed."""


class ChannelGone(PostError):
    """The channel no longer exists or the bot cannot see it: pause the channel."""


class NoPermission(PostError):
    """The bot may not post (or embed) in the channel: pause the channel."""


class TransientPostError(PostError):
    """A Discord server error, rate limit or network problem: try again with backoff."""


class CannotCheck(PostError):
    """The channel's history cannot be read, so whether a post was sent cannot be checked."""


class Poster(Protocol):
    """What the scheduler needs from Discord."""

    async def send(self, channel_id: int, answer: Answer, *, nonce: str, marker: str) -> int:
        """Post `answer` (with `marker` visible in it) and return the message id."""
        ...

    async def find(self, channel_id: int, *, marker: str, after: datetime) -> int | None:
        """The id of the bot's own message carrying `marker` sent after `after`, if any."""
        ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Backoff for transient errors: `attempts` tries `base`, 2*`base` ... apart, then again after `later`."""

    attempts: int = 4
    base: float = 2.0
    cap: float = 60.0
    later: timedelta = timedelta(minutes=10)
    store_base: float = 5.0
    store_cap: float = 60.0
    record_attempts: int = 6  # tries of a write after sending (confirm, fail) before leaving it to the restart

    def delays(self) -> list[float]:
        """The pauses between in-process attempts, in seconds."""
        return [min(self.cap, self.base * 2**i) for i in range(max(0, self.attempts - 1))]

    def store_delay(self, failures: int) -> float:
        """Seconds to wait before writing again after `failures` (1, 2 ...) failed database writes."""
        return float(min(self.store_cap, self.store_base * 2 ** max(0, failures - 1)))


@dataclass(frozen=True, slots=True)
class StoreHold:
    """A post whose claim the database refused: when to try again, how often it failed, and why."""

    retry_at: datetime
    failures: int
    cause: str


@dataclass(frozen=True, slots=True)
class Outcome:
    """What happened to one due item (returned for tests and logs)."""

    channel_id: int
    local_date: date
    result: str  # posted, found, failed, paused, skipped, busy, unconfirmed, held (the database refused the claim)
    message_id: int | None = None
    detail: str = ""


def nonce_for(channel_id: int, local_date: date) -> str:
    """A stable nonce (25 characters, Discord's limit) for one channel's post on one local date."""
    return "d" + hashlib.sha256(f"{channel_id}:{local_date.isoformat()}".encode()).hexdigest()[:24]


def marker_for(local_date: date) -> str:
    """The text every daily post carries, used to find it again after a crash."""
    return f"Daily spotlight · {local_date.isoformat()}"


def utcnow() -> datetime:
    """The real clock."""
    return datetime.now(UTC)


async def wait_or_wake(seconds: float, event: asyncio.Event) -> None:
    """Sleep up to `seconds`, returning early when `event` is set."""
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), timeout=seconds)


@dataclass(frozen=True, slots=True)
class ConfigChannel:
    """A channel listed in the config file."""

    channel_id: int
    guild_id: int | None
    post_time: time
    timezone: str


async def apply_config_channels(store: Store, entries: Iterable[ConfigChannel],
                                now: datetime) -> dict[int, str]:
    """Seed config-listed channels into the store; returns channel id -> "added" / "updated" / "kept"."""
    done = {}
    for e in entries:
        done[e.channel_id] = await store.seed_config_channel(e.channel_id, e.guild_id, e.post_time, e.timezone, now)
        if done[e.channel_id] != "kept":
            log.info("daily: config channel %s %s (%s %s)", e.channel_id, done[e.channel_id],
                     schedule.format_time(e.post_time), e.timezone)
    return done


class DailyService:
    """Posts each configured channel's spotlight once per local day; one task for every guild."""

    def __init__(
        self,
        store: Store,
        poster: Poster,
        spotlight: SpotlightFn,
        *,
        grace: timedelta = timedelta(hours=1),
        clock: Clock = utcnow,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
        waiter: Waiter = wait_or_wake,
        retry: RetryPolicy | None = None,
        max_sleep: float = 3600.0,
        concurrency: int = 5,
        owns: Callable[[ChannelSchedule], bool] | None = None,
    ) -> None:
        self.store, self.poster, self.spotlight = store, poster, spotlight
        self.grace, self.clock, self.sleep, self.waiter = grace, clock, sleep, waiter
        self.retry = retry or RetryPolicy()
        self.max_sleep = max_sleep
        self.owns = owns or (lambda _sch: True)
        self._limit = asyncio.Semaphore(concurrency)
        self._wake = asyncio.Event()
        self.wakeups = 0  # loop iterations (the tests count them)
        self.held: dict[tuple[int, date], StoreHold] = {}  # claims the database refused, tried again later
        self.posting: set[tuple[int, date]] = set()  # the posts this process is sending now

    # -- the loop ------------------------------------------------------------------------------------

    def wake(self) -> None:
        """Re-plan now (settings changed)."""
        self._wake.set()

    async def _history(self, now: datetime) -> dict[tuple[int, date], PostRecord]:
        return await self.store.history((now - timedelta(days=3)).date())

    async def _channels(self) -> list[ChannelSchedule]:
        return [c for c in await self.store.channels() if self.owns(c)]

    async def due(self) -> list[Due]:
        """What is due at the clock's now."""
        now = self.clock()
        return schedule.plan(await self._channels(), await self._history(now), now, self.grace)

    async def next_wakeup(self) -> datetime | None:
        """When the loop must wake next: the next slot or retry, the next try of a claim the database refused, or
        (shared store) the next look at another process's unfinished claim of one of this process's channels."""
        now = self.clock()
        channels, history = await self._channels(), await self._history(now)
        planned = schedule.next_wakeup(channels, history, now, self.grace)
        times = [h.retry_at for h in self.held.values()] + ([planned] if planned is not None else [])
        others = {r.channel_id for k, r in history.items() if r.status is PostStatus.CLAIMED and k not in self.posting
                  and r.claimed_at is not None and r.claimed_at + self.grace > now}  # still in time to recover
        if self.store.shared and others & {c.channel_id for c in channels}:
            times.append(now + RECHECK)  # another process is sending one of ours: if it stops, recover it soon
        return min(times, default=None)

    async def sleep_seconds(self) -> float:
        """How long the loop sleeps now: until the next due instant, at most `max_sleep`."""
        wake_at = await self.next_wakeup()
        if wake_at is None:
            return self.max_sleep
        return min(self.max_sleep, max(0.0, (wake_at - self.clock()).total_seconds()) + WAKE_SLACK)

    async def run(self) -> None:
        """Reconcile unfinished posts, then handle what is due and sleep until the next due instant, forever."""
        while True:
            try:
                await self.reconcile()
                break
            except StoreError as exc:
                log.warning("daily: cannot check unfinished posts (%s); trying again in a minute", exc.cause)
                await self.waiter(60.0, self._wake)
        while True:
            self._wake.clear()
            try:
                if self.store.shared and self.wakeups:  # claims left by processes that stopped since
                    await self.reconcile()
                done = [f"channel {o.channel_id} {o.local_date} {o.result}" for o in await self.tick()]
                log.debug("daily: scheduler pass %d: %s", self.wakeups + 1, ", ".join(done) or "nothing due")
            except StoreError as exc:  # the store failing must not kill the scheduler; try again later
                log.warning("daily: scheduler pass failed: %s", exc)
            except Exception:
                log.exception("daily: scheduler pass failed")
            self.wakeups += 1
            try:
                delay = await self.sleep_seconds()
            except StoreError as exc:
                log.warning("daily: cannot read the schedule (%s); trying again in a minute", exc.cause)
                delay = 60.0
            except Exception:
                log.exception("daily: cannot compute the next wake-up")
                delay = 60.0
            await self.waiter(delay, self._wake)

    async def tick(self) -> list[Outcome]:
        """Handle everything due now: post, or skip what missed its grace window."""
        now = self.clock()
        items = await self.due()
        self.held = {k: h for k, h in self.held.items() if k in {(d.channel_id, d.local_date) for d in items}}
        skipped = [await self._skip(d) for d in items if d.action == "skip"]
        posts = [d for d in items if d.action == "post" and not self._waiting(d, now)]
        sent = await asyncio.gather(*(self._guarded(d) for d in posts), return_exceptions=True)
        for d, result in zip(posts, sent, strict=True):
            if isinstance(result, BaseException):
                log.error("daily: channel %s, %s: %r", d.channel_id, d.local_date, result, exc_info=result)
        return [o for o in skipped if o] + [o for o in sent if isinstance(o, Outcome)]

    async def _guarded(self, due: Due) -> Outcome:
        async with self._limit:
            return await self.post(due)

    # -- one post ------------------------------------------------------------------------------------

    def _waiting(self, due: Due, now: datetime) -> bool:
        """True while a post whose claim the database refused waits for its next try."""
        hold = self.held.get((due.channel_id, due.local_date))
        return hold is not None and hold.retry_at > now

    def _hold(self, due: Due, exc: StoreError, doing: str) -> None:
        """Remember that the database refused a write for this post, and when to try again."""
        key = (due.channel_id, due.local_date)
        failures = self.held[key].failures + 1 if key in self.held else 1
        retry_at = self.clock() + timedelta(seconds=self.retry.store_delay(failures))
        self.held[key] = StoreHold(retry_at, failures, exc.cause)
        log.warning("daily: channel %s, %s: cannot %s: %s; trying again at %s", due.channel_id, due.local_date,
                    doing, exc.cause, f"{retry_at:%H:%M:%S} UTC")

    async def _skip(self, due: Due) -> Outcome | None:
        hold = self.held.get((due.channel_id, due.local_date))
        if hold is not None:
            cause = f"the database could not be written at post time ({hold.cause})"
        else:
            cause = "its retries failed" if due.retry else "the bot was not running at post time"
        reason = f"skipped: {cause}; the grace window of {self.grace} after {due.slot:%Y-%m-%d %H:%M} UTC had passed"
        try:
            if not await self.store.skip(due.channel_id, due.local_date, reason):
                return None
        except StoreError as exc:
            self._hold(due, exc, "record the skipped day")
            return None
        self.held.pop((due.channel_id, due.local_date), None)
        log.warning("daily: channel %s, %s %s", due.channel_id, due.local_date, reason)
        return Outcome(due.channel_id, due.local_date, "skipped", detail=reason)

    async def post(self, due: Due) -> Outcome:
        """Claim, send and confirm one channel's post for one local date."""
        key = (due.channel_id, due.local_date)
        self.posting.add(key)
        try:
            return await self._post(due)
        finally:
            self.posting.discard(key)

    async def _post(self, due: Due) -> Outcome:
        ch, day = due.channel_id, due.local_date
        try:
            key, answer = self.spotlight(day)
        except Exception as exc:  # a knowledge-base bug: record it, retry later, never crash the loop
            log.exception("daily: cannot build the spotlight for %s", day)
            key, answer, problem = None, None, f"cannot build the spotlight: {exc!r}"
        nonce, marker = nonce_for(ch, day), marker_for(day)
        try:
            previous = await self.store.record(ch, day)
            claim = await self.store.claim(ch, day, self.clock(), nonce, key)
        except StoreError as exc:
            self._hold(due, exc, "claim the post")
            return Outcome(ch, day, "held", detail=exc.cause)
        hold = self.held.pop((ch, day), None)
        if hold is not None:
            log.info("daily: channel %s, %s: the database accepts writes again (after %d failure(s): %s)",
                     ch, day, hold.failures, hold.cause)
        if claim is None:
            log.info("daily: channel %s, %s: already claimed (by another process, or done)", ch, day)
            return Outcome(ch, day, "busy")
        if answer is None:
            await self._write(ch, day, "record the failure", lambda: self.store.fail(
                ch, day, problem, self.clock() + self.retry.later))
            return Outcome(ch, day, "failed", detail=problem)
        late = due.late_by(self.clock())
        if late > timedelta(minutes=1):
            log.info("daily: channel %s, %s posting %s after its time (grace window %s)", ch, day, late, self.grace)
        try:
            if due.retry and previous is not None and previous.claimed_at is not None:
                found = await self._find(ch, marker, previous.claimed_at)
                if found is not None:
                    await self._confirm(ch, day, found)
                    log.info("daily: channel %s, %s was already posted (message %s)", ch, day, found)
                    return Outcome(ch, day, "found", found)
            message_id = await self._send(ch, answer, nonce, marker)
        except (ChannelGone, NoPermission) as exc:
            reason = f"{exc} (paused on {day}; fix it, then run /daily set)"
            await self._write(ch, day, "pause the channel", lambda: self.store.fail_and_pause(
                ch, day, reason, self.clock()))
            log.warning("daily: channel %s paused: %s", ch, reason)
            return Outcome(ch, day, "paused", detail=reason)
        except Exception as exc:
            retry_at = self.clock() + self.retry.later
            if isinstance(exc, TransientPostError):
                log.warning("daily: channel %s, %s not posted (%s); trying again at %s", ch, day, exc, retry_at)
            else:
                log.exception("daily: channel %s, %s: unexpected error; trying again at %s", ch, day, retry_at)
            error = str(exc) or type(exc).__name__
            await self._write(ch, day, "record the failure", lambda: self.store.fail(ch, day, error, retry_at))
            return Outcome(ch, day, "failed", detail=str(exc))
        await self._confirm(ch, day, message_id)
        log.info("daily: posted %s to channel %s for %s (message %s)", key, ch, day, message_id)
        return Outcome(ch, day, "posted", message_id)

    async def _confirm(self, channel_id: int, day: date, message_id: int) -> None:
        await self._write(channel_id, day, "record the post",
                          lambda: self.store.confirm(channel_id, day, message_id, self.clock()))

    async def _write(self, channel_id: int, day: date, doing: str, write: Callable[[], Awaitable[object]]) -> None:
        """A write after the claim, tried again with backoff while the database refuses it. If it never succeeds,
        the row stays `claimed`: it blocks that channel until the next start, whose `reconcile()` resolves it."""
        for failures in range(1, self.retry.record_attempts + 1):
            try:
                await write()
                return
            except StoreError as exc:
                if failures == self.retry.record_attempts:
                    log.error("daily: channel %s, %s: cannot %s: %s; gave up, the next start resolves it",
                              channel_id, day, doing, exc.cause)
                    return
                delay = self.retry.store_delay(failures)
                log.warning("daily: channel %s, %s: cannot %s: %s; trying again in %.0f s", channel_id, day,
                            doing, exc.cause, delay)
                await self.sleep(delay)

    async def _send(self, channel_id: int, answer: Answer, nonce: str, marker: str) -> int:
        delays = self.retry.delays()
        for attempt in range(len(delays) + 1):
            try:
                return await self.poster.send(channel_id, answer, nonce=nonce, marker=marker)
            except TransientPostError as exc:
                if attempt == len(delays):
                    raise
                log.info("daily: channel %s: %s; retry %d in %.0fs", channel_id, exc, attempt + 1, delays[attempt])
                await self.sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    async def _find(self, channel_id: int, marker: str, claimed_at: datetime) -> int | None:
        """Look for a post sent after a claim; transient errors retried; CannotCheck propagates."""
        delays = self.retry.delays()
        for attempt in range(len(delays) + 1):
            try:
                return await self.poster.find(channel_id, marker=marker, after=claimed_at - RECONCILE_LOOKBACK)
            except TransientPostError:
                if attempt == len(delays):
                    raise CannotCheck("Discord kept failing while reading the channel's history") from None
                await self.sleep(delays[attempt])
        raise AssertionError("unreachable")  # pragma: no cover

    # -- start-up ------------------------------------------------------------------------------------

    async def reconcile(self) -> list[Outcome]:
        """Resolve posts claimed but never confirmed (the bot stopped while sending): see the module docstring."""
        outcomes = []
        for rec in await self.store.claimed():
            ch, day = rec.channel_id, rec.local_date
            sch = await self.store.channel(ch)
            if sch is not None and not self.owns(sch):
                continue  # another shard's channel: that process resolves it
            since = rec.claimed_at or self.clock()
            try:
                found = await self._find(ch, marker_for(day), since)
            except (CannotCheck, ChannelGone, NoPermission) as exc:
                why = f"the bot stopped while posting and cannot check whether it was sent ({exc}); counted as posted"
                await self.store.mark_unconfirmed(ch, day, why)
                log.warning("daily: channel %s, %s: %s", ch, day, why)
                outcomes.append(Outcome(ch, day, "unconfirmed", detail=why))
                continue
            except Exception as exc:
                await self.store.mark_unconfirmed(ch, day, f"check failed: {exc!r}; counted as posted")
                log.exception("daily: channel %s, %s: checking an unfinished post failed", ch, day)
                outcomes.append(Outcome(ch, day, "unconfirmed", detail=repr(exc)))
                continue
            if found is not None:
                await self.store.confirm(ch, day, found, self.clock())
                log.info("daily: channel %s, %s: found the post sent before the restart (message %s)", ch, day, found)
                outcomes.append(Outcome(ch, day, "found", found))
            else:
                await self.store.fail(ch, day, "the bot stopped before the post was sent", self.clock())
                log.info("daily: channel %s, %s: the post was not sent before the restart; will post if in time",
                         ch, day)
                outcomes.append(Outcome(ch, day, "failed", detail="not sent before restart"))
        return outcomes
