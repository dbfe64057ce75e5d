"""Whatever people type, the engine answers: no exception, in time, within Discord's limits, pinging nobody.

Property-based (Hypothesis): arbitrary Unicode, very long input, markdown, mentions, zero-width and
right-to-left characters, punctuation only, empty lines, and all of those mixed into commands and
real questions. Then the indexes' shortcuts against plain full scans: the search reads only part
of its posting lists and the name lookups score only trigram candidates, and both must give exactly
what scoring everything gives. Example counts: Hypothesis' defaults; HYPOTHESIS_PROFILE=thorough
(tests/conftest.py) runs many more.
"""

from __future__ import annotations

import string
import time
from collections import Counter

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.answer import Answer
from bot.discordbot.render import CONTENT_LIMIT, fits, render_embeds, render_text
from bot.engine import Engine, search
from bot.engine.fuzzy import FuzzyIndex
from bot.engine.search import SearchIndex
from bot.engine.specs import SPECS

TIME_BOUND = 0.5  # seconds for one answer; answers take about a millisecond (docs/benchmarks.md)
PINGS = ("@everyone", "@here", "<@", "<#")  # raw mention syntax (<@id>, <@!id>, <@&role>, <#channel>)

MENTIONS = ["@everyone", "@here", "<@123>", "<@!123456789012345678>", "<@&456>", "<#789>", "@", "<@", "<#", "</x:1>"]
MARKDOWN = ["**", "__", "*", "_", "~~", "||", "`", "```", "```py\n", "> ", ">>> ", "# ", "- ", "[a](http://x.y)",
            "\\", "<https://example.com>", ":flag_th:", "<:emoji:123>"]
INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202a", "\u202b", "\u202c", "\u202d",
             "\u202e", "\u2066", "\u2067", "\u2068", "\u2069", "\u061c", "\u200e", "\u200f"]
PUNCTUATION = string.punctuation + "¿¡…—–“”‘’«»·•°§¶†‡‰′″‹›"
WORDS = ["Vietnam", "Viet Nam", "Thai", "Lao PDR", "Park Won-soon", "Lee Hyuk", "vaccine", "rice", "deaths", "cases",
         "ambassador", "roundtable", "June 22", "who", "said", "how", "many", "ASEAN", "Korea", "Seoul", "WHO",
         "thialand", "ambasador", "Kim Jong-un", "France", "prime minister", "46,845", "COVID-19", "the", "of"]
COMMANDS = [f"{p}{name}" for spec in SPECS for name in (spec.name, *spec.aliases) for p in "!/"] + ["!", "/", "!!"]

fragments = st.one_of(
    st.sampled_from(MENTIONS), st.sampled_from(MARKDOWN), st.sampled_from(INVISIBLE), st.sampled_from(WORDS),
    st.sampled_from([" ", "  ", "\n", "\t", "?", "!"]), st.text(max_size=12),
    st.text(alphabet=PUNCTUATION, min_size=1, max_size=6),
)
mixed = st.lists(fragments, max_size=25).map("".join)
lines = st.one_of(
    st.just(""),
    st.text(),  # arbitrary Unicode
    st.text(alphabet=PUNCTUATION + " ", max_size=50),  # punctuation only
    st.text(alphabet="".join(INVISIBLE) + " \u05d0\u05d1\u0627\u0644", max_size=40),  # invisible and RTL
    mixed,
    st.builds(lambda c, rest: f"{c} {rest}", st.sampled_from(COMMANDS), mixed),  # commands with odd arguments
    st.builds(lambda c, rest: c + rest, st.sampled_from(COMMANDS), st.text(max_size=30)),
)
long_lines = st.one_of(
    st.text(min_size=1000, max_size=4000),
    st.builds(lambda w, n: " ".join([w] * n), st.sampled_from(WORDS + MENTIONS + MARKDOWN), st.integers(200, 700)),
    st.builds(lambda c, w, n: f"{c} " + " ".join([w] * n), st.sampled_from(COMMANDS), st.sampled_from(WORDS),
              st.integers(100, 500)),
)


def texts_of(answer: Answer) -> list[str]:
    """Every piece of text an answer carries."""
    return [answer.title, answer.body, *(t for f in answer.fields for t in (f.name, f.value)), *answer.suggestions,
            *(s.label() for s in answer.sources), answer.to_text()]


def check(engine: Engine, line: str) -> Answer:
    """Answer `line` and check every property; returns the answer."""
    start = time.perf_counter()
    answer = engine.answer(line)
    elapsed = time.perf_counter() - start
    assert isinstance(answer, Answer)
    assert elapsed < TIME_BOUND, f"{elapsed:.3f} s for {line!r}"
    assert answer.title.strip(), line
    for text in texts_of(answer):
        for ping in PINGS:
            assert ping not in text, f"{ping!r} in {text!r} (input {line!r})"
    for page in render_embeds(answer):
        assert page.embed is not None and fits(page.embed), line
        for part in (page.embed.title, page.embed.description, page.embed.footer.text,
                     *(t for f in page.embed.fields for t in (f.name, f.value))):
            assert not any(ping in (part or "") for ping in PINGS), part
    for page in render_text(answer):
        assert page.content is not None and 0 < len(page.content) <= CONTENT_LIMIT, line
        assert not any(ping in page.content for ping in PINGS), page.content
    return answer


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(line=lines)
def test_any_line_gets_a_safe_answer(engine, line):
    check(engine, line)


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(line=long_lines)
def test_very_long_input_is_answered_in_time(engine, line):
    answer = check(engine, line)
    if len(" ".join(line.split())) > 2000:
        assert answer.kind == "error"  # the engine refuses what no Discord message could carry


@pytest.mark.parametrize("line", [
    "", " ", "\n\t", "!", "/", "!!", "?", "...", "¿¡", "\u200b", "\u202eGNIHTYNA", "@everyone", "@here",
    "<@123> <@&456> <#789>", "!who @everyone", "!country <@123>", "!quote <#789>", "!search @here **bold**",
    "!help @everyone", "!summary @everyone", "!summary <@123>", "!ask <@&456> who said it?", "!stats @here",
    "**Who** hosted the `roundtable`?", "||spoiler|| ~~strike~~ > quote", "Vi\u200bet\u200dnam", "\ufeffThailand",
    "!ambassador " + "\u202e" + "dnaliahT", "x" * 2001, "!search " + "rice " * 600,
])
def test_known_awkward_lines(engine, line):
    check(engine, line)


# --- the shortcuts give exactly what scoring everything gives --------------------------------------
def full_scan(index: SearchIndex, query: list[tuple[str, ...]], allowed: set[int] | None, kinds: set[str] | None,
              limit: int) -> list[tuple[int, float, float]]:
    """BM25 over every document, written plainly: (position, score, coverage) of the best `limit`."""
    tfs = [Counter(d.terms) for d in index.docs]
    scores: dict[int, float] = {}
    matched: dict[int, float] = {}
    total = 0.0
    for slot in dict.fromkeys(query):
        weights = [index.idf(t) for t in slot]
        slot_weight = weights[0] or max(weights) or search.UNKNOWN_WEIGHT
        total += slot_weight
        best: dict[int, tuple[float, float]] = {}
        for term, idf in zip(slot, weights, strict=True):
            discount = 1.0 if term == slot[0] else search.SYNONYM_DISCOUNT
            for i, doc in enumerate(index.docs):
                tf = tfs[i][term]
                if not tf or (allowed is not None and i not in allowed):
                    continue
                if kinds is not None and doc.kind not in kinds:
                    continue
                norm = tf * (search.K1 + 1) / (tf + search.K1 * (1 - search.B + search.B * len(doc.terms) / index._avg))
                value = discount * idf * norm
                if value > best.get(i, (0.0, 0.0))[0]:
                    best[i] = (value, discount * slot_weight)
        for i, (value, weight) in best.items():
            scores[i] = scores.get(i, 0.0) + value
            matched[i] = matched.get(i, 0.0) + weight
    top = sorted(scores, key=lambda i: -scores[i])[:limit]
    return [(i, scores[i], matched[i] / (total or 1.0)) for i in top]


@pytest.fixture(scope="module")
def doubled(engine: Engine) -> SearchIndex:
    """The real documents twice over: every score ties with its copy's."""
    return SearchIndex(engine.index.docs * 2, engine.kb.synonyms)


KINDS = [None, {"fact"}, {"quote"}, {"paragraph"}, {"fact", "event"}, {"event"}, {"paragraph", "quote"}]


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), kinds=st.sampled_from(KINDS), limit=st.integers(1, 8), use_entity=st.booleans(),
       twice=st.booleans())
def test_search_gives_exactly_what_a_full_scan_gives(engine, doubled, monkeypatch, data, kinds, limit, use_entity,
                                                     twice):
    monkeypatch.setattr(search, "FULL_READ", 0)  # prune even the small real lists
    index = doubled if twice else engine.index
    words = data.draw(st.lists(st.sampled_from(sorted(index._words)) | st.sampled_from(WORDS), min_size=1, max_size=8))
    query = index.query_terms(" ".join(words))
    assume(query)
    allowed = None
    if use_entity:
        allowed = index.about(data.draw(st.sampled_from(sorted(index._about))))
    got = [(h.doc, h.score, h.coverage) for h in index.search(query, allowed=allowed, kinds=kinds, limit=limit)]
    assert got == [(index.docs[i], score, coverage) for i, score, coverage in full_scan(index, query, allowed, kinds,
                                                                                          limit)]


@settings(deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data(), kinds=st.sampled_from(KINDS[1:]))
def test_reaches_says_whether_a_search_finds_anything(engine, data, kinds):
    index = engine.index
    words = data.draw(st.lists(st.sampled_from(sorted(index._words)) | st.sampled_from(WORDS), min_size=1, max_size=4))
    query = index.query_terms(" ".join(words))
    assert index.reaches(query, kinds) == bool(index.search(query, kinds=kinds, limit=1))


keys = st.lists(st.text(alphabet="abcde fg", max_size=10), max_size=80, unique=True)


@settings(deadline=None)
@given(keys=keys, query=st.text(alphabet="abcde fgh", max_size=12), k=st.integers(0, 3))
def test_near_miss_lookup_gives_what_a_full_scan_gives(keys, query, k):
    want = process.extractOne(query, keys, scorer=OSA.distance, score_cutoff=k)
    assert FuzzyIndex(keys).closest(query, k) == ((want[0], int(want[1])) if want else None)


def test_the_time_bound_leaves_room(engine):
    """The slowest lines the strategies make are answered far inside TIME_BOUND."""
    for line in ("x " * 1000, "!search " + "covid vaccine rice " * 100, " ".join(WORDS * 20)[:2000]):
        start = time.perf_counter()
        engine.answer(line)
        assert time.perf_counter() - start < TIME_BOUND / 5, line
