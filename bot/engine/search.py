"""A small BM25 index over facts, quotes and paragraphs, with typo-tolerant query terms."""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Collection, Iterable
from typing import Any

import msgspec

from bot.engine.fuzzy import FuzzyIndex
from bot.engine.text import STOPWORDS, stem, terms, words

K1 = 1.4
B = 0.6
SYNONYM_DISCOUNT = 0.8
UNKNOWN_WEIGHT = 2.0
SLOTS_KEPT = 50_000  # query words whose slots are kept; the memo starts again past this
MEMO_KEY = 64  # the longest word whose slot is kept


class Doc(msgspec.Struct, frozen=True):
    """One searchable unit: `record` is the fact, quote or paragraph it stands for."""

    kind: str  # "fact", "quote", "paragraph" or "event"
    text: str
    record: Any
    section: str
    paragraphs: tuple[int, ...]
    entities: frozenset[str]
    terms: tuple[str, ...]


class Hit(msgspec.Struct, frozen=True):
    """A scored document and the share of the query's weight it matched."""

    doc: Doc
    score: float
    coverage: float


class SearchIndex:
    """BM25 over documents; query words it does not know are corrected to close known words.

    Postings are kept per document kind, each list ordered by its BM25 term weight (highest first),
    so a search reads only as far down a long list as could still change its top results
    (see `search`). Results are exactly those of scoring every document.
    """

    def __init__(self, docs: Iterable[Doc], synonyms: Iterable[list[str]] = ()) -> None:
        self.docs = list(docs)
        self._synonyms: dict[str, set[str]] = {}
        for group in synonyms:
            stems = {stem(w) for entry in group if len(ws := words(entry)) == 1 for w in ws}
            for t in stems:
                self._synonyms.setdefault(t, set()).update(stems - {t})
        n = max(len(self.docs), 1)
        self._avg = sum(len(d.terms) for d in self.docs) / n or 1.0
        lists: dict[str, dict[str, list[tuple[float, int]]]] = {}
        df: Counter[str] = Counter()
        self._about: dict[str, set[int]] = {}
        self._kinds: dict[str, list[int]] = {}
        # worked out per document on first use, and not kept in a saved copy (it loads faster without them)
        self._weights: dict[int, dict[str, float]] = {}  # document -> term -> BM25 weight
        self._said: dict[int, frozenset[str]] = {}  # document -> its words as written
        for i, doc in enumerate(self.docs):
            self._kinds.setdefault(doc.kind, []).append(i)
            for e in doc.entities:
                self._about.setdefault(e, set()).add(i)
            for term, weight in self._weigh(i).items():
                lists.setdefault(term, {}).setdefault(doc.kind, []).append((-weight, i))
                df[term] += 1
        self._idf = {t: math.log(1 + (n - m + 0.5) / (m + 0.5)) for t, m in df.items()}
        # every list is a span of two flat arrays (document positions, weights), so a copy loads fast
        self._postings: dict[str, dict[str, tuple[int, int]]] = {}
        self._ids = array("i")
        self._norms = array("d")
        for term, by_kind in lists.items():
            self._postings[term] = {}
            for kind, pairs in by_kind.items():
                pairs.sort()
                self._postings[term][kind] = (len(self._ids), len(self._ids) + len(pairs))
                self._ids.extend(i for _, i in pairs)
                self._norms.extend(-w for w, _ in pairs)
        self._descending = array("d", (-w for w in self._norms))  # negated: ascending in a list, for bisect
        self._words = {w: stem(w) for d in self.docs for w in words(d.text) if w not in STOPWORDS}
        self._known = FuzzyIndex(list(self._words))
        self._slots: dict[str, tuple[str, ...]] = {}  # query word -> its slot, see `_slot`

    def warm(self) -> None:
        """Make now what the first near-miss look-up would make (the known words' trigram index)."""
        self._known.warm()

    def idf(self, term: str) -> float:
        """Inverse document frequency (0 for an unknown term)."""
        return self._idf.get(term, 0.0)

    def uses(self, word: str) -> bool:
        """True when some document has the word, by its stem or a synonym's ("give" when it says "gave")."""
        t = stem(word)
        return t in self._idf or any(u in self._idf for u in self._synonyms.get(t, ()))

    def said(self, i: int) -> frozenset[str]:
        """The words of document `i` as written (not stemmed)."""
        said = self._said.get(i)
        if said is None:
            said = self._said[i] = frozenset(words(self.docs[i].text))
        return said

    def _weigh(self, i: int) -> dict[str, float]:
        """Document `i`'s BM25 weight of each of its terms."""
        weights = self._weights.get(i)
        if weights is None:
            terms = self.docs[i].terms
            weights = self._weights[i] = {t: _norm(tf, len(terms), self._avg) for t, tf in Counter(terms).items()}
        return weights

    def __getstate__(self) -> dict[str, object]:
        """The index for a saved copy: without what is worked out on first use."""
        state = dict(self.__dict__)
        state.update(_weights={}, _said={}, _slots={})
        return state

    def about(self, entity: str) -> set[int]:
        """Positions (in `docs`) of the documents about an entity."""
        return self._about.get(entity, set())

    def of_kind(self, kind: str) -> list[Doc]:
        """The documents of one kind, in index order."""
        return [self.docs[i] for i in self._kinds.get(kind, ())]

    def query_terms(self, text: str) -> list[tuple[str, ...]]:
        """One slot per content word of the query: its stem first, then its synonyms' stems.

        A word the index does not know becomes its nearest known word (one or two edits).
        """
        return [self._slot(w) for w in words(text) if w not in STOPWORDS]

    def _slot(self, word: str) -> tuple[str, ...]:
        """A word's query slot, worked out once per word (the index does not change)."""
        slot = self._slots.get(word)
        if slot is None:
            t = stem(word)
            if t not in self._idf and len(word) >= 5 and not word.isdigit():
                hit = self._known.closest(word, 1 if len(word) < 8 else 2)
                if hit:
                    t = self._words[hit[0]]
            slot = (t, *sorted(self._synonyms.get(t, ())))
            if len(word) <= MEMO_KEY:  # user text: only word-sized keys are kept
                if len(self._slots) >= SLOTS_KEPT:
                    self._slots.clear()
                self._slots[word] = slot
        return slot

    def reaches(self, query: list[tuple[str, ...]], kinds: Collection[str]) -> bool:
        """True when a document of these kinds has a term of the query: whether `search` finds anything there
        (every posting scores above 0), known without ranking."""
        return any(kind in self._postings.get(term, {}) for slot in query for term in slot for kind in kinds)

    def search(self, query: list[tuple[str, ...]], allowed: Collection[int] | None = None,
               kinds: Collection[str] | None = None, limit: int = 5) -> list[Hit]:
        """The best documents for these query slots, optionally only among `allowed` / `kinds`.

        Each slot scores by its best-matching alternative. Coverage is the share of the slots'
        weight a document matched; a word the article never uses weighs as a middling word, so a
        question about things the article lacks cannot look well covered. Equal scores keep the
        order in which the query first reaches the documents (slot, alternative, position).
        """
        slots: list[_Slot] = []
        total = 0.0
        for slot in dict.fromkeys(query):
            weights = [self.idf(t) for t in slot]
            slot_weight = weights[0] or max(weights) or UNKNOWN_WEIGHT
            total += slot_weight
            discounts = [1.0 if t == slot[0] else SYNONYM_DISCOUNT for t in slot]
            slots.append((slot, discounts, [d * w for d, w in zip(discounts, weights, strict=True)], slot_weight))
        kind_list = [k for k in self._kinds if kinds is None or k in kinds]
        if allowed is not None and len(allowed) * sum(len(s[0]) for s in slots) < self._reads(slots, kind_list):
            partial = {i: self._value(i, slots) for i in allowed if self.docs[i].kind in kind_list}
            partial = {i: v for i, v in partial.items() if v > 0}
        else:
            partial = self._candidates(slots, kind_list, limit, allowed)
        if limit > 0 and len(partial) > limit:  # scored in another order: keep near ties for the exact scores
            floor = _kth(partial, limit) - _EPS
            partial = {i: v for i, v in partial.items() if v >= floor}
        ranked = []
        for i in partial:
            score, matched, first = self._score(i, slots)
            ranked.append((-score, first, i, matched))
        ranked.sort()
        return [Hit(self.docs[i], -neg, matched / (total or 1.0)) for neg, _, i, matched in ranked[:limit]]

    def _score(self, i: int, slots: list[_Slot]) -> tuple[float, float, tuple[int, int]]:
        """A document's score and matched weight, summed slot by slot, and where the query first
        reaches it (slot, alternative): how the ranking orders equal scores."""
        weights = self._weigh(i)
        score = matched = 0.0
        first = (len(slots), 0)
        for s, (slot, discounts, factors, slot_weight) in enumerate(slots):
            best = (0.0, 0.0)
            for a, term in enumerate(slot):
                weight = weights.get(term)
                if weight:
                    value = factors[a] * weight
                    first = min(first, (s, a))
                    if value > best[0]:
                        best = (value, discounts[a] * slot_weight)
            if best[0]:
                score += best[0]
                matched += best[1]
        return score, matched, first

    def _reads(self, slots: list[_Slot], kinds: list[str]) -> int:
        """How many postings a full read of these slots would take."""
        return sum(span[1] - span[0] for slot in slots for term in slot[0]
                   for kind in kinds if (span := self._postings.get(term, {}).get(kind)))

    def _candidates(self, slots: list[_Slot], kinds: list[str], limit: int,
                    allowed: Collection[int] | None) -> dict[int, float]:
        """Every document that can be among the best `limit`, with its partial score (some that cannot
        be are there too), reading postings slot by slot, highest possible contribution first, and
        only as far as could still matter.

        After each slot, the `limit`-th best partial score is a floor the final top results reach;
        a document not yet seen needs this slot's value plus the most the remaining slots can add
        to reach it, so a list (ordered by value) is read only down to that point. Documents already
        seen get the rest of the slot's value from the rest of the list or from their own terms,
        whichever is less work, and the ones that can no longer reach the floor are dropped.
        """
        ids, norms, descending = self._ids, self._norms, self._descending
        lists = [[(factor, span) for term, factor in zip(slot, factors, strict=True) for kind in kinds
                  if (span := self._postings.get(term, {}).get(kind))] for slot, _, factors, _ in slots]
        if limit <= 0 or sum(b - a for found in lists for _, (a, b) in found) <= FULL_READ:
            return self._read_all(lists, allowed)
        bounds = [max((factor * norms[a] for factor, (a, _) in found), default=0.0) for found in lists]
        pruning = True
        theta = -math.inf  # a score `limit` documents are known to reach
        if pruning:  # the first documents of every list, scored in full, give a good one from the start
            heads = {i for found in lists for _, (a, b) in found for i in ids[a:min(b, a + HEADS)]}
            heads = heads if allowed is None else heads & set(allowed)
            theta = _kth({i: self._value(i, slots) for i in heads}, limit)
        rest = sum(bounds)
        acc: dict[int, float] = {}
        todo = set(range(len(slots)))
        while todo:
            # the slot with the fewest postings left to read above its floor (the shortest list once no new
            # document can make it): reading the long common-word lists last, when floors are high
            s = min(todo, key=lambda s: (self._above(lists[s], theta - (rest - bounds[s]) - _EPS), s))
            todo.remove(s)
            rest -= bounds[s]
            floor = theta - rest - _EPS
            values: dict[int, float] = {}
            unread = []
            for factor, (a, b) in lists[s]:
                n = b if floor == -math.inf else bisect_right(descending, -floor / factor, a, b)
                if n < b:
                    unread.append((factor, n, b))
                if n > a:
                    read = dict(zip(ids[a:n], map(factor.__mul__, norms[a:n]), strict=True))
                    if allowed is not None:
                        read = {i: v for i, v in read.items() if i in allowed}
                    _merge(values, read, max)
            if unread and acc:
                self._finish_slot(acc, values, unread, slots[s])
            _merge(acc, values, float.__add__)
            if pruning and len(acc) > limit:
                theta = max(theta, _kth(acc, limit))
                keep = theta - rest - _EPS
                if keep > 0:
                    acc = {i: v for i, v in acc.items() if v >= keep}
        return acc

    def _read_all(self, lists: list[list[tuple[float, tuple[int, int]]]],
                  allowed: Collection[int] | None) -> dict[int, float]:
        """Every document the lists reach, with its partial score: each slot's best alternative, summed."""
        ids, norms = self._ids, self._norms
        acc: dict[int, float] = {}
        for found in lists:
            values: dict[int, float] = {}
            for factor, (a, b) in found:
                read = dict(zip(ids[a:b], map(factor.__mul__, norms[a:b]), strict=True))
                for i in read.keys() & values.keys():  # a document two alternatives reach: the better one
                    read[i] = max(values[i], read[i])
                values.update(read)
            if not acc:
                acc = values
                continue
            for i, value in values.items():
                acc[i] = acc.get(i, 0.0) + value
        return acc if allowed is None else {i: v for i, v in acc.items() if i in allowed}

    def _above(self, found: list[tuple[float, tuple[int, int]]], floor: float) -> int:
        """How many postings of these lists have a value of at least `floor` (all of them when none can
        be added any more: then the lists are read only for documents already seen)."""
        if floor == -math.inf:
            return sum(b - a for _, (a, b) in found)
        above = sum(bisect_right(self._descending, -floor / factor, a, b) - a for factor, (a, b) in found)
        return above or sum(b - a for _, (a, b) in found)

    def _finish_slot(self, acc: dict[int, float], values: dict[int, float],
                     unread: list[tuple[float, int, int]], slot: _Slot) -> None:
        """Give the documents already seen (`acc`) this slot's value where the read stopped early."""
        missing = acc.keys() - values.keys()
        if sum(b - n for _, n, b in unread) < LOOKUP_COST * len(missing) * len(slot[0]):
            for factor, n, b in unread:
                for i, norm in zip(self._ids[n:b], self._norms[n:b], strict=True):
                    if i in missing:
                        value = factor * norm
                        if value > values.get(i, 0.0):
                            values[i] = value
        else:
            for i in missing:
                values[i] = self._slot_value(i, slot)

    def _value(self, i: int, slots: list[_Slot]) -> float:
        """What all the slots add to a document's score (`_slot_value` of each, summed in one pass)."""
        weights = self._weigh(i)
        total = 0.0
        for slot_terms, _, factors, _ in slots:
            best = 0.0
            for term, factor in zip(slot_terms, factors, strict=True):
                weight = weights.get(term)
                if weight:
                    best = max(best, factor * weight)
            total += best
        return total

    def _slot_value(self, i: int, slot: _Slot) -> float:
        """What one slot adds to a document's score."""
        weights = self._weigh(i)
        best = 0.0
        for term, factor in zip(slot[0], slot[2], strict=True):
            weight = weights.get(term)
            if weight:
                best = max(best, factor * weight)
        return best


_Slot = tuple[tuple[str, ...], list[float], list[float], float]  # terms, discounts, discount * idf, slot weight
_EPS = 1e-9  # partial sums add up in another order than final scores: keep a margin when pruning
FULL_READ = 1000  # postings: a search reading fewer reads them all rather than prune (at 100x, 4000 was 20% slower)
HEADS = 5  # the first documents of each list are scored in full first, for a floor to prune with
LOOKUP_COST = 8  # reading one posting costs about this much less than looking up one term of a document


def _norm(tf: int, length: int, avg: float) -> float:
    """BM25's saturated, length-normalised term frequency."""
    return tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / avg))


def _merge(into: dict[int, float], new: dict[int, float], combine: Callable[[float, float], float]) -> None:
    """Add `new` to `into`, combining the two values of a document in both (old value first); `new` is used up."""
    if into:
        for i in into.keys() & new.keys():
            new[i] = combine(into[i], new[i])
    into.update(new)


def _kth(acc: dict[int, float], k: int) -> float:
    """The k-th largest value, or -inf when there are fewer."""
    if len(acc) < k:
        return -math.inf
    return heapq.nlargest(k, acc.values())[-1]


def make_doc(kind: str, text: str, record: Any, section: str, paragraphs: Iterable[int],
             entities: Iterable[str], extra: str = "") -> Doc:
    """Build a document whose index terms are its text plus `extra` (names, keywords, headings)."""
    return Doc(kind, text, record, section, tuple(paragraphs), frozenset(entities), tuple(terms(f"{text} {extra}")))
