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

    def __init__(self, docs: Iterable[Doc]) -> None:
        self.docs = list(docs)
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

    def query_terms(self, text: str) -> list[str]:
        """Stems of the query's content words; an unknown word becomes its nearest known word."""
        out: list[str] = []
        for w in words(text):
            if w in STOPWORDS:
                continue
            t = stem(w)
            if t not in self._postings and len(w) >= 5 and not w.isdigit():
                hit = process.extractOne(w, self._word_list, scorer=OSA.distance, score_cutoff=1 if len(w) < 8 else 2)
                if hit:
                    t = self._words[hit[0]]
            out.append(t)
        return out

    def search(self, query: list[str], allowed: set[int] | None = None, kinds: set[str] | None = None,
               limit: int = 5) -> list[Hit]:
        """The best documents for these query terms, optionally only among `allowed` / `kinds`."""
        scores: dict[int, float] = {}
        matched: dict[int, float] = {}
        qset = Counter(query)
        total = sum(self.idf(t) for t in qset) or 1.0
        for term in qset:
            idf = self.idf(term)
            for i, tf in self._postings.get(term, ()):
                if allowed is not None and i not in allowed:
                    continue
                doc = self.docs[i]
                if kinds is not None and doc.kind not in kinds:
                    continue
                norm = tf * (K1 + 1) / (tf + K1 * (1 - B + B * len(doc.terms) / self._avg))
                scores[i] = scores.get(i, 0.0) + idf * norm
                matched[i] = matched.get(i, 0.0) + idf
        best = sorted(scores, key=lambda i: -scores[i])[:limit]
        return [Hit(self.docs[i], scores[i], matched[i] / total) for i in best]


def make_doc(kind: str, text: str, record: Any, section: str, paragraphs: Iterable[int],
             entities: Iterable[str], extra: str = "") -> Doc:
    """Build a document whose index terms are its text plus `extra` (names, keywords, headings)."""
    return Doc(kind, text, record, section, tuple(paragraphs), frozenset(entities), tuple(terms(f"{text} {extra}")))
