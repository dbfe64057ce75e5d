"""Ordinary English words, so that a question's "labs" or "brunch" is never corrected into a name.

The word lists (GCIDE and Webster's Second, lower-case, letters only) ship inside the `english-words`
wheel as pickled sets of some 260,000 strings, which take a quarter of a second to load. They are read
from there once, and kept in the cache folder as one sorted block of bytes and an array of where each
word starts (`Words`): two buffers, which load in a millisecond and are searched by bisection.
"""

from __future__ import annotations

import pickle
from array import array
from collections.abc import Iterable
from contextlib import suppress
from functools import cache, lru_cache
from pathlib import Path

SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")
SOURCES = ("web2", "gcide")
FORMAT = 1  # of the saved copy: a new layout gets a new file


class Words:
    """A set of words as one sorted block of bytes, each word followed by a newline, and their offsets."""

    def __init__(self, words: Iterable[str]) -> None:
        ordered = sorted({w.encode() for w in words})
        self.blob = b"".join(w + b"\n" for w in ordered)
        self.starts = array("I")
        at = 0
        for w in ordered:
            self.starts.append(at)
            at += len(w) + 1

    def __len__(self) -> int:
        return len(self.starts)

    def __contains__(self, word: object) -> bool:
        if not isinstance(word, str) or "\n" in word:
            return False
        key, blob, starts = word.encode(), self.blob, self.starts
        last = len(starts) - 1
        lo, hi = 0, len(starts)
        while lo < hi:
            mid = (lo + hi) // 2
            end = starts[mid + 1] - 1 if mid < last else len(blob) - 1
            if blob[starts[mid]:end] < key:
                lo = mid + 1
            else:
                hi = mid
        if lo > last:
            return False
        end = starts[lo + 1] - 1 if lo < last else len(blob) - 1
        return blob[starts[lo]:end] == key


def _data_files() -> list[Path]:
    """The `english-words` wheel's data files for our lists, found without importing the package (its import
    brings importlib.resources, tempfile and random with it)."""
    from importlib.util import find_spec

    spec = find_spec("english_words")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("english_words")
    data = Path(spec.origin).parent / "data"
    return [data / f"{name}_alpha_lower.pickle" for name in SOURCES]


def _from_wheel() -> Words:
    from english_words import get_english_words_set

    return Words(get_english_words_set(list(SOURCES), lower=True, alpha=True))


@cache
def _lexicon() -> Words:
    from bot.engine.cachedir import cache_dir, files_key, write_atomically

    try:
        key = files_key(_data_files())
    except OSError:
        return _from_wheel()
    path = cache_dir() / f"english-{FORMAT}-{key}.pickle"
    try:
        words = pickle.loads(path.read_bytes())
        if isinstance(words, Words):
            return words
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass  # missing or unreadable: made again from the wheel
    words = _from_wheel()
    with suppress(OSError):  # a read-only cache folder: the lists are read from the wheel on every start
        write_atomically(path, pickle.dumps(words, protocol=pickle.HIGHEST_PROTOCOL))
    return words


@lru_cache(maxsize=1 << 16)
def is_english(word: str) -> bool:
    """True when `word` (lower case) is an English word or a regular inflection of one ("labs", "hosted");
    remembered per word, as a question's words come again and a look-up in the block is some microseconds."""
    known = _lexicon()
    if word in known:
        return True
    if any(word.endswith(s) and len(word) - len(s) >= 3 and word[: -len(s)] in known for s in SUFFIXES):
        return True
    if word.endswith(("ies", "ied")) and len(word) >= 6:
        return word[:-3] + "y" in known  # "facilities", "studied"
    for end in ("ing", "ed"):
        if word.endswith(end) and len(word) - len(end) >= 3:
            base = word[: -len(end)]  # "taking" from "take", "stopped" from "stop"
            return base + "e" in known or (base[-1] == base[-2] and base[:-1] in known)
    return False
