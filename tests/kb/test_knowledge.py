"""Faithfulness of the shipped knowledge base: everything in knowledge/*.yaml must stand in article.md.

These tests read the real files (no fixtures of their own data): a wrong number, a paraphrased
quote, a citation pointing at the wrong paragraph or a gazetteer entry the article does cover
fails here with a message naming the record.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest

from bot.kb.loader import KnowledgeBase, load_knowledge
from bot.kb.models import Country, Source
from bot.kb.yamlio import load_yaml

ROOT = Path(__file__).resolve().parents[2]
KNOWLEDGE = ROOT / "knowledge"

MEMBER_STATES = {
    "brunei", "cambodia", "indonesia", "laos", "malaysia",
    "myanmar", "philippines", "singapore", "thailand", "vietnam",
}

# Fields that hold ids or references, not article wording.
REFERENCE_FIELDS = {"id", "about", "topics", "speaker", "envoy", "country", "organization", "section", "source"}

NUMBER_WORDS = {
    0: ("no", "zero", "none"), 1: ("one",), 2: ("two",), 3: ("three",), 4: ("four",), 5: ("five",),
    6: ("six",), 7: ("seven",), 8: ("eight",), 9: ("nine",), 10: ("ten",), 11: ("eleven",),
    12: ("twelve",), 13: ("thirteen",), 14: ("fourteen",), 15: ("fifteen",), 16: ("sixteen",),
    17: ("seventeen",), 18: ("eighteen",), 19: ("nineteen",), 20: ("twenty",),
}
WORD_VALUES = {w: n for n, words in NUMBER_WORDS.items() for w in words}

# A number as printed: 46,845 / 12.2 / 2019; optional $ in front. "COVID-19" gives 19, "70th" 70.
NUMBER = re.compile(r"(\$\s?)?(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)")

_STOP = """
a about above after again against all also am an and any are as at be because been before being below between
both but by can could did do does doing down during each few for from further had has have having he her here
hers him his how i if in into is it its itself just me more most my no nor not now of off on once only or other
our ours out over own same she should so some such than that the their theirs them then there these they this
those through to too under until up very was we were what when where which while who whom whose why will with
would you your yours s t said says say according article well like
"""
STOPWORDS = frozenset(_STOP.split())

# The lowest share of a fact's content words that must appear in the paragraphs it cites.
# A faithful fact restates its paragraph; the observed minimum over the shipped facts is ~0.6.
MIN_OVERLAP = 0.5
# People, organisation and event descriptions: observed minimum ~0.4 (a clause from another section).
MIN_DESCRIPTION_OVERLAP = 0.35


# --- helpers ------------------------------------------------------------------------------------
def fold(text: str) -> str:
    """Fold whitespace only (line wrapping in YAML does not matter; quotes and dashes do)."""
    return re.sub(r"\s+", " ", text).strip()


def cited_text(kb: KnowledgeBase, src: Source) -> str:
    return " ".join(kb.article.paragraph(src.section, n).text for n in src.paragraphs)


def article_text(kb: KnowledgeBase) -> str:
    parts = [kb.article.title] + [s.heading for s in kb.article.sections]
    parts += [p.text for p in kb.article.paragraphs()]
    return fold(" ".join(parts))


def numbers_in(text: str) -> set[str]:
    """Every number in `text`, commas dropped; dollar amounts also as "$N"."""
    out: set[str] = set()
    for m in NUMBER.finditer(text):
        value = m.group(2).replace(",", "")
        out.add(value)
        if m.group(1):
            out.add("$" + value)
    return out


def text_fields(obj: Any, path: str) -> Iterator[tuple[str, str]]:
    """(key path, string) for every wording field of a record, recursively; references skipped."""
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, msgspec.Struct):
        for name in obj.__struct_fields__:
            if name not in REFERENCE_FIELDS:
                yield from text_fields(getattr(obj, name), f"{path}.{name}")
    elif isinstance(obj, list | tuple):
        for i, item in enumerate(obj):
            yield from text_fields(item, f"{path}[{i}]")


def all_records(kb: KnowledgeBase) -> Iterator[tuple[str, Any]]:
    for c in kb.countries.values():
        yield f"countries.yaml {c.id}", c
    for p in kb.people.values():
        yield f"people.yaml {p.id}", p
    for o in kb.organizations.values():
        yield f"organizations.yaml {o.id}", o
    for t in kb.topics.values():
        yield f"topics.yaml {t.id}", t
    for i, item in enumerate(kb.event.items):
        yield f"event.yaml items[{i}] ({item.label})", item
    yield "event.yaml title", kb.event.title
    for f in kb.facts:
        yield f"facts.yaml {f.id}", f
    for q in kb.quotes:
        yield f"quotes.yaml {q.id}", q


def content_words(text: str) -> set[str]:
    """Lowercase non-stopwords, crudely stemmed (first five letters), so "donated" meets "donation"."""
    words = re.findall(r"[a-z0-9]+", fold(text).lower())
    return {w[:5] for w in words if w not in STOPWORDS and len(w) > 1}


def word_in(needle: str, text: str) -> bool:
    return re.search(r"(?<!\w)" + re.escape(needle) + r"(?!\w)", text, flags=re.IGNORECASE) is not None


def names_of(c: Country) -> list[str]:
    return [c.name, c.official_name, *c.aliases, *c.demonyms]


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge(KNOWLEDGE)


# --- loading and member states ----------------------------------------------------------------
def test_loads(kb):
    assert kb.root == KNOWLEDGE
    assert kb.facts, "facts.yaml is empty"
    assert kb.quotes, "quotes.yaml is empty"
    assert kb.people and kb.organizations and kb.topics and kb.event.items


def test_all_ten_member_states_with_envoy_and_stats(kb):
    assert {c.id for c in kb.members} == MEMBER_STATES
    for c in kb.members:
        assert c.envoy in kb.people, c.id
        assert c.stats is not None, c.id
        assert "June 22" in c.stats.as_of, c.id
        assert c.section is not None, f"{c.id}: no section written in its envoy's voice"
    assert all(not c.stats and not c.envoy for c in kb.countries.values() if not c.member)


def test_no_envoy_maps_to_two_countries(kb):
    envoys = [c.envoy for c in kb.countries.values() if c.envoy]
    assert len(envoys) == len(set(envoys)) == 10
    for c in kb.members:
        person = kb.people[c.envoy]
        assert person.country == c.id, f"{person.id} says {person.country!r}, countries.yaml says {c.id!r}"
        assert kb.country_of_envoy(person.id) is c
    sections = [c.section for c in kb.members]
    assert len(sections) == len(set(sections)), "two member states claim the same section"


def test_nine_ambassadors_and_a_charge_d_affaires(kb):
    roles = {c.id: kb.people[c.envoy].role for c in kb.members}
    assert roles.pop("philippines") == "charge_d_affaires"
    assert set(roles.values()) == {"ambassador"}
    assert len(roles) == 9
    pdj = kb.people[kb.countries["philippines"].envoy]
    assert "affaires" in pdj.title.lower()
    assert "ambassador" not in pdj.title.lower()
    for pid in (kb.countries[c].envoy for c in roles):
        assert kb.people[pid].title == "Ambassador", pid


def test_each_envoy_is_listed_of_their_country_in_the_cited_paragraph(kb):
    """The guest list reads "<name> of <country>"; every envoy must be cited where that stands."""
    for c in kb.members:
        person = kb.people[c.envoy]
        text = cited_text(kb, person.source)
        variants = [c.name, c.official_name, *c.aliases]
        assert any(f"{person.name} of {v}" in text for v in variants), (
            f"{person.id}: '{person.name} of <{c.name}>' not in {person.source}"
        )


def test_every_person_name_stands_in_their_cited_paragraphs(kb):
    for p in kb.people.values():
        assert p.name in cited_text(kb, p.source), f"people.yaml {p.id}: {p.name!r} not in {p.source}"


# --- quotes -----------------------------------------------------------------------------------
def test_every_quote_is_verbatim_in_its_cited_paragraphs(kb):
    bad = []
    for q in kb.quotes:
        if fold(q.text) not in fold(cited_text(kb, q.source)):
            bad.append(f"{q.id}: {q.text!r} not in {q.source.section} {q.source.paragraphs}")
    assert not bad, "\n".join(bad)


def test_quote_speakers_are_named_at_or_just_before_the_quote(kb):
    """A quote with a speaker is attributed near it ("Lee said", "he said" after "Long said" ...),
    or comes from the speaker's own column."""
    bad = []
    for q in kb.quotes:
        if q.speaker is None:
            continue
        person = kb.people[q.speaker]
        if person.source.section == q.source.section and person.role == "author":
            continue
        first = min(q.source.paragraphs)
        window = [n for n in range(max(1, first - 2), max(q.source.paragraphs) + 1)]
        text = " ".join(kb.article.paragraph(q.source.section, n).text for n in window)
        surnames = [person.name, *person.aliases]
        if not any(word_in(n, text) for n in surnames):
            bad.append(f"{q.id}: {person.name} not named in {q.source.section} ¶{window}")
    assert not bad, "\n".join(bad)


# --- numbers ----------------------------------------------------------------------------------
def test_every_number_in_the_knowledge_base_appears_in_the_article(kb):
    printed = numbers_in(article_text(kb))
    bad = []
    for where, record in all_records(kb):
        for path, text in text_fields(record, ""):
            for n in sorted(numbers_in(fold(text)) - printed):
                bad.append(f"{where}{path}: {n!r} is not printed in the article ({text[:80]!r})")
    assert not bad, "\n".join(bad)


def _spelled(value: int) -> list[str]:
    return [f"{value:,}", str(value), *NUMBER_WORDS.get(value, ())]


def test_every_stats_figure_is_printed_in_its_cited_paragraphs(kb):
    bad = []
    for c in kb.members:
        text = cited_text(kb, c.stats.source)
        for metric, value in c.stats.values.items():
            if not any(word_in(s, text) for s in _spelled(value)):
                bad.append(f"{c.id}.stats.{metric} = {value} not printed in {c.stats.source}")
    assert not bad, "\n".join(bad)


def _parse_figures(paragraph: str, names: dict[str, str]) -> dict[str, int]:
    """Country id -> figure from one of the lead's June 22 paragraphs.

    Handles "141 in Brunei", "Cambodia has two", "Brunei reported three", "Indonesia 2,500",
    and lists sharing one figure: "Brunei and Laos have no more active cases",
    "Cambodia, Laos and Vietnam reported no deaths".
    """
    name_rx = re.compile(r"\b(" + "|".join(sorted(map(re.escape, names), key=len, reverse=True)) + r")\b")
    value_rx = re.compile(r"\d{1,3}(?:,\d{3})+|\d+|\b(?:" + "|".join(WORD_VALUES) + r")\b", re.IGNORECASE)
    found: dict[str, int] = {}
    for sentence in re.split(r"(?<=\.)\s+", paragraph):
        sentence = re.sub(r"\b[A-Za-z]+-\d+\b", " ", sentence)  # COVID-19 is not a figure
        pending: list[str] = []
        for clause in re.split(r",\s+|\s+and\s+|\s+while\s+", sentence):
            countries = [(m.start(), names[m.group(1)]) for m in name_rx.finditer(clause)]
            values = [(m.start(), m.group(0)) for m in value_rx.finditer(clause)]
            if countries and not values:
                pending += [cid for _, cid in countries]
                continue
            if not countries:
                if not values:
                    continue
                pending = []
                continue
            for pos, cid in countries:
                _, raw = min(values, key=lambda v, pos=pos: abs(v[0] - pos))
                value = WORD_VALUES.get(raw.lower())
                value = int(raw.replace(",", "")) if value is None else value
                for target in [*pending, cid]:
                    assert target not in found, f"{target} given twice in: {paragraph}"
                    found[target] = value
            pending = []
    return found


def _metric(text: str) -> str | None:
    """Which June 22 figure a text gives: the first of confirmed / active / death it mentions."""
    lower = text.lower()
    found = [m for m in ("confirmed", "active", "death") if m in lower]
    if not found:
        return None
    first = min(found, key=lower.index)
    return "deaths" if first == "death" else first


def _member_names(kb: KnowledgeBase) -> dict[str, str]:
    return {n: c.id for c in kb.members for n in (c.name, *c.aliases)}


def test_stats_match_the_lead_paragraphs_reparsed(kb):
    """Re-read the lead's June 22 paragraphs (confirmed, active, deaths) and compare every figure."""
    names = _member_names(kb)
    sources = {(c.stats.source.section, tuple(c.stats.source.paragraphs)) for c in kb.members}
    assert len(sources) == 1, f"member states cite different paragraphs for their figures: {sources}"
    (section, paragraphs), = sources
    parsed: dict[str, dict[str, int]] = {}
    for n in paragraphs:
        text = kb.article.paragraph(section, n).text
        metric = _metric(text)
        assert metric is not None, f"{section} ¶{n} is not a confirmed/active/death figures paragraph"
        parsed[metric] = _parse_figures(text, names)
    assert set(parsed) == {"confirmed", "active", "deaths"}
    bad = []
    for metric, figures in parsed.items():
        assert set(figures) == MEMBER_STATES, f"{metric}: parsed {sorted(figures)}"
        for cid, value in figures.items():
            kb_value = kb.countries[cid].stats.value(metric)
            if kb_value != value:
                bad.append(f"countries.yaml {cid}.stats.{metric}: {kb_value}, the article says {value}")
    assert not bad, "\n".join(bad)


def test_facts_restating_the_june_22_figures_agree_with_the_stats(kb):
    """A fact citing the figures paragraphs ("Cambodia, Laos and Vietnam reported no deaths") must give
    the same number per country as countries.yaml."""
    names = _member_names(kb)
    src = kb.countries["brunei"].stats.source
    checked, bad = 0, []
    for f in kb.facts:
        if f.source.section != src.section or not set(f.source.paragraphs) & set(src.paragraphs):
            continue
        metric = _metric(f.text)
        if metric is None:
            continue
        for cid, value in _parse_figures(f.text, names).items():
            checked += 1
            if kb.countries[cid].stats.value(metric) != value:
                bad.append(f"facts.yaml {f.id}: {cid} {metric} {value}, countries.yaml has "
                           f"{kb.countries[cid].stats.value(metric)}")
    assert checked, "no facts restate the June 22 figures"
    assert not bad, "\n".join(bad)


def test_the_figures_parser_reads_the_article_forms():
    names = {"Brunei": "b", "Laos": "l", "Cambodia": "c", "the Philippines": "p", "Indonesia": "i"}
    assert _parse_figures("Brunei and Laos have no more active cases, while Cambodia has two, "
                          "Indonesia has 25,610 and the Philippines has 7.", names) == {
        "b": 0, "l": 0, "c": 2, "i": 25610, "p": 7}
    assert _parse_figures("As of June 22, the numbers of confirmed COVID-19 cases were 141 in Brunei "
                          "and 19 in Laos.", names) == {"b": 141, "l": 19}
    assert _parse_figures("On death tolls, Brunei reported three, Indonesia 2,500. "
                          "Cambodia, Laos and the Philippines reported no deaths.", names) == {
        "b": 3, "i": 2500, "c": 0, "l": 0, "p": 0}


# --- citations --------------------------------------------------------------------------------
def _overlap(text: str, cited: str) -> float:
    words = content_words(text)
    return len(words & content_words(cited)) / len(words) if words else 1.0


def _backing(kb: KnowledgeBase, src: Source) -> str:
    """The cited paragraphs plus their section heading (a column's title is a heading, not a paragraph)."""
    return f"{kb.article.section(src.section).heading} {cited_text(kb, src)}"


def test_every_fact_shares_most_of_its_words_with_its_cited_paragraphs(kb):
    bad = []
    for f in kb.facts:
        share = _overlap(f.text, _backing(kb, f.source))
        if share < MIN_OVERLAP:
            missing = sorted(content_words(f.text) - content_words(_backing(kb, f.source)))
            bad.append(f"{f.id}: {share:.0%} of its words in {f.source.section} "
                       f"{f.source.paragraphs} (not there: {', '.join(missing)})")
    assert not bad, "\n".join(bad)


def test_citation_check_catches_a_wrong_paragraph(kb):
    """The overlap check is not vacuous: a fact pointed at an unrelated paragraph falls below it."""
    lead = kb.article.section("lead")
    guests = next(p for p in lead.paragraphs if "nine ambassadors" in p.text)
    figures = next(p for p in lead.paragraphs if "death tolls" in p.text)
    assert _overlap(guests.text, figures.text) < MIN_OVERLAP
    assert _overlap(guests.text, guests.text) == 1.0


def test_every_description_and_event_item_overlaps_its_citation(kb):
    """People, organisations and event items cite paragraphs that back their wording too.

    Looser than for facts: a description may add a clause from another section (one source only).
    """
    bad = []
    records = [*kb.people.values(), *kb.organizations.values()]
    for r in records:
        share = _overlap(r.description, _backing(kb, r.source))
        if share < MIN_DESCRIPTION_OVERLAP:
            bad.append(f"{r.id}: {share:.0%} in {r.source.section} {r.source.paragraphs}")
    for item in kb.event.items:
        share = _overlap(item.text, _backing(kb, item.source))
        if share < MIN_DESCRIPTION_OVERLAP:
            bad.append(f"event {item.label}: {share:.0%} in {item.source.section} {item.source.paragraphs}")
    assert not bad, "\n".join(bad)


# --- ids and names ----------------------------------------------------------------------------
def _raw(name: str) -> list[dict[str, Any]] | dict[str, Any]:
    data = load_yaml((KNOWLEDGE / name).read_text(encoding="utf-8"))
    return next(iter(data.values()))


def test_ids_are_unique_and_well_formed():
    entity_ids: list[str] = []
    for name in ("countries.yaml", "people.yaml", "organizations.yaml"):
        entity_ids += [r["id"] for r in _raw(name)]
    dupes = {i for i in entity_ids if entity_ids.count(i) > 1}
    assert not dupes, f"ids shared by countries, people and organisations: {sorted(dupes)}"
    for name in ("facts.yaml", "quotes.yaml", "topics.yaml"):
        ids = [r["id"] for r in _raw(name)]
        dupes = {i for i in ids if ids.count(i) > 1}
        assert not dupes, f"{name}: duplicate ids {sorted(dupes)}"
        entity_ids += ids
    bad = [i for i in entity_ids if not re.fullmatch(r"[a-z0-9]+(?:-[a-z0-9]+)*", i)]
    assert not bad, f"ids must be lowercase-hyphenated: {bad}"


def test_every_member_state_alias_resolves_to_one_country(kb):
    owners: dict[str, set[str]] = {}
    for c in kb.countries.values():
        for n in names_of(c):
            owners.setdefault(n.casefold(), set()).add(c.id)
    for p in kb.people.values():
        for n in (p.name, *p.aliases):
            owners.setdefault(n.casefold(), set()).add(p.id)
    for o in kb.organizations.values():
        for n in (o.name, *o.aliases):
            owners.setdefault(n.casefold(), set()).add(o.id)
    bad = [f"{n!r} -> {sorted(owners[n.casefold()])}"
           for c in kb.members for n in names_of(c) if len(owners[n.casefold()]) > 1]
    assert not bad, "\n".join(bad)


def test_no_name_or_alias_belongs_to_two_entities(kb):
    owners: dict[str, set[str]] = {}
    for table in (kb.countries, kb.people, kb.organizations):
        for e in table.values():
            extra = e.demonyms if isinstance(e, Country) else []
            for n in (e.name, *e.aliases, *extra):
                owners.setdefault(n.casefold(), set()).add(e.id)
    bad = sorted(f"{n!r} -> {sorted(ids)}" for n, ids in owners.items() if len(ids) > 1)
    assert not bad, "\n".join(bad)


def test_gazetteer_names_are_not_in_the_article(kb):
    names = [*kb.gazetteer.places, *kb.gazetteer.roles]
    acronyms = [n for n in names if n.isupper()]  # "US" is not "us": capitals are compared as they are
    any_name = re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names if n not in acronyms) + r")(?!\w)",
                          re.IGNORECASE)
    any_acronym = re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, acronyms)) + r")(?!\w)")
    text = article_text(kb)
    bad = sorted({m.group(0) for pattern in (any_name, any_acronym) for m in pattern.finditer(text)})
    assert not bad, f"the article does mention these gazetteer entries: {bad}"


def test_gazetteer_check_would_see_an_article_name(kb):
    assert word_in("Busan", article_text(kb)) and word_in("new southern policy", article_text(kb))
    assert not word_in("Korea Times", "the Korea Timesheet")


def test_gazetteer_names_are_not_knowledge_base_names(kb):
    known = {n.casefold() for c in kb.countries.values() for n in names_of(c)}
    known |= {n.casefold() for t in (kb.people, kb.organizations) for e in t.values() for n in (e.name, *e.aliases)}
    bad = [n for n in [*kb.gazetteer.places, *kb.gazetteer.roles] if n.casefold() in known]
    assert not bad, f"gazetteer entries the knowledge base covers: {bad}"


def test_gazetteer_has_no_duplicates(kb):
    names = [n.casefold() for n in [*kb.gazetteer.places, *kb.gazetteer.roles]]
    assert len(names) == len(set(names)), sorted({n for n in names if names.count(n) > 1})


# --- python -m bot check ----------------------------------------------------------------------
def test_check_command_reports_what_was_loaded(kb):
    proc = subprocess.run(
        [sys.executable, "-m", "bot", "--knowledge", str(KNOWLEDGE), "check", "--sections"],
        cwd=ROOT, capture_output=True, text=True, timeout=30,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    lines = proc.stdout.splitlines()
    assert lines[0] == f"ok: {KNOWLEDGE}: {kb.summary_line()}"
    assert "10 member states" in lines[0]
    assert f"{len(kb.facts)} facts" in lines[0]
    assert f"{len(kb.quotes)} quotes" in lines[0]
    listed = [line.split(":")[0].strip() for line in lines[1:]]
    assert listed == [s.id for s in kb.article.sections]
