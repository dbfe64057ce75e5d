"""The daily spotlight: one part of the article a day, built from the knowledge base, as an `Answer`.

The rotation is derived from the data, never written in code: the event itself, one spotlight per
member state (its envoy, figures, key points), one per theme that runs through several sections
(topics sharing most of their facts make one theme: vaccines with health cooperation, economy with
trade ...; a topic mostly about the news report is left to the event), and one per section that is
neither the news report nor a country's (the Seoul column ...). Themes are spread evenly among the
countries. Day `d` shows item
`d.toordinal() % n`, so any `n` consecutive days show every item exactly once before one repeats,
and a date always gives the same spotlight (preview, tests, `python -m bot summary --date`). The
quote of the day also changes from one cycle to the next, and no quote is used twice in a cycle
while another candidate is free.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date, timedelta
from functools import lru_cache

import msgspec

from bot.answer import Answer, Field
from bot.engine.catalogue import Catalogue
from bot.engine.format import attribution, bullets, capital, person_line, quoted, sources, stats_line
from bot.engine.text import clip
from bot.kb.article import LEAD_ID
from bot.kb.loader import KnowledgeBase
from bot.kb.models import Country, Fact, Quote, Source

KEY_POINTS = 4  # bullets per spotlight
MIN_THEME_FACTS = 3  # a topic becomes a theme with at least this many facts ...
MIN_THEME_SECTIONS = 2  # ... from at least this many sections
MERGE_OVERLAP = 0.5  # topics sharing this share of the smaller one's facts make one theme
POINT_LIMIT = 300  # characters per bullet
FIELD_LIMIT = 1000  # Discord allows 1024 per field value


class Item(msgspec.Struct, frozen=True):
    """One entry of the rotation: what it is about and the material it may show."""

    key: str  # stable id: "event", "country:<id>", "topic:<id>", "section:<id>"
    title: str
    points: tuple[tuple[str, Source], ...]  # (text, citation) in the order to show
    quotes: tuple[Quote, ...] = ()  # candidates for the quote of the day
    country: Country | None = None
    section: str | None = None
    extra_sources: tuple[Source, ...] = ()


def _key_first(facts: Iterable[Fact]) -> list[Fact]:
    facts = list(facts)
    return [f for f in facts if f.key] + [f for f in facts if not f.key]


def _spread(facts: Sequence[Fact], order: dict[str, int]) -> list[Fact]:
    """Facts taken round-robin across sections (article order), key facts first within each section."""
    by_section: dict[str, list[Fact]] = {}
    for f in facts:
        by_section.setdefault(f.source.section, []).append(f)
    queues = [_key_first(by_section[s]) for s in sorted(by_section, key=lambda s: order.get(s, 0))]
    out: list[Fact] = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def _country_item(where: Catalogue, c: Country) -> Item:
    own = [f for f in where.facts_at(f"section:{c.section}", f"about:{c.id}")
           if f.source.section == c.section or (c.id in f.about and f.source.section != LEAD_ID)]
    facts = _key_first(f for f in own if f.source.section == c.section) or _key_first(own)
    quotes = tuple(where.quotes_at(*([f"section:{c.section}"] if c.section else []),
                                   *([f"speaker:{c.envoy}"] if c.envoy else [])))
    extra = (c.stats.source,) if c.stats else ()
    return Item(f"country:{c.id}", c.name, tuple((f.text, f.source) for f in facts[:KEY_POINTS]), quotes,
                country=c, section=c.section, extra_sources=extra)


def _event_item(kb: KnowledgeBase) -> Item:
    points = tuple((f"{i.label}: {i.text}", i.source) for i in kb.event.items)
    quotes = tuple(q for q in kb.quotes if q.source.section == LEAD_ID and q.speaker)
    return Item("event", kb.event.title, points, quotes, section=LEAD_ID)


def _topic_groups(where: Catalogue) -> list[list[str]]:
    """Topic ids grouped into themes: topics sharing at least `MERGE_OVERLAP` of the smaller one's facts
    go together (vaccines with health cooperation, economy with trade ...), in topics.yaml order."""
    kb = where.kb
    facts = {t: {f.id for f in where.facts_at(f"topic:{t}")} for t in kb.topics}
    parent = {t: t for t in kb.topics}

    def root(t: str) -> str:
        while parent[t] != t:
            t = parent[t]
        return t

    ids = list(kb.topics)
    for i, a in enumerate(ids):
        for b in ids[i + 1:]:
            small = min(len(facts[a]), len(facts[b]))
            if small and len(facts[a] & facts[b]) / small >= MERGE_OVERLAP:
                ra, rb = sorted((root(a), root(b)), key=ids.index)
                parent[rb] = ra
    groups: dict[str, list[str]] = {}
    for t in ids:
        groups.setdefault(root(t), []).append(t)
    return list(groups.values())


def _topic_items(where: Catalogue, order: dict[str, int]) -> list[Item]:
    """One theme per topic group that runs through several sections and is not mostly the news report
    (that one is the event spotlight)."""
    kb = where.kb
    items = []
    for group in _topic_groups(where):
        facts = where.facts_at(*(f"topic:{t}" for t in group))
        sections = Counter(f.source.section for f in facts)
        if (len(facts) < MIN_THEME_FACTS or len(sections) < MIN_THEME_SECTIONS
                or sections[LEAD_ID] * 2 > len(facts)):
            continue
        quotes = tuple(where.quotes_at(*(f"topic:{t}" for t in group)))
        per_topic = [_spread([f for f in facts if t in f.topics], order) for t in group]
        picked: list[Fact] = []
        while len(picked) < KEY_POINTS and any(per_topic):  # each topic of the theme in turn
            for queue in per_topic:
                while queue and queue[0] in picked:
                    queue.pop(0)
                if queue and len(picked) < KEY_POINTS:
                    picked.append(queue.pop(0))
        points = tuple((f.text, f.source) for f in picked)
        title = " · ".join(kb.topics[t].name for t in group)
        items.append(Item(f"topic:{'+'.join(group)}", title, points, quotes))
    return items


def _section_items(where: Catalogue) -> list[Item]:
    kb = where.kb
    items = []
    for s in kb.article.sections:
        if s.id == LEAD_ID or s.id in kb.section_country:
            continue
        facts = _key_first(where.facts_at(f"section:{s.id}"))
        points = tuple((f.text, f.source) for f in facts[:KEY_POINTS])
        if not points:
            points = tuple((p.text, Source(section=s.id, paragraphs=[p.number])) for p in s.paragraphs[:2])
        quotes = tuple(where.quotes_at(f"section:{s.id}"))
        items.append(Item(f"section:{s.id}", s.heading, points, quotes, section=s.id))
    return items


def _interleave(themes: list[Item], countries: list[Item]) -> list[Item]:
    """Themes spread evenly among countries, starting with a theme."""
    n, t = len(themes) + len(countries), len(themes)
    out: list[Item] = []
    ti = ci = 0
    for i in range(n):
        if ti < t and (ci >= len(countries) or ti * n <= i * t):
            out.append(themes[ti])
            ti += 1
        else:
            out.append(countries[ci])
            ci += 1
    return out


def build_items(where: Catalogue) -> list[Item]:
    """The whole rotation, in order."""
    kb = where.kb
    order = {s.id: i for i, s in enumerate(kb.article.sections)}
    themes = [_event_item(kb), *_topic_items(where, order), *_section_items(where)]
    return _interleave(themes, [_country_item(where, c) for c in kb.members])


def as_of(kb: KnowledgeBase) -> str | None:
    """The date the article's figures are from (the most common `stats.as_of`)."""
    dates = Counter(c.stats.as_of for c in kb.countries.values() if c.stats)
    return dates.most_common(1)[0][0] if dates else None


def _cite(kb: KnowledgeBase, src: Source) -> str:
    country = kb.section_country.get(src.section)
    if country:
        where = kb.countries[country].name
    elif src.section == LEAD_ID:
        where = "Report"
    else:
        where = clip(kb.article.section(src.section).heading, 40)
    nums = sorted(set(src.paragraphs))
    paras = f"¶{nums[0]}" if len(nums) == 1 else f"¶{nums[0]}-{nums[-1]}"
    return f"[{where} {paras}]"


def _fit_bullets(lines: Iterable[str], limit: int = FIELD_LIMIT) -> str:
    kept: list[str] = []
    for line in lines:
        if len(bullets([*kept, line])) > limit:
            break
        kept.append(line)
    return bullets(kept)


class Rotation:
    """The spotlight for any date, from one knowledge base. Call it with a date for `(key, Answer)`."""

    def __init__(self, kb: KnowledgeBase, catalogue: Catalogue | None = None) -> None:
        self.kb = kb
        self.items = build_items(catalogue or Catalogue(kb))
        if not self.items:
            raise ValueError("the knowledge base gives nothing to put in the spotlight")
        self.as_of = as_of(kb)
        self._quotes = lru_cache(maxsize=8)(self._assign_quotes)

    def __len__(self) -> int:
        return len(self.items)

    def position(self, day: date) -> tuple[int, int]:
        """(cycle number, 0-based place in the cycle) of a date."""
        return divmod(day.toordinal(), len(self.items))

    def item_for(self, day: date) -> Item:
        """The rotation entry shown on `day`."""
        return self.items[self.position(day)[1]]

    def _assign_quotes(self, cycle: int) -> tuple[Quote | None, ...]:
        """Quote of the day for every item of one cycle: rotated by cycle, no repeats while avoidable."""
        used: set[str] = set()
        chosen: list[Quote | None] = []
        for item in self.items:
            shown = " ".join(text for text, _ in item.points).casefold()
            cands = [q for q in item.quotes if q.text.strip().casefold() not in shown] or list(item.quotes)
            if not cands:
                chosen.append(None)
                continue
            start = cycle % len(cands)
            ring = cands[start:] + cands[:start]
            pick = next((q for q in ring if q.id not in used), ring[0])
            used.add(pick.id)
            chosen.append(pick)
        return tuple(chosen)

    def quote_for(self, day: date) -> Quote | None:
        """The quote of the day."""
        cycle, pos = self.position(day)
        return self._quotes(cycle)[pos]

    def __call__(self, day: date) -> tuple[str, Answer]:
        """`(rotation key, spotlight answer)` for `day`: the scheduler's spotlight function."""
        return self.item_for(day).key, self.answer(day)

    def answer(self, day: date) -> Answer:
        """The spotlight of `day` as an `Answer`."""
        kb, item = self.kb, self.item_for(day)
        _, pos = self.position(day)
        refs: list[Source] = [src for _, src in item.points] + list(item.extra_sources)
        lines = [f"Spotlight for {day:%A, %B} {day.day}, {day.year} · {pos + 1} of {len(self.items)} in the rotation"]
        fields: list[Field] = []
        c = item.country
        if c is not None:
            if c.envoy:
                lines.append(f"Envoy: {person_line(kb, kb.people[c.envoy])}")
            if c.stats:
                fields.append(Field(f"{capital(kb.profile.figures_name)} as of {c.stats.as_of}",
                                    f"{stats_line(kb, c)} {_cite(kb, c.stats.source)}"))
        if item.section and item.section != LEAD_ID:
            lines.append(f"Section: “{kb.article.section(item.section).heading}”")
        if item.points:
            name = "Key points" if item.key != "event" else "The event"
            fields.append(Field(name, _fit_bullets(f"{clip(text, POINT_LIMIT)} {_cite(kb, src)}"
                                                   for text, src in item.points)))
        quote = self.quote_for(day)
        if quote is not None:
            refs.append(quote.source)
            value = f"{clip(quoted(quote), 700)}\n— {clip(attribution(kb, quote), 250)} {_cite(kb, quote.source)}"
            fields.append(Field("Quote of the day", value))
        article = f"From “{kb.article.title}”."
        if self.as_of:
            article += f" Figures are as of {self.as_of}: the article's, not today's."
        lines.append(article)
        return Answer(title=f"Daily spotlight: {item.title}", body="\n".join(lines), fields=tuple(fields),
                      sources=sources(kb, refs))


FULL_WORDS = frozenset({"full", "all", "overview", "article", "whole"})
RELATIVE_DAYS = {"today": 0, "tomorrow": 1, "yesterday": -1}


def summary_day(arg: str, today: date) -> date | None:
    """The day `!spotlight ARG` (or `!summary ARG`) asks for: today (no argument), `today`, `tomorrow`,
    `yesterday` or `YYYY-MM-DD`; None for `full` (the article in brief); ValueError for anything else."""
    text = " ".join(arg.split()).lower()
    if not text:
        return today
    if text in FULL_WORDS:
        return None
    if text in RELATIVE_DAYS:
        return today + timedelta(days=RELATIVE_DAYS[text])
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{arg!r}: use today, tomorrow, yesterday or a date as YYYY-MM-DD") from None


__all__ = ["FULL_WORDS", "Item", "Rotation", "as_of", "build_items", "summary_day"]
