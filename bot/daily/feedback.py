"""Answer feedback: "Not helpful" presses, misses recorded when a server turned it on, and the misses report.

No discord import: the Discord front end and `python -m bot misses` both use this module over the bot's `Store`.

A miss is an answer whose kind is "not_covered", a did-you-mean ("unsure") or a low-confidence closest passage
("closest"). Misses are recorded only in servers whose admins turned feedback on (`/feedback on`), presses always;
a press keeps no user id, only a salted hash of (user, message) so one user counts once per answer. Every row is
deleted `feedback_days` after it was written (at record time and before a report).

The report groups similar questions: normalised (lower case, no apostrophes or punctuation, no filler words, a
plural or possessive "s" dropped) and joined when `fuzz.token_set_ratio` >= `SIMILAR`, most frequent first.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol

from rapidfuzz import fuzz, process

from bot.answer import Answer, SourceRef
from bot.engine.format import sanitize
from bot.engine.passages import CLOSEST_TITLE

SIMILAR = 85  # token_set_ratio at or above which two questions are one group
STEM = 4  # questions are compared with the groups sharing a word's first STEM letters (two, over three words) ...
MAX_CANDIDATES = 32  # ... at most this many (those sharing most, then the most frequent): linear in the rows
POSTINGS = 64  # the most frequent groups read for each word start
DEFAULT_DAYS = 30
NO_QUESTION = "(question not available)"

KINDS = {"a": "answer", "n": "not_covered", "u": "unsure", "c": "closest", "h": "help", "e": "error"}
CODES = {kind: code for code, kind in KINDS.items()}
MISS_KINDS = frozenset({"not_covered", "unsure", "closest"})

FILLER = frozenset({"a", "an", "the", "of", "in", "on", "at", "to", "for", "is", "are", "was", "were", "do", "does",
                    "did", "what", "whats", "which", "who", "whos", "how", "about", "tell", "me", "please", "can",
                    "you", "i", "and", "or", "with", "from", "by", "it", "its", "this", "that"})
_APOSTROPHES = re.compile("['\u2019\u02bc`]")
_PUNCTUATION = re.compile(r"[^\w\s]|_")


def feedback_kind(answer: Answer) -> str:
    """The kind an answer is filed under: its own, or "closest" for a low-confidence closest passage."""
    if answer.kind == "answer" and answer.title == CLOSEST_TITLE:
        return "closest"
    return answer.kind if answer.kind in CODES else "answer"


def is_miss(answer: Answer) -> bool:
    """True for an answer that did not find what was asked (recorded when the server turned feedback on)."""
    return feedback_kind(answer) in MISS_KINDS


def normalise(text: str) -> str:
    """Question text as it is compared: "What's Indonesia's population?" -> "indonesia population"."""
    text = _PUNCTUATION.sub(" ", _APOSTROPHES.sub("", text.lower()))
    words = [w[:-1] if len(w) > 3 and w.endswith("s") and not w.endswith("ss") else w for w in text.split()]
    kept = [w for w in words if w not in FILLER]
    return " ".join(kept or words)


def question_digest(text: str) -> str:
    """Eight characters naming a question (its whitespace-normalised text)."""
    return hashlib.blake2b(" ".join(text.split()).encode(), digest_size=6).hexdigest()[:8]


def voter_hash(salt: str, user_id: int, message_id: int) -> str:
    """The salted hash that counts one press per user per answer without keeping who pressed."""
    return hashlib.blake2b(f"{user_id}:{message_id}".encode(), key=salt.encode()[:64], digest_size=16).hexdigest()


def encode_sources(sources: Sequence[SourceRef]) -> str:
    """Sources as one stored string: "lead:1,2;section-id:3"."""
    return ";".join(f"{s.section}:{','.join(map(str, s.paragraphs))}" for s in sources)


@dataclass(frozen=True, slots=True)
class Miss:
    """One stored row: an automatic miss (`pressed` False) or a "Not helpful" press."""

    question: str
    kind: str
    at: datetime
    guild_id: int | None = None
    sources: str = ""
    pressed: bool = False


@dataclass(slots=True)
class Group:
    """Similar questions: the most asked wording, how often each kind answered them, and the presses."""

    question: str
    asked: int = 0
    pressed: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    wordings: Counter[str] = field(default_factory=Counter)

    @property
    def total(self) -> int:
        """Misses and presses together: what the report sorts by."""
        return self.asked + self.pressed

    def kinds_text(self) -> str:
        """"not_covered 3, unsure 1"."""
        return ", ".join(f"{kind} {n}" for kind, n in self.kinds.most_common())


def group_misses(rows: Iterable[Miss], threshold: int = SIMILAR) -> list[Group]:
    """Rows grouped by similar normalised question, most frequent first. Identical normalised texts are counted
    once before the fuzzy pass, so its cost grows with the distinct questions, not the rows; each is compared with
    the groups sharing the start of its words (not with every group), at most `MAX_CANDIDATES` of them."""
    by_text: dict[str, Group] = {}
    for row in rows:
        key = normalise(row.question) if row.question else ""
        group = by_text.setdefault(key, Group(row.question or NO_QUESTION))
        if row.pressed:
            group.pressed += 1
        else:
            group.asked += 1
        group.kinds[row.kind] += 1
        group.wordings[row.question or NO_QUESTION] += 1
    groups: list[Group] = []
    keys: list[str] = []
    index: dict[str, list[int]] = {}  # a word's first letters -> the groups whose question has such a word
    for key, part in sorted(by_text.items(), key=lambda kv: -kv[1].total):
        stems = {w[:STEM] for w in key.split()}
        shared: Counter[int] = Counter()  # group -> how many of these stems its question has
        for stem in stems:
            shared.update(index.get(stem, ())[:POSTINGS])
        need = 1 if len(stems) <= 3 else 2  # a longer question sharing one word with another is not the same
        order = [g for g, n in sorted(shared.items(), key=lambda gn: (-gn[1], gn[0])) if n >= need][:MAX_CANDIDATES]
        found = process.extractOne(key, [keys[i] for i in order], scorer=fuzz.token_set_ratio,
                                   score_cutoff=threshold) if key and order else None
        if found is None:
            for stem in stems:
                index.setdefault(stem, []).append(len(groups))
            groups.append(part)
            keys.append(key)
            continue
        into = groups[order[found[2]]]
        into.asked += part.asked
        into.pressed += part.pressed
        into.kinds.update(part.kinds)
        into.wordings.update(part.wordings)
    for group in groups:
        group.question = group.wordings.most_common(1)[0][0]
    groups.sort(key=lambda g: (-g.total, g.question))
    return groups


def report_lines(groups: Sequence[Group], limit: int = 20) -> list[str]:
    """The top groups, one inert line each: `12× "population of indonesia" — not_covered 10 · 2 not helpful`."""
    lines = []
    for group in groups[:limit]:
        extra = f" ({len(group.wordings)} wordings)" if len(group.wordings) > 1 else ""
        pressed = f" · {group.pressed} not helpful" if group.pressed else ""
        lines.append(f"{group.total}× “{sanitize(group.question, 80)}”{extra} — {group.kinds_text()}{pressed}")
    return lines


def report_csv(groups: Sequence[Group]) -> str:
    """Every group as CSV: question, wordings, misses, not_helpful, kinds (the question made inert)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["question", "wordings", "misses", "not_helpful", "kinds"])
    for group in groups:
        question = sanitize(group.question, 200)
        if question[:1] in "=+-@":  # not a formula in a spreadsheet
            question = "'" + question
        writer.writerow([question, len(group.wordings), group.asked, group.pressed, group.kinds_text()])
    return out.getvalue()


Clock = Callable[[], datetime]


class FeedbackService:
    """Feedback over the bot's store: whether a server records misses (cached briefly), recording, the report."""

    CACHE_SECONDS = 60.0

    def __init__(self, store: FeedbackStore, days: int = DEFAULT_DAYS, clock: Clock | None = None) -> None:
        self.store = store
        self.days = days
        self.clock: Clock = clock or _utcnow
        self._enabled: dict[int, tuple[bool, datetime]] = {}

    def cutoff(self) -> datetime:
        """Rows written before this are deleted."""
        return self.clock() - timedelta(days=self.days)

    async def enabled(self, guild_id: int | None) -> bool:
        """Whether misses are recorded in this server (never in DMs)."""
        if guild_id is None:
            return False
        now = self.clock()
        cached = self._enabled.get(guild_id)
        if cached is not None and (now - cached[1]).total_seconds() < self.CACHE_SECONDS:
            return cached[0]
        value = await self.store.feedback_enabled(guild_id)
        self._enabled[guild_id] = (value, now)
        return value

    async def set_enabled(self, guild_id: int, enabled: bool, updated_by: int | None = None) -> None:
        """`/feedback on|off`."""
        await self.store.set_feedback(guild_id, enabled, self.clock(), updated_by)
        self._enabled[guild_id] = (enabled, self.clock())

    async def answered(self, guild_id: int | None, question: str, answer: Answer) -> bool:
        """Record the answer if it is a miss and the server turned feedback on; True when recorded."""
        if not question or not is_miss(answer) or not await self.enabled(guild_id):
            return False
        miss = Miss(question, feedback_kind(answer), self.clock(), guild_id, encode_sources(answer.sources))
        await self.store.add_miss(miss, self.cutoff())
        return True

    async def pressed(self, guild_id: int | None, question: str | None, kind: str, sources: Sequence[SourceRef],
                      user_id: int, message_id: int) -> bool:
        """Record a "Not helpful" press; False when this user already pressed it on this answer."""
        miss = Miss(question or "", kind, self.clock(), guild_id, encode_sources(sources), pressed=True)
        return await self.store.add_press(miss, user_id, message_id, self.cutoff())

    async def report(self, guild_id: int | None = None, days: int | None = None) -> list[Group]:
        """The grouped misses and presses of the last `days` (default: all kept), of one server or all."""
        await self.store.expire_feedback(self.cutoff())
        since = self.clock() - timedelta(days=min(days or self.days, self.days))
        return group_misses(await self.store.misses(since, guild_id))


class FeedbackStore(Protocol):
    """The part of the bot's `Store` feedback uses (both back ends have it)."""

    async def feedback_enabled(self, guild_id: int) -> bool:
        """Whether the server turned misses on (off by default)."""
        ...

    async def set_feedback(self, guild_id: int, enabled: bool, now: datetime, updated_by: int | None = None) -> None:
        """Turn misses on or off for a server."""
        ...

    async def add_miss(self, miss: Miss, before: datetime) -> None:
        """Store an automatic miss, deleting rows written before `before`."""
        ...

    async def add_press(self, miss: Miss, user_id: int, message_id: int, before: datetime) -> bool:
        """Store a press once per (user, message), keeping only their salted hash; False for a repeat."""
        ...

    async def expire_feedback(self, before: datetime) -> int:
        """Delete rows written before `before`; how many."""
        ...

    async def misses(self, since: datetime, guild_id: int | None = None) -> list[Miss]:
        """Rows written at or after `since`, of one server or every one."""
        ...


def _utcnow() -> datetime:
    return datetime.now(UTC)


__all__ = ["CODES", "DEFAULT_DAYS", "KINDS", "MISS_KINDS", "NO_QUESTION", "SIMILAR", "Clock", "FeedbackService",
           "FeedbackStore", "Group", "Miss", "encode_sources", "feedback_kind", "group_misses", "is_miss", "normalise",
           "question_digest", "report_csv", "report_lines", "voter_hash"]
