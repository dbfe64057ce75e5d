"""ConversationStore: idle expiry on an injected clock, LRU eviction, the cap under load, reply lookup."""

from __future__ import annotations

import pytest

from benchmarks.conversations import measure, section
from bot.config import ConfigError, parse_settings
from bot.conversations import ConversationStore, ExpiringLRU
from bot.dialogue import FRESH, Context

THAILAND = Context(entities=("thailand",), attribute="envoy", turn=1)
VIETNAM = Context(entities=("vietnam",), attribute="figure:deaths", turn=2)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


def test_a_new_conversation_is_fresh_and_an_answer_carries_on(clock):
    store: ConversationStore[tuple[int, int]] = ConversationStore(clock=clock)
    assert store.context((1, 2)) is FRESH
    store.save((1, 2), THAILAND)
    assert store.context((1, 2)) == THAILAND
    assert store.context((1, 3)) is FRESH  # another user in the same channel
    assert store.context((4, 2)) is FRESH  # the same user elsewhere
    store.save((1, 2), VIETNAM)
    assert store.context((1, 2)) == VIETNAM


def test_idle_expiry_on_the_injected_clock(clock):
    store: ConversationStore[str] = ConversationStore(idle_seconds=600, clock=clock)
    store.save("a", THAILAND)
    clock.now += 599.9
    assert store.context("a") == THAILAND  # still there, and touched: idle time starts again
    clock.now += 599.9
    assert store.context("a") == THAILAND
    clock.now += 600
    assert store.context("a") is FRESH
    assert len(store) == 0


def test_expired_conversations_are_dropped_when_others_are_written(clock):
    store: ConversationStore[int] = ConversationStore(idle_seconds=60, clock=clock)
    for user in range(100):
        store.save(user, THAILAND)
    clock.now += 61
    store.save(1000, VIETNAM)  # nobody reads the 100 idle ones again, yet they go
    assert len(store) == 1
    assert store.context(1000) == VIETNAM


def test_least_recently_used_goes_first_past_the_cap(clock):
    store: ConversationStore[str] = ConversationStore(max_conversations=3, clock=clock)
    for key in "abc":
        store.save(key, THAILAND)
        clock.now += 1
    assert store.context("a") == THAILAND  # reading "a" makes "b" the least recently used
    store.save("d", VIETNAM)
    assert len(store) == 3
    assert store.context("b") is FRESH
    assert [store.context(k) for k in "acd"] == [THAILAND, THAILAND, VIETNAM]


def test_the_cap_holds_under_20000_distinct_users(clock):
    store: ConversationStore[tuple[int, int]] = ConversationStore(max_conversations=10_000, clock=clock)
    for user in range(20_000):
        context = Context(entities=(f"country-{user % 10}",), turn=user)
        store.save((42, user), context)
        store.save_message(10**6 + user, context)
        clock.now += 0.001
        assert len(store) <= 10_000
    assert len(store) == 10_000 and len(store.messages) == 10_000
    assert store.context((42, 9_999)) is FRESH  # the first half went
    assert store.context((42, 10_000)).turn == 10_000  # the second half stayed
    assert store.context((42, 19_999)).turn == 19_999
    assert store.for_message(10**6) is None
    assert store.for_message(10**6 + 19_999) == Context(entities=("country-9",), turn=19_999)


def test_a_reply_finds_the_answer_it_replies_to(clock):
    store: ConversationStore[tuple[int, int]] = ConversationStore(idle_seconds=600, clock=clock)
    store.save_message(555, THAILAND)
    store.save_message(556, VIETNAM)
    assert store.for_message(555) == THAILAND  # the older answer keeps its own context
    assert store.for_message(556) == VIETNAM
    assert store.for_message(557) is None  # not one of ours
    store.save_message(558, FRESH)
    assert store.for_message(558) == FRESH  # known, and fresh: not the same as unknown
    clock.now += 600
    assert store.for_message(555) is None  # replies to an answer idle too long start afresh


def test_bad_limits_are_refused(clock):
    with pytest.raises(ValueError):
        ExpiringLRU(0, 10, clock)
    with pytest.raises(ValueError):
        ExpiringLRU(10, 0, clock)


def test_the_settings_default_to_ten_minutes_and_ten_thousand():
    settings = parse_settings({}, "cfg").conversations
    assert (settings.idle_seconds, settings.max_conversations) == (600.0, 10_000)
    settings = parse_settings({"conversations": {"idle_minutes": 2, "max_conversations": 500}}, "cfg").conversations
    assert (settings.idle_seconds, settings.max_conversations) == (120.0, 500)


@pytest.mark.parametrize("data, message", [
    ({"conversations": {"idle_minutes": 0}}, "cfg: conversations.idle_minutes: expected a number >= 0.5"),
    ({"conversations": {"idle_minutes": "ten"}}, "cfg: conversations.idle_minutes: expected a number, got str"),
    ({"conversations": {"max_conversations": 10}}, "cfg: conversations.max_conversations: expected int >= 100"),
    ({"conversations": {"max_conversations": 2.5}}, "cfg: conversations.max_conversations: expected int, got float"),
    ({"conversations": {"max": 10}}, "cfg: conversations.max: unknown key"),
])
def test_bad_conversation_settings_are_one_line_naming_the_key(data, message):
    with pytest.raises(ConfigError) as info:
        parse_settings(data, "cfg")
    assert str(info.value).startswith(message), str(info.value)
    assert "\n" not in str(info.value)


def test_the_memory_benchmark_runs_and_reports_a_plausible_figure():
    row = measure(300)
    assert row["cap"] == 300 and 100 < row["store_bytes_per_conversation"] < 2000
    assert section([row]).startswith("## Conversations") and "| 300 |" in section([row])
