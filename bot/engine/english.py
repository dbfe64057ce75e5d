"""Ordinary English words, so that a question's "labs" or "brunch" is never corrected into a name.

The word lists (GCIDE and Webster's Second, lower-case, letters only) ship inside the `english-words`
wheel; they are loaded once, on the first near-miss lookup, not at start-up.
"""

from __future__ import annotations

from functools import cache

SUFFIXES = ("s", "es", "ed", "d", "ing", "er", "ers", "ly")


@cache
def _lexicon() -> frozenset[str]:
    from english_words import get_english_words_set

    return frozenset(get_english_words_set(["web2", "gcide"], lower=True, alpha=True))


def is_english(word: str) -> bool:
    """True when `word` (lower case) is an English word or a regular inflection of one ("labs", "hosted")."""
    known = _lexicon()
    if word in known:
        return True
    return any(word.endswith(s) and len(word) - len(s) >= 3 and word[: -len(s)] in known for s in SUFFIXES)
