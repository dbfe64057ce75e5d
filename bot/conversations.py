"""Where conversations live between answers: the `Context` of each one, bounded in time and in number.

The engine never remembers; a front end keeps the context of a conversation's last answer and passes
it with the next line. `ConversationStore` keeps them by a hashable key (on Discord, the channel and the
user), forgets a conversation idle for `idle_seconds`, and keeps at most `max_conversations` of them,
dropping the least recently used, so a busy server cannot grow it without limit. It also remembers the
context of each answer the bot sent, by message id, so a reply to that message continues that answer.

Pure Python (no discord import); the clock is injected so tests never sleep.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

from bot.dialogue import FRESH, Context

log = logging.getLogger(__name__)

K = TypeVar("K", bound=Hashable)

DEFAULT_IDLE_SECONDS = 600.0
DEFAULT_MAX_CONVERSATIONS = 10_000


class ExpiringLRU(Generic[K]):
    """A map of key -> `Context` with an idle expiry and a size cap, oldest-touched first.

    Each entry is a `(context, last_touched)` tuple. Reading or writing an entry touches it (moves it to
    the end), so the front is always the entry idle longest: expired entries are dropped from the front
    on every write, and past the cap the front one goes.
    """

    __slots__ = ("_clock", "_entries", "idle_seconds", "max_size")

    def __init__(self, idle_seconds: float, max_size: int, clock: Callable[[], float]) -> None:
        if idle_seconds <= 0 or max_size < 1:
            raise ValueError(f"need idle_seconds > 0 and max_size >= 1, got {idle_seconds}, {max_size}")
        self.idle_seconds = idle_seconds
        self.max_size = max_size
        self._clock = clock
        self._entries: OrderedDict[K, tuple[Context, float]] = OrderedDict()

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, key: K) -> Context | None:
        """The context for `key` (touching it), or None if unknown or idle too long."""
        entry = self._entries.get(key)
        if entry is None:
            return None
        now = self._clock()
        if now - entry[1] >= self.idle_seconds:
            del self._entries[key]
            return None
        self._entries[key] = (entry[0], now)
        self._entries.move_to_end(key)
        return entry[0]

    def put(self, key: K, context: Context) -> None:
        """Remember `context` for `key`; drop what expired, then the least recently used past the cap."""
        now = self._clock()
        self._entries[key] = (context, now)
        self._entries.move_to_end(key)
        self._prune(now)

    def _prune(self, now: float) -> None:
        entries = self._entries
        while entries:
            oldest = next(iter(entries.values()))
            if now - oldest[1] < self.idle_seconds:
                break
            entries.popitem(last=False)
        while len(entries) > self.max_size:
            entries.popitem(last=False)


class ConversationStore(Generic[K]):
    """The context of each conversation by key, and of each answer sent by message id.

    `context(key)` is FRESH for a new or expired conversation; `save(key, context)` stores an answer's
    context for the conversation, and `save_message(message_id, context)` for replies to the message that
    carried it. Both maps share the idle time and the cap.
    """

    __slots__ = ("conversations", "messages")

    def __init__(
        self,
        idle_seconds: float = DEFAULT_IDLE_SECONDS,
        max_conversations: int = DEFAULT_MAX_CONVERSATIONS,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.conversations: ExpiringLRU[K] = ExpiringLRU(idle_seconds, max_conversations, clock)
        self.messages: ExpiringLRU[int] = ExpiringLRU(idle_seconds, max_conversations, clock)

    def __len__(self) -> int:
        """How many conversations are remembered (some may have expired and not yet been dropped)."""
        return len(self.conversations)

    @property
    def idle_seconds(self) -> float:
        """Seconds without an answer after which a conversation starts afresh."""
        return self.conversations.idle_seconds

    @property
    def max_conversations(self) -> int:
        """The most conversations (and answered messages) remembered at once."""
        return self.conversations.max_size

    def context(self, key: K) -> Context:
        """The context of the conversation's last answer, or FRESH."""
        found = self.conversations.get(key)
        return FRESH if found is None else found

    def for_message(self, message_id: int) -> Context | None:
        """The context of the answer sent as `message_id`, or None if unknown or expired."""
        return self.messages.get(message_id)

    def save(self, key: K, context: Context) -> None:
        """Store the context of the conversation's latest answer."""
        self.conversations.put(key, context)

    def save_message(self, message_id: int, context: Context) -> None:
        """Store the context of the answer sent as `message_id`, for replies to it."""
        self.messages.put(message_id, context)


__all__ = ["DEFAULT_IDLE_SECONDS", "DEFAULT_MAX_CONVERSATIONS", "ConversationStore", "ExpiringLRU"]
