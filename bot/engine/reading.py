"""Reading a question once: its sentence, tokens, concepts, names and what it asks for, in one `Question`."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import msgspec
from msgspec.structs import replace

from bot.engine.english import is_english
from bot.engine.names import Entity, Mention
from bot.engine.text import STOPWORDS, normalize, words

if TYPE_CHECKING:
    from bot.engine.core import Engine

_SENTENCES = re.compile(r"(?<=[.!?;:])\s+|\s+-+\s+|,?\s+(?:but|anyway|anyways)\s+(?=(?:who|what|whats|where|when|how|"
                        r"which|why|did|does|is|are|was|can|tell)\b)", re.IGNORECASE)
ANSWER_TYPES = {"who": "person", "where": "place", "when": "date", "how_many": "number"}
_WHATS = re.compile(r"\s*what['’]s\b", re.IGNORECASE)


class Question(msgspec.Struct, frozen=True):
    """A question as read: every handler reads this, nothing tokenises the text again."""

    text: str  # the question's own sentence, as typed
    tokens: tuple[str, ...]
    concepts: dict[str, list[tuple[int, int]]]
    mentions: tuple[Mention, ...]
    ambiguous: tuple[Entity, ...] = ()  # people a shared name part ("park") may mean
    before: str = ""  # chat before the question in the same line ("craving thai food lol.")
    carried: tuple[str, ...] = ()  # entity ids taken from the conversation, not the text
    excluded: tuple[str, ...] = ()  # words after "besides", "except", "other than": not what is asked
    figure_ids: tuple[str, ...] = ()  # the kinds of figure the knowledge base has
    inherited: bool = False  # what it asks comes from the conversation ("and deaths?", "what about laos?")
    seen: tuple[str, ...] = ()  # answers already given to other parts of the same line
    translated: frozenset[int] = frozenset()  # positions of words of another language the glossary read
    english: tuple[str, ...] = ()  # their English words, searched for instead

    def has(self, *concepts: str) -> bool:
        """True when any of these concepts is in the question."""
        return any(c in self.concepts for c in concepts)

    def first(self, concept: str) -> int | None:
        """The token position where a concept first stands."""
        spans = self.concepts.get(concept)
        return min(s for s, _ in spans) if spans else None

    def of_kind(self, *kinds: str) -> list[Entity]:
        """Entities of these kinds named in the question, in order, each once."""
        return list(dict.fromkeys(m.entity for m in self.mentions if m.entity.kind in kinds))

    @property
    def asks(self) -> tuple[str, ...]:
        """The expected answer types, in the order the question asks them: person, place, date, number."""
        found = sorted((self.first(c) or 0, t) for c, t in ANSWER_TYPES.items() if c in self.concepts)
        return tuple(t for _, t in found)

    @property
    def figures(self) -> tuple[str, ...]:
        """The kinds of figure asked for, in question order ("active cases" is active, not confirmed)."""
        found = [(self.first(f) or 0, f) for f in self.figure_ids if f in self.concepts]
        kinds = [f for _, f in sorted(found)]
        for a, b in [(a, b) for a in kinds for b in kinds if a != b]:
            if a in kinds and b in kinds and all(any(s == e0 or (s0 <= s and e <= e0) for s0, e0 in self.concepts[a])
                                                 for s, e in self.concepts[b]):
                kinds.remove(b)  # "active cases", "kes aktif": the word for one kind qualifies the other's
        return tuple(kinds)

    @property
    def named_words(self) -> set[str]:
        """The words the question's mentions stand on ("viet", "nam" for a mention of Vietnam)."""
        return {self.tokens[i] for m in self.mentions for i in range(m.start, min(m.end, len(self.tokens)))}

    @property
    def content(self) -> list[str]:
        """The question's content words: no stop words, question words or fillers."""
        return [t for t in self.tokens if t not in STOPWORDS]


def sentences(text: str) -> list[str]:
    """The line's sentences ("thank u. how many died?" -> two)."""
    return [s for s in _SENTENCES.split(text) if s.strip()]


def read(eng: Engine, line: str) -> Question:
    """Read a line into a `Question`: the question sentence, with chat before it set aside."""
    parts = sentences(line)
    text, before = line, ""
    if len(parts) > 1:
        asking = [i for i, p in enumerate(parts) if p.rstrip().endswith("?") or _asks(eng, p)]
        i = asking[-1] if asking else 0  # nothing asks ("daily testing: indonesia vs the philippines"): one line
        head = " ".join(parts[:i])
        if i > 0 and _worth_keeping(eng, head):
            i = 0  # "Thailand: how many cases?" is one question
        text, before = " ".join(parts[i:]), head if i else ""
    return read_sentence(eng, text, before)


def read_sentence(eng: Engine, text: str, before: str = "") -> Question:
    """Read one sentence."""
    lex = eng.lexicon
    found = eng.names.mentions(text)
    named = {i for m in found for i in range(m.start, m.end)}
    tokens = lex.spell(words(text), lambda i, t: i in named or eng.names.knows(t) or is_english(t))
    concepts = lex.scan(tokens, normalize(text))
    if _WHATS.match(text) and "define" not in concepts:  # "what's X": the tokens lost the 's
        concepts["define"] = [(0, 1)]
    person_spans = {i for m in found if m.entity.kind == "person" for i in range(m.start, m.end)}
    if "quote" in concepts:  # "the state counselor" names someone; it does not ask what was stated
        concepts["quote"] = [(a, b) for a, b in concepts["quote"] if not set(range(a, b)) <= person_spans]
        if not concepts["quote"]:
            del concepts["quote"]
    set_aside = concepts.get("besides", [])  # "besides india", "other than test kits": not what is asked
    mentions = _subjects(found, {end for _, end in set_aside})
    named_people = {m.entity.id for m in mentions if m.entity.kind == "person"}
    ambiguous: list[Entity] = []
    for i, tok in enumerate(tokens):
        ids = eng.names.shared.get(tok)
        if ids and not named_people & set(ids) and _names_someone(text, tokens, i):
            ambiguous.extend(eng.names.entities[pid] for pid in ids)
    after = min((end for _, end in set_aside), default=None)
    excluded = [t for t in tokens[after : after + 3] if t not in STOPWORDS] if after is not None else []
    translated, english = lex.translate(tokens, normalize(text))
    return Question(text=text, tokens=tuple(tokens), concepts=concepts, mentions=tuple(mentions),
                    ambiguous=tuple(dict.fromkeys(ambiguous)), before=before, excluded=tuple(excluded),
                    figure_ids=lex.figure_ids, translated=frozenset(translated), english=tuple(english))


def _asks(eng: Engine, sentence: str) -> bool:
    toks = words(sentence)
    found = eng.lexicon.scan(toks, normalize(sentence))
    return any(c in found for c in (*ANSWER_TYPES, "what", "which", "define", "quote", "envoy",
                                    *eng.lexicon.figure_ids))


def _worth_keeping(eng: Engine, head: str) -> bool:
    """True when the text before the question is only a name or two ("Thailand:"), not chat."""
    toks = [t for t in words(head) if t not in eng.lexicon.filler_words]
    if not toks or len(toks) > 3:
        return False
    covered = {i for m in eng.names.mentions(head, fuzzy=False) for i in range(m.start, m.end)}
    return len(covered) >= len(words(head)) - 1 and bool(covered)


def _subjects(mentions: list[Mention], set_aside: set[int]) -> list[Mention]:
    """Mentions the question is about: not those right after a word that sets them aside ("besides india")."""
    return [m for m in mentions if m.start not in set_aside]


def _names_someone(text: str, tokens: list[str], i: int) -> bool:
    """A shared name part names a person when capitalised, or right after "who is", "did", "by", "about"."""
    raw = re.search(rf"\b{re.escape(tokens[i])}\b", text, re.IGNORECASE)
    if raw and raw.group(0)[:1].isupper() and i > 0:
        return True
    prev = tokens[max(0, i - 2) : i]
    return bool(prev) and (prev[-1] in {"is", "was", "did", "does", "by", "about", "from", "mr", "ms"}
                           or prev == ["who", "s"])


def with_entities(q: Question, entities: list[Entity]) -> Question:
    """The question with entities from the conversation added as mentions of its own (empty spans)."""
    end = len(q.tokens)
    extra = tuple(Mention(e, end, end) for e in entities)
    return replace(q, mentions=(*q.mentions, *extra), carried=tuple(e.id for e in entities))


def with_concepts(q: Question, concepts: list[str]) -> Question:
    """The question with concepts from the conversation added ("and deaths?" keeps "how many")."""
    end = len(q.tokens)
    merged = dict(q.concepts)
    for c in concepts:
        merged.setdefault(c, [(end, end)])
    return replace(q, concepts=merged)


__all__ = ["ANSWER_TYPES", "Question", "read", "read_sentence", "sentences", "with_concepts", "with_entities"]
