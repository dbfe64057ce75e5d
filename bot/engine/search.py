"""A small BM25 index over facts, quotes and paragraphs, with typo-tolerant query terms."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.engine.text import STOPWORDS, stem, terms, words

K1 = 1.4
B = 0.6
SYNONYM_DISCOUNT = 0.8
UNKNOWN_WEIGHT = 2.0


@dataclass(frozen=True, slots=True)
class Doc:
    """One searchable unit: `record` is the fact, quote or paragraph it stands for."""

    kind: str  # "fact", "quote", "paragraph" or "event"
    text: str
    record: Any
    section: str
    paragraphs: tuple[int, ...]
    entities: frozenset[str]
    terms: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Hit:
    """A scored document and the share of the query's weight it matched."""

    doc: Doc
    score: float
    coverage: float


class SearchIndex:
    """BM25 over documents; query words it does not know are corrected to close known words."""

    def __init__(self, docs: Iterable[Doc], synonyms: Iterable[list[str]] = ()) -> None:
        self.docs = list(docs)
        self._synonyms: dict[str, set[str]] = {}
        for group in synonyms:
            stems = {stem(w) for entry in group if len(ws := words(entry)) == 1 for w in ws}
            for t in stems:
                self._synonyms.setdefault(t, set()).update(stems - {t})
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for i, doc in enumerate(self.docs):
            for term, tf in Counter(doc.terms).items():
                self._postings.setdefault(term, []).append((i, tf))
        n = max(len(self.docs), 1)
        self._idf = {t: math.log(1 + (n - len(p) + 0.5) / (len(p) + 0.5)) for t, p in self._postings.items()}
        self._avg = sum(len(d.terms) for d in self.docs) / n or 1.0
        self._words = {w: stem(w) for d in self.docs for w in words(d.text) if w not in STOPWORDS}
        self._word_list = list(self._words)

    def idf(self, term: str) -> float:
        """Inverse document frequency (0 for an unknown term)."""
        return self._idf.get(term, 0.0)

    def query_terms(self, text: str) -> list[tuple[str, ...]]:
        """One slot per content word of the query: its stem first, then its synonyms' stems.

        A word the index does not know becomes its nearest known word (one or two edits).
        """
        out: list[tuple[str, ...]] = []
        for w in words(text):
            if w in STOPWORDS:
                continue
            t = stem(w)
            if t not in self._postings and len(w) >= 5 and not w.isdigit():
                hit = process.extractOne(w, self._word_list, scorer=OSA.distance, score_cutoff=1 if len(w) < 8 else 2)
                if hit:
                    t = self._words[hit[0]]
            out.append((t, *sorted(self._synonyms.get(t, ()))))
        return out

    def search(self, query: list[tuple[str, ...]], allowed: set[int] | None = None,
               kinds: set[str] | None = None, limit: int = 5) -> list[Hit]:
        """The best documents for these query slots, optionally only among `allowed` / `kinds`.

        Each slot scores by its best-matching alternative. Coverage is the share of the slots'
        weight a document matched; a word the article never uses weighs as a middling word, so a
        question about things the article lacks cannot look well covered.
        """
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        total = 0.0
        for slot in dict.fromkeys(query):
            weights = [self.idf(t) for t in slot]
            slot_weight = weights[0] or max(weights) or UNKNOWN_WEIGHT
            total += slot_weight
            best_in_slot: dict[int, tuple[float, float]] = {}
            for term, idf in zip(slot, weights, strict=True):
                discount = 1.0 if term == slot[0] else SYNONYM_DISCOUNT
                for i, tf in self._postings.get(term, ()):
                    if allowed is not None and i not in allowed:
                        continue
                    doc = self.docs[i]
                    if kinds is not None and doc.kind not in kinds:
                        continue
                    norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc.terms) / self._avg))
                    value = discount * idf * norm
                    if value > best_in_slot.get(i, (0.0, 0.0))[0]:
                        best_in_slot[i] = (value, discount * slot_weight)
            for i, (value, weight) in best_in_slot.items():
                scores[i] = scores.get(i, 0.0) + value
                matched[i] = matched.get(i, 0.0) + weight
        best = sorted(scores, key=lambda i: -scores[i])[:limit]
        return [Hit(self.docs[i], scores[i], matched[i] / (total or 1.0)) for i in best]


def make_doc(kind: str, text: str, record: Any, section: str, paragraphs: Iterable[int],
             entities: Iterable[str], extra: str = "") -> Doc:
    """Build a document whose index terms are its text plus `extra` (names, keywords, headings)."""
    return Doc(kind, text, record, section, tuple(paragraphs), frozenset(entities), tuple(terms(f"{text} {extra}")))
