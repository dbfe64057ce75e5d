"""Text normalisation, tokens and stems shared by every index."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import Stemmer

_FOLD = str.maketrans({
    "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "`": "'", "\u00b4": "'",
    "\u201c": '"', "\u201d": '"', "\u201e": '"',
    "\u0111": "d", "\u0110": "d",  # Vietnamese đ has no decomposition
    "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-",
})
_INVISIBLE = re.compile(r"[\u200b-\u200f\u202a-\u202e\u2060-\u2069\ufeff\u00ad]")
_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+")
_POSSESSIVE = re.compile(r"'s\b")
_THOUSANDS = re.compile(r"(?<=\d),(?=\d{3}\b)")
_STEMMER = Stemmer.Stemmer("english")

_STOP = """
a about above after again against all am an and any are as at be because been before being below between both
but by can could did do does doing down during each few for from further had has have having he her here hers
him his how i if in into is it its itself just me more most my no nor not now of off on once only or other our
ours out over own same she should so some such than that the their theirs them then there these they this those
through to too under until up very was we were what when where which while who whom whose why will with would
you your yours also according article say said says tell please much many get got
"""
STOPWORDS = frozenset(_STOP.split())


def normalize(text: str) -> str:
    """Casefold, fold typographic quotes and dashes, drop accents and invisible characters."""
    if text.isascii():
        return text.lower()
    text = unicodedata.normalize("NFKC", text).translate(_FOLD)
    text = _INVISIBLE.sub("", text)
    return "".join(_fold_latin(c) for c in text).casefold()


@lru_cache(maxsize=4096)
def _fold_latin(c: str) -> str:
    """A Latin letter without its accents ("ệ" -> "e"); letters of other scripts keep their marks, which
    are letters there (Thai vowels, Khmer subscripts), and Hangul stays composed."""
    if c.isascii() or not ("\u00c0" <= c <= "\u024f" or "\u1e00" <= c <= "\u1eff" or unicodedata.combining(c)):
        return c
    return "".join(d for d in unicodedata.normalize("NFKD", c) if not unicodedata.combining(d))


def words(text: str) -> list[str]:
    """Lower-case word and number tokens, without possessive 's; numbers lose their thousands separators."""
    return list(_words(text)) if len(text) <= 64 else list(_tokens(text))


@lru_cache(maxsize=16384)
def _words(text: str) -> tuple[str, ...]:
    """`words` of a short text (names, single words), remembered: questions name the same few things."""
    return _tokens(text)


def _tokens(text: str) -> tuple[str, ...]:
    out = []
    for tok in _TOKEN.findall(_POSSESSIVE.sub("", normalize(text).replace("\\$", "$"))):
        if "," in tok:
            tok = _THOUSANDS.sub("", tok)
        out.append(tok)
    return tuple(out)


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """The Snowball (Porter2) English stem of a lower-case word; numbers stay as they are."""
    if word[0].isdigit():
        return word
    return str(_STEMMER.stemWord(word))


def terms(text: str) -> list[str]:
    """Stems of the content words of `text` (stop words dropped), for indexing and querying."""
    return [stem(w) for w in words(text) if w not in STOPWORDS]


def clip(text: str, limit: int, placeholder: str = "…") -> str:
    """`text` if it fits in `limit` characters, else its longest run of whole words that fits, plus `placeholder`."""
    if len(text) <= limit:
        return text
    room = max(0, limit - len(placeholder))
    cut = text.rfind(" ", 0, room + 1)
    return text[: cut if cut > 0 else room].rstrip(" ,;:") + placeholder
