"""Where the knowledge base's facts and quotes are: by section, entity, speaker and topic, built once per
knowledge base and read by the answers and the daily spotlight alike."""

from __future__ import annotations

from bot.kb.loader import KnowledgeBase
from bot.kb.models import Fact, Quote


class Catalogue:
    """Positions of facts and quotes under keys such as `section:ID`, `about:ID`, `speaker:ID`, `topic:ID`:
    one pass over the knowledge base, so what reads it takes time in proportion to what it asks for."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.kb = kb
        self._facts: dict[str, list[int]] = {}
        self._quotes: dict[str, list[int]] = {}
        for i, f in enumerate(kb.facts):
            for key in (f"section:{f.source.section}", *(f"about:{a}" for a in f.about),
                        *(f"topic:{t}" for t in f.topics)):
                self._facts.setdefault(key, []).append(i)
        for i, q in enumerate(kb.quotes):
            for key in (f"section:{q.source.section}", f"speaker:{q.speaker}", *(f"topic:{t}" for t in q.topics)):
                self._quotes.setdefault(key, []).append(i)

    def facts_at(self, *keys: str) -> list[Fact]:
        """Facts filed under any of the keys, in knowledge-base order."""
        return [self.kb.facts[i] for i in sorted({i for k in keys for i in self._facts.get(k, ())})]

    def quotes_at(self, *keys: str) -> list[Quote]:
        """Quotes filed under any of the keys, in knowledge-base order."""
        return [self.kb.quotes[i] for i in sorted({i for k in keys for i in self._quotes.get(k, ())})]
