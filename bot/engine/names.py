"""Find countries, people and organisations by name: exact aliases, typos, partial names, demonyms."""

from __future__ import annotations

import re
from collections import Counter

import msgspec

from bot.engine import rapid
from bot.engine.english import is_english
from bot.engine.fuzzy import EXHAUSTIVE, FuzzyIndex
from bot.engine.lexicon import is_spaced
from bot.engine.text import STOPWORDS, normalize, words
from bot.kb.loader import KnowledgeBase

CONFIDENT = 86.0  # a fuzzy score at or above this, clear of the runner-up, is taken without asking
SUGGEST = 70.0  # at or above this a name is offered as "did you mean"
MARGIN = 4.0
MISSES_KEPT = 50_000  # near misses remembered; the memo starts again past this
MEMO_KEY = 64  # the longest key a memo of user words keeps


class Entity(msgspec.Struct, frozen=True):
    """Something with a name: kind is country, partner, person, organization, place or role."""

    id: str
    kind: str
    name: str


class Resolution(msgspec.Struct, frozen=True):
    """The outcome of looking up a name: a confident match, or candidates to offer."""

    entity: Entity | None
    score: float
    candidates: tuple[Entity, ...] = ()


class Mention(msgspec.Struct, frozen=True):
    """An entity named inside a question, at token positions [start, end)."""

    entity: Entity
    start: int
    end: int


def _typo_score(a: str, b: str) -> float:
    """94 for one edit (transpositions count once), 88 for two on longer names, else 0."""
    allowed = 1 if len(b) < 7 else 2
    d = rapid.OSA.distance(a, b, score_cutoff=allowed)
    return 100.0 - 6.0 * d if d <= allowed and min(len(a), len(b)) >= 4 else 0.0


_NAME_WORDS = re.compile(r"[^\W_]+")


def match_tier(typed: str, name: str) -> tuple[int, int] | None:
    """How well a name matches what was typed into an autocomplete box, lower first; None: no match.

    (0, 0) the name starts with it; (1, 0) one of its words does; (2, edits) a word (or the whole name)
    starts with a near miss of it, with the same first letter: one edit for up to five letters, two from
    six; fewer than three letters never match loosely.
    """
    key = " ".join(typed.casefold().split())
    low = " ".join(name.casefold().split())
    if not key:
        return (0, 0)
    if low.startswith(key):
        return (0, 0)
    parts = _NAME_WORDS.findall(low)
    if any(low[m.start():].startswith(key) for m in _NAME_WORDS.finditer(low)):
        return (1, 0)
    if len(key) < 3:
        return None
    allowed = 1 if len(key) < 6 else 2
    best = allowed + 1
    for word in (low, *parts):
        if word[:1] != key[:1]:
            continue  # a typo rarely hits the first letter: "won" is no "Long"
        for n in {len(key) - 1, len(key), len(key) + 1}:
            if 3 <= n <= len(word):
                best = min(best, rapid.OSA.distance(key, word[:n], score_cutoff=allowed + 1))
    return (2, best) if best <= allowed else None


def rank_names(typed: str, names: list[str], limit: int = 25) -> list[str]:
    """The names matching `typed` (see `match_tier`), best first; equally good ones keep their order."""
    tiers = [(tier, i) for i, name in enumerate(names) if (tier := match_tier(typed, name)) is not None]
    return [names[i] for _, i in sorted(tiers)][:limit]


class NameIndex:
    """Every alias of every entity, normalised to space-joined words."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.entities: dict[str, Entity] = {}
        self._aliases: dict[str, list[str]] = {}
        self._weak: set[str] = set()  # one-word person aliases: matched in prose only when capitalised
        self._unspaced: list[tuple[str, str]] = []  # names in scripts without spaces: (folded name, entity id)
        native: dict[str, list[str]] = {}
        for lang in kb.languages:
            for cid, names in lang.countries.items():
                native.setdefault(cid, []).extend(names)
        for c in kb.countries.values():
            kind = "country" if c.member else "partner"
            self._add(Entity(c.id, kind, c.name), [c.name, c.official_name, *c.aliases, *c.demonyms])
            for name in native.get(c.id, ()):
                if is_spaced(name):
                    self._add(self.entities[c.id], [name])
                elif (folded := normalize(name).replace(" ", "")) and (folded, c.id) not in self._unspaced:
                    self._unspaced.append((folded, c.id))
        self._unspaced.sort(key=lambda fe: -len(fe[0]))  # longest first: "เกาหลีใต้" before "เกาหลี"
        parts: dict[str, set[str]] = {}  # each word of each person's name -> the people it names
        for p in kb.people.values():
            for w in {w for name in (p.name, *p.aliases) for w in words(name)}:
                parts.setdefault(w, set()).add(p.id)
        # a name part several people share ("Park"): a question naming only it is ambiguous
        by_name: dict[str, set[str]] = {}  # words of the names themselves, not of aliases ("Ambassador Long")
        for p in kb.people.values():
            for w in words(p.name):
                by_name.setdefault(w, set()).add(p.id)
        self.shared = {w: tuple(sorted(ids)) for w, ids in by_name.items()
                       if len(ids) > 1 and len(w) >= 3 and w not in STOPWORDS}
        title_keys = {p.id: " ".join(words(p.title)) for p in kb.people.values() if p.title and "(" not in p.title}
        titles = Counter(title_keys.values())
        for p in kb.people.values():
            ent = Entity(p.id, "person", p.name)
            own = [w for w in words(p.name) if len(w) >= 4 and w not in STOPWORDS and parts[w] == {p.id}]
            # a title only one person holds, of two words or more, names them: "the seoul mayor", "the state counselor"
            key = title_keys.get(p.id, "")
            titled = [p.title] if " " in key and titles[key] == 1 else []
            self._add(ent, [p.name, *p.aliases, *own, *titled])  # a lone given or family name works too
            for alias in [*p.aliases, *own]:
                if len(words(alias)) == 1:
                    self._weak.add(" ".join(words(alias)))
        for o in kb.organizations.values():
            self._add(Entity(o.id, "organization", o.name), [o.name, *o.aliases])
        for place in kb.gazetteer.places:
            self._add(Entity(f"place:{place}", "place", place), [place])
        for role in kb.gazetteer.roles:
            self._add(Entity(f"role:{role}", "role", role), [role])
        self._keys = list(self._aliases)
        # roles are ordinary words ("health minister"): only an exact mention counts, never a near miss
        self._fuzzy_keys = [k for k in self._keys if any(self.entities[e].kind != "role" for e in self._aliases[k])]
        by_words: dict[int, list[str]] = {}  # near misses of words in a question, by words in the alias
        for k in self._fuzzy_keys:
            by_words.setdefault(k.count(" ") + 1, []).append(k)
        self._near = {n: FuzzyIndex(keys) for n, keys in sorted(by_words.items())}
        self._near_order = {k: i for i, k in enumerate(self._fuzzy_keys)}
        self._similar = FuzzyIndex(self._keys, similar_only=True)  # names worth scoring for a command argument
        self._key_kinds = [frozenset(self.entities[e].kind for e in self._aliases[k]) for k in self._keys]
        self._of_kinds: dict[frozenset[str], list[int]] = {}  # positions of the keys naming these kinds
        self._display: dict[frozenset[str], tuple[list[str], FuzzyIndex]] = {}  # autocomplete, per kinds
        self._last: tuple[str, bool, list[Mention]] | None = None  # the last `mentions`, asked again per answer
        self._lengths: dict[str, set[int]] = {}  # first word of an alias -> the alias lengths in words
        for k in self._keys:
            self._lengths.setdefault(k.split(" ", 1)[0], set()).add(k.count(" ") + 1)
        self.vocabulary = {w for s in kb.article.sections for p in s.paragraphs for w in words(p.text)}
        # words the question reader knows (in every language): never near misses of a name ("ilan" is no "Iran")
        said = [*kb.vocabulary.concepts.values(), *(ws for lang in kb.languages for ws in lang.words.values()),
                *(list(lang.glossary) for lang in kb.languages)]
        self.vocabulary |= {w for phrases in said for phrase in phrases for w in words(phrase)}
        self._misses: dict[tuple[str, int, int], str | None] = {}  # see `_near_miss`
        self._name_words = frozenset(w for k in self._keys for w in k.split())

    def warm(self) -> None:
        """Make now what the first near-miss look-up would make (the names' trigram indexes)."""
        for index in (*self._near.values(), self._similar):
            index.warm()

    def knows(self, word: str) -> bool:
        """True when the word is the article's, the question vocabulary's, or part of a name."""
        return word in self.vocabulary or word in self._name_words

    def _add(self, entity: Entity, aliases: list[str]) -> None:
        self.entities[entity.id] = entity
        for alias in aliases:
            key = " ".join(words(alias))
            if key and entity.id not in self._aliases.setdefault(key, []):
                self._aliases[key].append(entity.id)

    def resolve(self, text: str, kinds: set[str]) -> Resolution:
        """Look up a name a user typed as a command argument, among entities of the given kinds."""
        key = " ".join(words(text))
        exact = [e for eid in self._aliases.get(key, []) if (e := self.entities[eid]).kind in kinds]
        if not exact and not text.isascii():  # a name in a script without spaces, maybe with a particle attached
            exact = [e for eid in self._unspaced_in(text) if (e := self.entities[eid]).kind in kinds]
        if not key and not exact:
            return Resolution(None, 0.0)
        if len(exact) == 1:
            return Resolution(exact[0], 100.0)
        if exact:
            return Resolution(None, 100.0, tuple(exact))
        best: dict[str, float] = {}
        n_words = key.count(" ") + 1
        choices = [self._keys[i] for i in self._keys_of(key, frozenset(kinds))]
        hits = rapid.process.extract(key, choices, scorer=rapid.fuzz.WRatio, limit=40, score_cutoff=SUGGEST)
        for alias, score, _ in hits:
            if alias.count(" ") + 1 < n_words:
                score = rapid.fuzz.ratio(key, alias)  # a shorter alias inside a longer name earns no partial credit
            score = max(score, _typo_score(key, alias))
            if len(key) < 4 and not alias.startswith(key):
                score = min(score, SUGGEST)  # two or three letters are too short to guess from
            for eid in self._aliases[alias]:
                if self.entities[eid].kind in {"place", "role"} and score < CONFIDENT:
                    continue  # never suggest a place the article does not cover from a loose match
                if self.entities[eid].kind in kinds and score > best.get(eid, 0.0):
                    best[eid] = score
        ranked = sorted(((eid, sc) for eid, sc in best.items() if sc >= SUGGEST), key=lambda kv: -kv[1])
        if not ranked:
            return Resolution(None, 0.0)
        top_id, top = ranked[0]
        runner = ranked[1][1] if len(ranked) > 1 else 0.0
        candidates = tuple(self.entities[eid] for eid, _ in ranked[:3])
        if top >= CONFIDENT and top - runner >= MARGIN:
            return Resolution(self.entities[top_id], top, candidates)
        return Resolution(None, top, candidates)

    def _keys_of(self, key: str, kinds: frozenset[str]) -> list[int]:
        """Positions of the keys worth scoring against `key` that name an entity of these kinds."""
        if len(self._keys) > EXHAUSTIVE:
            return [i for i in self._similar.similar(key) if kinds & self._key_kinds[i]]
        if kinds not in self._of_kinds:
            self._of_kinds[kinds] = [i for i, named in enumerate(self._key_kinds) if kinds & named]
        return self._of_kinds[kinds]

    def mentions(self, original: str, fuzzy: bool = True) -> list[Mention]:
        """Entities named in free text: longest exact alias first, then (fuzzy) near-misses of unknown words."""
        last = self._last
        if last is not None and last[0] == original and last[1] == fuzzy:
            return list(last[2])
        found = self._mentions(original, fuzzy)
        self._last = (original, fuzzy, found)
        return list(found)

    def _mentions(self, original: str, fuzzy: bool) -> list[Mention]:
        toks = words(original)
        caps = {words(w)[0] for w in re.findall(r"[^\W\d_][\w'-]*", original) if w[:1].isupper() and words(w)}
        caps |= {p for w in re.findall(r"[A-Z][\w'-]*", original) for p in words(w)}
        proper = {p for w in re.findall(r"(?<=\s)[A-Z][\w'-]*", original) for p in words(w)}  # not the first word
        for i, tok in enumerate(toks):  # "who is eric": a lone given name asked about is a name
            if (i >= 2 and toks[i - 2] == "who" and toks[i - 1] in {"is", "was"}) or (
                    i >= 1 and toks[i - 1] in {"did", "does", "about", "by", "mr", "ms", "mrs"}):
                caps.add(tok)
        taken = [False] * len(toks)
        found: list[Mention] = []

        def claim(start: int, end: int, key: str, fuzzy: bool) -> bool:
            ids = self._aliases.get(key, [])
            if not ids or any(taken[start:end]):
                return False
            if end - start == 1 and key in self._weak and key not in caps:
                return False
            if end - start == 1 and key in STOPWORDS and not re.search(rf"\b{re.escape(key.upper())}\b", original):
                return False  # "who" is a question; only "WHO" is the organisation
            if fuzzy and end - start == 1 and key in self._weak:
                return False
            for eid in ids:
                found.append(Mention(self.entities[eid], start, end))
            for i in range(start, end):
                taken[i] = True
            return True

        spans = [(n, i) for i, tok in enumerate(toks) for n in self._lengths.get(tok, ()) if i + n <= len(toks)]
        for n, i in sorted(spans, key=lambda span: (-span[0], span[1])):
            claim(i, i + n, " ".join(toks[i : i + n]), False)
        for n in (3, 2, 1) if fuzzy else ():
            for i in range(len(toks) - n + 1):
                gram = toks[i : i + n]
                if any(taken[i : i + n]) or (n == 1 and (gram[0] in STOPWORDS or gram[0] in self.vocabulary)):
                    continue
                if n == 1 and (len(gram[0]) < 4 or gram[0].isdigit() or (
                        is_english(gram[0]) and gram[0] not in proper)):
                    continue  # an ordinary word ("labs", "brunch") keeps its meaning, unless written as a name
                if n > 1 and all(is_english(t) or t in self.vocabulary for t in gram):
                    continue
                if any(len(t) < 3 for t in gram):
                    continue
                key = " ".join(gram)
                hit = self._near_miss(key, n, 1 if len(key) < 7 else 2)
                if hit:
                    claim(i, i + n, hit, True)
        if not original.isascii():
            seen = {m.entity.id for m in found}
            found += [Mention(self.entities[eid], len(toks), len(toks)) for eid in self._unspaced_in(original)
                      if eid not in seen]
        return sorted(found, key=lambda m: m.start)

    def _unspaced_in(self, text: str) -> list[str]:
        """Entities named in `text` in a script written without spaces, longest name first, each name's letters
        counted once ("เกาหลีใต้" is not also "เกาหลี")."""
        squeezed = normalize(text).replace(" ", "")
        found: list[str] = []
        for folded, eid in self._unspaced:
            if eid not in found and folded in squeezed:
                squeezed = squeezed.replace(folded, " ")
                found.append(eid)
        return found

    def spans_words(self, text: str, mentions: list[Mention]) -> set[str]:
        """The words of `text` that its mentions stand on ("viet", "nam" for a mention of Vietnam)."""
        toks = words(text)
        return {toks[i] for m in mentions for i in range(m.start, min(m.end, len(toks)))}

    def _near_miss(self, key: str, n: int, edits: int) -> str | None:
        """The alias closest to `key` within `edits` (the first listed on a tie) if it has `n` words, else None;
        worked out once per key (the names do not change)."""
        asked = (key, n, edits)
        if asked in self._misses:
            return self._misses[asked]
        hit = self._closest_alias(key, n, edits)
        if len(key) <= MEMO_KEY:  # user text: only word-sized keys are kept
            if len(self._misses) >= MISSES_KEPT:
                self._misses.clear()
            self._misses[asked] = hit
        return hit

    def _closest_alias(self, key: str, n: int, edits: int) -> str | None:
        """Asked first among the aliases of `n` words only; the others are asked only when one of those is
        close, and only whether they hold one at least as close."""
        own = self._near.get(n)
        hit = own.closest(key, edits) if own else None
        if hit is None:
            return None
        alias, distance = hit
        for words_, index in self._near.items():
            other = index.closest(key, distance) if words_ != n else None
            if other and (other[1] < distance or self._near_order[other[0]] < self._near_order[alias]):
                return None
        return alias

    def complete(self, current: str, kinds: set[str], limit: int = 25) -> list[str]:
        """Display names of entities of these kinds, ranked by `rank_names` (all of them, sorted, for no text)."""
        names, _ = self._names_of(kinds)
        if not current.strip():
            return sorted(names)[:limit]
        return rank_names(current, names, limit)

    def _names_of(self, kinds: set[str]) -> tuple[list[str], FuzzyIndex]:
        """Display names of the entities of these kinds (first entity's order), and their trigram index."""
        group = frozenset(kinds)
        if group not in self._display:
            names = list(dict.fromkeys(e.name for e in self.entities.values() if e.kind in group))
            self._display[group] = names, FuzzyIndex([n.casefold() for n in names])
        return self._display[group]
