"""Near-miss lookup in a large list of strings without scoring every string.

`FuzzyIndex.closest` gives exactly what `process.extractOne(query, keys, scorer=OSA.distance,
score_cutoff=k)` gives (the closest key within k edits, the earliest on a tie), but scores only
the keys that can be that close: a key within k edits (insertions, deletions, substitutions or
transpositions) of the query is at most k characters longer or shorter, and shares at least
`len(query) + 2 - 4k` of the query's padded trigrams (one edit spoils at most four of them), so it
contains two of the query's `4k + 2` rarest trigrams (one of the `4k + 1` rarest, for a short
query). Only keys like that are scored.

`FuzzyIndex.similar` is for scorers with no such bound (`fuzz.WRatio`): every key while the list
is small, and for a long list the keys sharing most of the query's rarer trigrams, and the keys found
whole inside it. That is a heuristic: with more than `EXHAUSTIVE` keys a loose match (a "did you
mean" candidate) can be missed.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Sequence
from itertools import chain

from bot.engine import rapid

PAD = "\x02\x02"
END = "\x03\x03"
EXHAUSTIVE = 2000  # `similar` scores every key up to this many (the real knowledge base has ~500 names)
SIMILAR_CANDIDATES = 400  # beyond that, it scores this many keys sharing most trigrams
SIMILAR_READ = 20_000  # postings it reads to find them, rarest trigrams first



def _trigrams(text: str) -> list[str]:
    padded = PAD + text + END
    return [padded[i:i + 3] for i in range(len(padded) - 2)]


class FuzzyIndex:
    """For each trigram, the keys that have it, shortest first: a span of two flat arrays (key lengths and
    key positions), so that a copy of the index pickles and loads fast."""

    def __init__(self, keys: Sequence[str], similar_only: bool = False) -> None:
        """`similar_only`: the index is built only if `similar` needs it (more than `EXHAUSTIVE` keys)."""
        self.keys = list(keys)
        self._position = {k: i for i, k in reversed(list(enumerate(self.keys)))}
        self._by_length = sorted(range(len(self.keys)), key=lambda i: len(self.keys[i]))
        self._spans: dict[str, tuple[int, int]] = {}
        self._ids = array("i")
        self._lengths = array("i")
        self._built = False
        self._eager = not similar_only or len(self.keys) > EXHAUSTIVE
        if self._eager:
            self._index()

    def __getstate__(self) -> dict[str, object]:
        """A saved copy without the trigram index, made again on first use: most questions need no near miss,
        and a cold start loads a third fewer objects (`warm` makes it ahead, for a long-running bot)."""
        state = dict(self.__dict__)
        state.update(_spans={}, _ids=array("i"), _lengths=array("i"), _built=False)
        return state

    def build(self) -> None:
        """Make the trigram index now, if it is not made yet."""
        if not self._built:
            self._index()

    def warm(self) -> None:
        """Make the trigram index now if a look-up would (a small `similar_only` index never needs it)."""
        if self._eager:
            self.build()

    def _index(self) -> None:
        self._built = True
        lists: dict[str, list[int]] = {}
        for i in self._by_length:
            for g in dict.fromkeys(_trigrams(self.keys[i])):
                lists.setdefault(g, []).append(i)
        for g, ids in lists.items():
            self._spans[g] = (len(self._ids), len(self._ids) + len(ids))
            self._ids.extend(ids)
        self._lengths = array("i", [len(self.keys[i]) for i in self._ids])

    def closest(self, query: str, max_distance: int) -> tuple[str, int] | None:
        """(key, distance) of the key fewest OSA edits from `query`, if within `max_distance`; first on ties."""
        exact = self._position.get(query)
        if exact is not None:
            return self.keys[exact], 0
        self.build()
        candidates = self._candidates(query, max_distance)
        keys = self.keys
        hits = rapid.process.extract(query, [keys[i] for i in candidates], scorer=rapid.OSA.distance,
                               score_cutoff=max_distance, limit=None)
        if not hits:
            return None
        _, distance, at = min(hits, key=lambda h: (h[1], candidates[h[2]]))
        return keys[candidates[at]], int(distance)

    def _candidates(self, query: str, k: int) -> list[int]:
        """Indices of every key that may be within k edits of `query` (some farther ones too).

        A key within k edits shares at least `t = len(padded trigrams) - 4k` trigram occurrences with
        the query, so at least `m` of the query's `4k + m` rarest: m = 2 when t allows (far fewer keys
        to score than with one), else 1.
        """
        low, high = len(query) - k, len(query) + k
        occurrences = Counter(_trigrams(query))
        shared = sum(occurrences.values()) - 4 * k
        if shared < 1:  # too short for the trigram bound: every key of a fitting length
            return [i for i in self._by_length if low <= len(self.keys[i]) <= high]
        windows = []
        for gram, count in occurrences.items():
            lo, hi = self._spans.get(gram, (0, 0))
            start, stop = bisect_left(self._lengths, low, lo, hi), bisect_right(self._lengths, high, lo, hi)
            windows.append((stop - start, count, start, stop))
        windows.sort(key=lambda w: w[0])
        m = min(shared, 2)
        need = 4 * k + m
        chosen = []
        for _, count, start, stop in windows:
            chosen.extend([self._ids[start:stop]] * count)
            need -= count
            if need <= 0:
                break
        if m == 1:
            return list(set().union(*chosen))
        seen: set[int] = set()
        twice: set[int] = set()  # keys in two of the chosen lists: set operations, no counting loop
        for window in chosen:
            found = set(window)
            twice |= seen & found
            seen |= found
        return list(twice)

    def similar(self, query: str) -> list[int]:
        """Positions of the keys worth scoring against `query` with a fuzzy scorer, ascending: all of
        them while the list is small, else the ones sharing most of its rarer trigrams."""
        if len(self.keys) <= EXHAUSTIVE:
            return list(range(len(self.keys)))
        self.build()
        spans = sorted((self._spans.get(g, (0, 0)) for g in set(_trigrams(query))), key=lambda ab: ab[1] - ab[0])
        lists = [self._ids[a:b] for a, b in spans]
        read = 0
        for n, ids in enumerate(lists):  # the rarest trigrams, up to a budget: they tell names apart best
            read += len(ids)
            if n and read > SIMILAR_READ:
                lists = lists[:n]
                break
        counts = Counter(chain.from_iterable(lists))
        best = {i for i, _ in counts.most_common(SIMILAR_CANDIDATES)}
        inside = (self._position.get(query[i:j]) for i in range(len(query)) for j in range(i + 1, len(query) + 1))
        return sorted(best.union(i for i in inside if i is not None))  # short keys inside the query score high


__all__ = ["EXHAUSTIVE", "FuzzyIndex"]
