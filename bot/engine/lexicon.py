"""The question vocabulary of a knowledge base, compiled once: concept phrases in every language, fillers,
what the article never gives, and small talk. Words match as token runs; phrases in scripts written
without spaces (Thai, Lao, Khmer, Burmese, Chinese) or with attached particles (Korean) match as substrings."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import msgspec

from bot.engine.fuzzy import FuzzyIndex
from bot.engine.text import normalize, words
from bot.kb.loader import KnowledgeBase
from bot.kb.models import SmallTalk

Phrase = tuple[str, ...]
TALK_WORDS = 12  # a longer line is a question, not small talk
SPELLED = 5  # a word this long may be a misspelt concept word ("represnted"); shorter ones are left alone


def is_spaced(phrase: str) -> bool:
    """True when the phrase is written in a script the tokenizer reads (Latin letters and digits)."""
    return all(c.isascii() or not c.isalpha() for c in normalize(phrase))


class Gap(msgspec.Struct, frozen=True):
    """Something the article never gives, and the phrases that ask for it; `now`: when asked about the present."""

    what: str
    phrases: frozenset[Phrase]
    now: bool = False


class Lexicon:
    """Concept phrases by first token (and unspaced ones as substrings), ready for scanning a question."""

    def __init__(self, kb: KnowledgeBase) -> None:
        vocab = kb.vocabulary
        sources: dict[str, list[str]] = {c: list(ws) for c, ws in vocab.concepts.items()}
        for figure in kb.figures:  # a kind of figure is a concept too: "deaths", "active"
            sources.setdefault(figure.id, []).extend([*figure.words, figure.noun])
        self.figure_ids = tuple(f.id for f in kb.figures)
        for lang in kb.languages:
            for concept, ws in lang.words.items():
                sources.setdefault(concept, []).extend(ws)
        self._starts: dict[str, list[tuple[Phrase, str]]] = {}
        self._unspaced: list[tuple[str, str]] = []  # (normalised phrase, concept)
        for concept, phrases in sources.items():
            for phrase in phrases:
                if is_spaced(phrase):
                    key = tuple(words(phrase))
                    if key:
                        self._starts.setdefault(key[0], []).append((key, concept))
                else:
                    self._unspaced.append((normalize(phrase).replace(" ", ""), concept))
        for entries in self._starts.values():
            entries.sort(key=lambda e: -len(e[0]))
        # other languages' words for the article's things, read as their English words for the search
        self._glossary: dict[str, list[tuple[Phrase, tuple[str, ...]]]] = {}
        self._glossary_unspaced: list[tuple[str, tuple[str, ...]]] = []
        for lang in kb.languages:
            for said, english in lang.glossary.items():
                target = tuple(words(english))
                if is_spaced(said):
                    key = tuple(words(said))
                    if key and target:
                        self._glossary.setdefault(key[0], []).append((key, target))
                elif target:
                    self._glossary_unspaced.append((normalize(said).replace(" ", ""), target))
        for glossed in self._glossary.values():
            glossed.sort(key=lambda e: -len(e[0]))
        self._glossary_unspaced.sort(key=lambda e: -len(e[0]))
        self.fillers = _phrases(vocab.fillers)
        asking = [w for c in ("who", "what", "where", "when", "how_many", "which", "why", "auxiliary")
                  for w in vocab.concepts.get(c, ()) if is_spaced(w)]
        joiners = [re.escape(j) for j in vocab.joiners if is_spaced(j)]
        # "who hosted it and who sponsored it", "X + how many Y": a joiner before a question word starts a part
        self._parts = re.compile(r"\s*(?:,\s*)?(?:\b(?:" + "|".join(joiners or ["and"]) + r")\b|[+&])\s*(?=(?:"
                                 + "|".join(sorted(map(re.escape, asking), key=len, reverse=True) or ["who"])
                                 + r")\b)", re.IGNORECASE)
        self.gaps = tuple(Gap(g.what, _phrases(g.words), g.now) for g in vocab.not_covered)
        self._gap_starts: dict[str, list[tuple[Phrase, Gap]]] = {}
        for g in self.gaps:
            for asked in g.phrases:
                self._gap_starts.setdefault(asked[0], []).append((asked, g))
        self.talk_aliases = {k: tuple(words(v)) for k, v in vocab.talk_aliases.items()}
        filler_words = frozenset(w for item in vocab.fillers if len(p := words(item)) == 1 for w in p)
        self.glue = frozenset(w for item in vocab.talk_glue for w in words(item))
        self.small_talk: dict[Phrase, SmallTalk] = {}
        for entry in vocab.small_talk:
            for phrase in entry.phrases:
                plain = tuple(w for w in words(phrase) if w not in self.glue)
                aliased = tuple(w for t in plain for w in self.talk_aliases.get(t, (t,)))
                for key in (plain, aliased):  # and without fillers, as lines are read: "thank you so much"
                    bare = tuple(t for t in key if t not in filler_words) or key
                    for k in (key, bare):
                        self.small_talk.setdefault(k or (phrase,), entry)
        self.talk_concepts = {e.concept: e for e in vocab.small_talk if e.concept}
        # the names of the languages it reads, so "can you speak korean" is small talk
        self.language_words = frozenset(w for lang in kb.languages for w in words(lang.name)) | {"english"}
        self.requests = sorted(_phrases(vocab.requests), key=len, reverse=True)
        self.filler_words = frozenset(p[0] for p in self.fillers if len(p) == 1)
        self.concept_words = {c: frozenset(w for p in ps if is_spaced(p) for w in words(p))
                              for c, ps in sources.items()}
        self._words_of: dict[tuple[str, ...], frozenset[str]] = {}
        self._spelling = FuzzyIndex(sorted({w for ws in self.concept_words.values() for w in ws
                                            if len(w) >= SPELLED and not w.isdigit()}))
        self.as_reported = vocab.as_reported
        self.which_one = vocab.which_one

    def warm(self) -> None:
        """Make now what the first misspelt concept word would make (the concept words' trigram index)."""
        self._spelling.warm()

    def words_of(self, *concepts: str) -> frozenset[str]:
        """The words of these concepts' phrases, together (worked out once per set of concepts)."""
        found = self._words_of.get(concepts)
        if found is None:
            found = self._words_of[concepts] = frozenset().union(*(self.concept_words.get(c, ()) for c in concepts))
        return found

    def spell(self, tokens: Sequence[str], known: Callable[[int, str], bool]) -> list[str]:
        """The tokens with misspelt concept words set right ("who represnted laos" -> "represented"): a word
        `known` does not know, one edit from a concept word (two for a long word)."""
        out = list(tokens)
        for i, tok in enumerate(tokens):
            if len(tok) >= SPELLED and not tok.isdigit() and not known(i, tok):
                hit = self._spelling.closest(tok, 1 if len(tok) < 8 else 2)
                if hit:
                    out[i] = hit[0]
        return out

    def scan(self, tokens: list[str], folded: str) -> dict[str, list[tuple[int, int]]]:
        """Concept -> token spans where a phrase of it stands (unspaced phrases: the empty span at the end)."""
        found: dict[str, list[tuple[int, int]]] = {}
        for i, tok in enumerate(tokens):
            for phrase, concept in self._starts.get(tok, ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    found.setdefault(concept, []).append((i, i + len(phrase)))
        if self._unspaced and not folded.isascii():
            squeezed = folded.replace(" ", "")
            for text, concept in self._unspaced:
                if text in squeezed:
                    found.setdefault(concept, []).append((len(tokens), len(tokens)))
        return found

    def translate(self, tokens: list[str], folded: str) -> tuple[set[int], list[str]]:
        """The token positions of other languages' words for the article's things, and their English words."""
        spans: set[int] = set()
        english: list[str] = []
        i = 0
        while i < len(tokens):
            for phrase, target in self._glossary.get(tokens[i], ()):
                if tuple(tokens[i : i + len(phrase)]) == phrase:
                    spans.update(range(i, i + len(phrase)))
                    english.extend(target)
                    i += len(phrase) - 1
                    break
            i += 1
        if self._glossary_unspaced and not folded.isascii():
            squeezed = folded.replace(" ", "")
            for text, target in self._glossary_unspaced:
                if text in squeezed:
                    squeezed = squeezed.replace(text, " ")
                    english.extend(target)
        return spans, english

    def talk(self, tokens: list[str]) -> SmallTalk | None:
        """The small-talk entry a line is, fillers aside ("hi bot", "ok thanks!"), if it is one."""
        if len(tokens) > TALK_WORDS:
            return None
        plain = [t for t in tokens if t not in self.glue] or tokens
        tokens = [w for t in plain for w in self.talk_aliases.get(t, (t,))]
        found = self._talk(tokens) or self._talk(plain)  # "who built this bot" is "who built you"; "gm bot" is "gm"
        if found is not None:
            return found
        for phrase in self.requests:  # "give me the tl;dr", "summarize it in one sentence"
            n = len(phrase)
            i = next((i for i in range(len(tokens) - n + 1) if tuple(tokens[i : i + n]) == phrase), None)
            if i is not None and len(tokens) > n:
                tokens = tokens[:i] + tokens[i + n :]
        return self._talk(tokens)

    def split_parts(self, text: str) -> list[str]:
        """The parts of a double question, split before a joiner that a question word follows."""
        return self._parts.split(text)

    def opening_talk(self, tokens: list[str]) -> SmallTalk | None:
        """A small-talk entry that may open a longer line ("tell me a joke about ..."), when the line starts so."""
        plain = [w for t in tokens if t not in self.glue and t not in self.filler_words
                 for w in self.talk_aliases.get(t, (t,))]
        for start in range(min(len(plain), 3)):  # "whats ur fav ...": a word or two may come first
            for n in range(min(len(plain) - start, 6), 0, -1):
                entry = self.small_talk.get(tuple(plain[start : start + n]))
                if entry is not None and entry.opens:
                    return entry
        return None

    def _talk(self, tokens: list[str]) -> SmallTalk | None:
        """The line read as small-talk phrases one after another, fillers between them ("lol thx", "hi, what can
        you do"): the entry of the last phrase, when nothing else is left."""
        rest = [t for t in tokens if t not in self.filler_words and t not in self.language_words]
        if not rest:  # "yo bot": only fillers, but one of them is a phrase of its own
            rest = [t for t in tokens if (t,) in self.small_talk] or tokens
        entry: SmallTalk | None = None
        i = 0
        while i < len(rest):
            for j in range(len(rest), i, -1):
                found = self.small_talk.get(tuple(rest[i:j]))
                if found is not None:
                    entry, i = found, j
                    break
            else:
                return None
        return entry

    def gap(self, tokens: list[str]) -> tuple[Gap, Phrase] | None:
        """What the question asks for that the article never gives, and the phrase asking it, if any."""
        found = [(self.gaps.index(g), i, phrase, g) for i, tok in enumerate(tokens)
                 for phrase, g in self._gap_starts.get(tok, ()) if tuple(tokens[i : i + len(phrase)]) == phrase]
        if not found:
            return None
        _, _, phrase, g = min(found, key=lambda f: (f[0], f[1]))
        return g, phrase


def _phrases(items: list[str]) -> frozenset[Phrase]:
    return frozenset(p for item in items if (p := tuple(words(item))))


__all__ = ["Gap", "Lexicon", "is_spaced"]
