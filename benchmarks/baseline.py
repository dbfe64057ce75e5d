"""The naive baseline: what a person would write first, over the same knowledge base and queries.

Names: `difflib.get_close_matches` over every name and alias. Everything else: a linear scan of
every fact and paragraph with `difflib.SequenceMatcher`, taking the most similar text.
"""

from __future__ import annotations

import difflib

from bot.kb.loader import KnowledgeBase


class NaiveBot:
    """Answers a line with the closest name's record and the most similar fact or paragraph."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self.names: dict[str, str] = {}  # lower-case name or alias -> a line about its record
        for c in kb.countries.values():
            envoy = kb.people[c.envoy].name if c.envoy else "no envoy named"
            s = c.stats
            stats = ", ".join(f"{s.value(f.id)} {f.noun}" for f in kb.figures if s and s.value(f.id) is not None)
            for n in (c.name, c.official_name, *c.aliases, *c.demonyms):
                self.names.setdefault(n.lower(), f"{c.name}: envoy {envoy}. {stats}")
        for p in kb.people.values():
            for n in (p.name, *p.aliases):
                self.names.setdefault(n.lower(), f"{p.name}, {p.title}: {p.description}")
        for o in kb.organizations.values():
            for n in (o.name, *o.aliases):
                self.names.setdefault(n.lower(), f"{o.name}: {o.description}")
        self.texts = [f.text for f in kb.facts] + [p.text for p in kb.article.paragraphs()]
        self.lowered = [t.lower() for t in self.texts]
        self.name_list = list(self.names)

    def answer(self, line: str) -> str:
        """The closest name's line (if any) and the most similar text."""
        text = line.strip().lstrip("!/")
        if line.startswith(("!", "/")):
            text = text.partition(" ")[2] or text
        query = text.lower()
        parts = []
        close = difflib.get_close_matches(query, self.name_list, n=1, cutoff=0.6)
        if not close:
            for word in query.replace("?", " ").split():
                close = difflib.get_close_matches(word, self.name_list, n=1, cutoff=0.8)
                if close:
                    break
        if close:
            parts.append(self.names[close[0]])
        best, best_ratio = "", 0.0
        matcher = difflib.SequenceMatcher(autojunk=False)
        matcher.set_seq2(query)
        for original, lowered in zip(self.texts, self.lowered, strict=True):
            matcher.set_seq1(lowered)
            if matcher.real_quick_ratio() > best_ratio and matcher.quick_ratio() > best_ratio:
                ratio = matcher.ratio()
                if ratio > best_ratio:
                    best, best_ratio = original, ratio
        parts.append(best or "Nothing found.")
        return "\n".join(parts)
