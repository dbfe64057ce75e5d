"""Synthetic knowledge bases N times the real one, written as YAML and loaded by the real loader.

Copy 0 is the real knowledge base. Copies 1..N-1 are "other roundtables on the same theme": every
country, person and organisation gets a new id and a made-up name (each word of each name and alias
replaced by a made-up word of its own), and wherever a name stands in the article, a fact or a quote
it is renamed the same way; every section gets a new heading. Articles on one theme share words, not
sentences: each copy also swaps `SWAP_SHARE` of the article's ordinary words (covid, vaccine,
cooperation ...) for words of a made-up vocabulary drawn with Zipf's law (a few frequent, many rare),
(sometimes two words or none, so sentences vary in length), so no two copies have the same sentence
and posting lists have the lengths of a real collection: the theme's words grow with N, the long tail
does not. Topics, synonyms, the event and the gazetteer
are shared, not copied.
"""

from __future__ import annotations

import itertools
import json
import random
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from bot.engine.text import STOPWORDS
from bot.kb.article import parse_article, slugify
from bot.kb.yamlio import load_yaml

FILES = ("countries", "people", "organizations", "event", "topics", "facts", "quotes", "gazetteer", "synonyms",
         "profile")
NAMED = ("countries", "people", "organizations")
_WORD = re.compile(r"[A-Za-z]+")
SWAP_SHARE = 0.3  # of the ordinary words, replaced in each copy
VOCABULARY = 20_000  # size of the made-up vocabulary the replacements come from
_ONSETS = ("b", "ch", "d", "f", "g", "h", "j", "k", "kh", "l", "m", "n", "ng", "p", "ph", "r", "s", "sh", "t",
           "th", "tr", "v", "w", "y", "z", "")
_VOWELS = ("a", "e", "i", "o", "u", "ai", "ao", "ia", "oa", "ue", "ou", "ei")
_CODAS = ("", "", "", "n", "ng", "m", "k", "t", "r", "s", "l", "h")


class Words:
    """Made-up words, never repeated and never a word of the real knowledge base."""

    def __init__(self, taken: set[str], seed: int) -> None:
        self.taken = set(taken)
        self.rng = random.Random(seed)

    def new(self, like: str) -> str:
        """A fresh word, capitalised as `like` is (lower, Title or UPPER), about as long."""
        size = max(3, len(like))
        for attempt in itertools.count():
            word = ""
            while len(word) < size - 1 + attempt // 50:  # longer when the short ones run out
                word += self.rng.choice(_ONSETS) + self.rng.choice(_VOWELS) + self.rng.choice(_CODAS)
            if len(word) <= size + 2 + attempt // 50 and word not in self.taken:
                self.taken.add(word)
                break
        if like.isupper() and len(like) > 1:
            return word.upper()
        return word.capitalize() if like[:1].isupper() else word


def _names(data: dict[str, Any]) -> set[str]:
    """Every name, official name, alias and demonym of a country, person or organisation."""
    return {text for key in NAMED for rec in data[key][key]
            for text in (rec.get("name"), rec.get("official_name"), *rec.get("aliases", []), *rec.get("demonyms", []))
            if text}


def _renamable(word: str) -> bool:
    """Words of names that a copy renames: all but ordinary function words ("of", "the"; "WHO" is renamed)."""
    return word.isupper() or word.lower() not in STOPWORDS


def _phrase(r: float, picks: Iterator[str]) -> str:
    """A swapped word's replacement: usually one word, sometimes two or none (sentences vary in length)."""
    return next(picks) if r < 0.7 else f"{next(picks)} {next(picks)}" if r < 0.85 else ""


def _emit(value: Any, indent: int = 0) -> str:
    """Block-style YAML like the shipped files: mappings and lists of mappings in blocks, the rest in flow."""
    pad = " " * indent
    if isinstance(value, dict):
        lines = []
        for k, v in value.items():
            if (isinstance(v, list) and v and isinstance(v[0], dict)) or (isinstance(v, dict) and v and k != "source"):
                lines.append(f"{pad}{k}:\n{_emit(v, indent + 2)}")
            else:
                lines.append(f"{pad}{k}: {_flow(v)}")
        return "\n".join(lines)
    if isinstance(value, list):
        items = []
        for v in value:
            body = _emit(v, indent + 2) if isinstance(v, dict) else pad + "  " + _flow(v)
            items.append(f"{pad}- {body.lstrip()}")
        return "\n".join(items)
    return pad + _flow(value)


def _flow(value: Any) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return json.dumps(value, ensure_ascii=False)  # a JSON string is a YAML double-quoted scalar


class _Copy:
    """How one copy renames: names (word by word), ordinary words, ids and sections."""

    def __init__(self, n: int, words: dict[str, str], names: re.Pattern[str], swaps: dict[str, str],
                 sections: dict[str, str]) -> None:
        self.n, self.words, self.names, self.swaps, self.sections = n, words, names, swaps, sections

    def name(self, s: str) -> str:
        return _WORD.sub(lambda m: self.words.get(m.group(0), m.group(0)), s)

    def text(self, s: str) -> str:
        pieces = self.names.split(s)  # names (odd places) renamed word by word, other words maybe swapped
        return "".join(self.name(p) if i % 2 else _WORD.sub(self._swap, p) for i, p in enumerate(pieces))

    def _swap(self, m: re.Match[str]) -> str:
        w = m.group(0)
        new = self.swaps.get(w.lower())
        if new is None:
            return w
        return new.upper() if w.isupper() and len(w) > 1 else new.capitalize() if w[:1].isupper() else new

    def id(self, i: str | None) -> str | None:
        return None if i is None else f"{i}-c{self.n}"

    def source(self, src: dict[str, Any]) -> dict[str, Any]:
        return {**src, "section": self.sections[src["section"]]}


def _renamed(rec: dict[str, Any], c: _Copy, rng: random.Random) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for k, v in rec.items():
        if k in ("id", "envoy", "country", "organization", "speaker"):
            out[k] = c.id(v)
        elif k == "about":
            out[k] = [c.id(x) for x in v]
        elif k == "section":
            out[k] = c.sections[v]
        elif k == "source":
            out[k] = c.source(v)
        elif k == "stats":
            ranges = {"confirmed": 90000, "active": 9000, "deaths": 3000}
            values = {fid: rng.randint(0, ranges.get(fid, 9000)) for fid in v["values"]}
            out[k] = {**v, "values": values, "source": c.source(v["source"])}
        elif k in ("name", "official_name"):
            out[k] = c.name(v)
        elif k in ("aliases", "demonyms"):
            out[k] = [c.name(x) for x in v]
        elif k in ("text", "description", "context", "title"):
            out[k] = c.text(v)
        elif k == "keywords":
            out[k] = [c.text(x) for x in v]
        else:
            out[k] = v
    return out


def generate(src: Path, dest: Path, factor: int, seed: int = 1) -> dict[str, int]:
    """Write a knowledge base `factor` times the one in `src` to `dest`; returns record counts."""
    dest.mkdir(parents=True, exist_ok=True)
    data = {name: load_yaml((src / f"{name}.yaml").read_text(encoding="utf-8")) for name in FILES}
    markdown = (src / "article.md").read_text(encoding="utf-8")
    article = parse_article(markdown)
    names = sorted(_names(data), key=len, reverse=True)
    pattern = re.compile(r"(?<![A-Za-z])(" + "|".join(map(re.escape, names)) + r")(?![A-Za-z])")
    tokens = sorted({w for name in names for w in _WORD.findall(name) if _renamable(w)})
    words = Words({w.lower() for w in _WORD.findall(markdown)}, seed)
    rng = random.Random(seed)
    ordinary = sorted({w.lower() for w in _WORD.findall(markdown) if len(w) >= 4} - STOPWORDS
                      - {w.lower() for name in names for w in _WORD.findall(name)})
    pool = [words.new("x" * rng.randint(4, 10)) for _ in range(VOCABULARY)]
    zipf = list(itertools.accumulate(1 / (r + 1) ** 1.07 for r in range(VOCABULARY)))
    out = {key: list(data[key][key]) for key in ("countries", "people", "organizations", "facts", "quotes")}
    parts = [markdown.rstrip() + "\n"]
    for n in range(1, factor):
        mapping = {t: words.new(t) for t in tokens}
        swapped = [w for w in ordinary if rng.random() < SWAP_SHARE]
        picks = iter(rng.choices(pool, cum_weights=zipf, k=2 * len(swapped)))
        swaps = {w: _phrase(rng.random(), picks) for w in swapped}
        sections = {s.id: "" for s in article.sections}
        copy = _Copy(n, mapping, pattern, swaps, sections)
        for s in article.sections:
            heading = f"{copy.text(s.heading)} ({n})"
            sections[s.id] = slugify(heading)
            paras = "\n\n".join(copy.text(p.text) for p in s.paragraphs)
            parts.append(f"## {heading}\n\n{paras}\n")
        for key in out:
            out[key].extend(_renamed(rec, copy, rng) for rec in data[key][key])
    (dest / "article.md").write_text("\n".join(parts), encoding="utf-8")
    for name in FILES:
        body = {name: out[name]} if name in out else data[name]
        (dest / f"{name}.yaml").write_text(_emit(body) + "\n", encoding="utf-8")
    counts = {key: len(v) for key, v in out.items()}
    counts["paragraphs"] = factor * len(article.paragraphs())
    return counts



def main(argv: list[str] | None = None) -> int:
    """`python -m benchmarks.synth DEST FACTOR`: write a synthetic knowledge base, print its counts as JSON."""
    import argparse
    import sys

    from bot.kb.loader import default_knowledge_dir

    p = argparse.ArgumentParser(description=main.__doc__)
    p.add_argument("dest", type=Path)
    p.add_argument("factor", type=int)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    counts = generate(default_knowledge_dir(), args.dest, args.factor, args.seed)
    json.dump(counts, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
