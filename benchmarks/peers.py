"""Retrieval peers the engine is measured against: SQLite FTS5 with `bm25()` and bm25s, each at top-1 and top-3.

Both index the article's paragraphs (`kb.article.sections[*].paragraphs[*].text`), nothing else: no facts, no
figures, no commands. A peer's answer to a line is the text of the paragraph(s) it ranks first, joined by
newlines; a line that is a command (`!who Eric Teo`) is searched as the words after the `!`, command word
included. FTS5 (stdlib `sqlite3`) tokenises with `porter unicode61` and is asked for any of the question's
words (`"w1" OR "w2" ...`, the engine's stopwords left out) ordered by `bm25(paragraphs)`. bm25s (the `bench`
extra) tokenises with its English stopwords and PyStemmer's English stemmer, method "lucene" (its default).
"""

from __future__ import annotations

import re
import sqlite3
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.engine.text import STOPWORDS
from bot.kb.loader import KnowledgeBase

_WORD = re.compile(r"\w+")


def paragraphs(kb: KnowledgeBase) -> list[str]:
    """The text of every paragraph of the article, in reading order."""
    return [p.text for s in kb.article.sections for p in s.paragraphs]


def search_text(line: str) -> str:
    """What a peer searches for: the line without a leading `!` or `/`."""
    return line.strip().lstrip("!/")


class Fts5:
    """An in-memory SQLite FTS5 table of the paragraphs, ranked by `bm25()`."""

    name = "FTS5"

    def __init__(self, texts: list[str]) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE paragraphs USING fts5(body, tokenize='porter unicode61')")
        self.db.executemany("INSERT INTO paragraphs(body) VALUES (?)", ((t,) for t in texts))
        self.db.commit()
        self._sql = "SELECT body FROM paragraphs WHERE paragraphs MATCH ? ORDER BY bm25(paragraphs) LIMIT ?"

    def search(self, line: str, k: int) -> list[str]:
        """The `k` best paragraphs for any of the line's words (none when it has no searchable word)."""
        words = dict.fromkeys(w for w in _WORD.findall(search_text(line).lower()) if w not in STOPWORDS)
        if not words:
            return []
        query = " OR ".join('"' + w.replace('"', '""') + '"' for w in words)
        return [row[0] for row in self.db.execute(self._sql, (query, k))]


class Bm25s:
    """A bm25s index of the paragraphs (English stopwords, PyStemmer's English stemmer)."""

    name = "bm25s"

    def __init__(self, texts: list[str]) -> None:
        import bm25s
        import Stemmer

        self._bm25s = bm25s
        self.stemmer = Stemmer.Stemmer("english")
        self.texts = texts
        self.retriever = bm25s.BM25()
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=self.stemmer, show_progress=False)
        self.retriever.index(tokens, show_progress=False)
        self.vocab = set(self.retriever.vocab_dict)

    def search(self, line: str, k: int) -> list[str]:
        """The `k` best paragraphs (none when no word of the line is in the index)."""
        tokens = self._bm25s.tokenize(search_text(line), stopwords="en", stemmer=self.stemmer, return_ids=False,
                                      show_progress=False)[0]
        tokens = [t for t in tokens if t in self.vocab]
        if not tokens:
            return []
        docs, scores = self.retriever.retrieve([tokens], k=min(k, len(self.texts)), show_progress=False)
        return [self.texts[int(i)] for i, s in zip(docs[0], scores[0], strict=True) if s > 0]


@dataclass
class Peer:
    """One peer at one depth: its name, how it answers a line, and what building it cost."""

    name: str
    answer: Callable[[str], str]
    build_s: float
    import_s: float
    rss_growth_mb: float


def build(kb: KnowledgeBase, resident_mb: Callable[[], float], skip: tuple[str, ...] = ()) -> list[Peer]:
    """FTS5 and bm25s (when installed), each at top-1 and top-3: build time, import time, RSS growth while built."""
    texts = paragraphs(kb)
    peers: list[Peer] = []
    kinds: list[tuple[str, Callable[[], Any]]] = [("FTS5", lambda: Fts5)]
    if "bm25s" not in skip:
        kinds.append(("bm25s", _import_bm25s))
    for name, load in kinds:
        t0 = time.perf_counter()
        try:
            cls = load()
        except ImportError:
            continue
        t1 = time.perf_counter()
        before = resident_mb()
        index = cls(texts)
        t2 = time.perf_counter()
        growth = resident_mb() - before
        for k in (1, 3):
            peers.append(Peer(f"{name} top-{k}", _answerer(index, k), t2 - t1, t1 - t0, growth))
    return peers


def _import_bm25s() -> type[Bm25s]:
    import bm25s  # noqa: F401  (the ImportError, when it is missing, is the caller's signal)

    return Bm25s


def _answerer(index: Fts5 | Bm25s, k: int) -> Callable[[str], str]:
    def answer(line: str) -> str:
        return "\n".join(index.search(line, k))

    return answer
