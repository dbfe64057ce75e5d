"""A quick check of the benchmark's own code: the peers answer, accuracy is judged, every target is reported."""

from __future__ import annotations

import pytest

from benchmarks import accuracy, peers, report, worker
from benchmarks.coldstart import CASES
from benchmarks.worker import resident_mb, summary, timed_interleaved
from bot.kb.loader import KnowledgeBase


def test_fts5_finds_the_paragraph_and_nothing_for_no_word(kb: KnowledgeBase):
    index = peers.Fts5(peers.paragraphs(kb))
    top = index.search("!ambassador Umar Hadi", 3)
    assert 1 <= len(top) <= 3 and any("Umar Hadi" in text for text in top)
    assert index.search("!!!???", 3) == [] and index.search('"the" OR', 1) == []


def test_bm25s_peer(kb: KnowledgeBase):
    pytest.importorskip("bm25s")
    index = peers.Bm25s(peers.paragraphs(kb))
    assert any("Umar Hadi" in text for text in index.search("Umar Hadi", 3))
    assert index.search("asdfghjkl", 3) == []


def test_interleaved_timing_and_accuracy(kb: KnowledgeBase):
    built = peers.build(kb, resident_mb, skip=("bm25s",))
    assert [p.name for p in built] == ["FTS5 top-1", "FTS5 top-3"]
    timed = timed_interleaved({p.name: p.answer for p in built}, [("freeform", "Who hosted the roundtable?")], 2)
    assert all(len(samples) == 2 for samples in timed.values())
    scored = accuracy.score({"echo": lambda q: q})
    assert scored["sets"]["questions"]["n"] > 0 and "turns" not in str(scored["sets"])


def _run(ms: float, command_ms: float | None = None) -> dict:
    stats = summary([("freeform", "q", ms), ("command", "!q", ms if command_ms is None else command_ms)])
    return {"engine": stats, "summary": "s", "queries": 2, "rounds": 1, "load_s": 0.1, "build_s": 0.1,
            "rss_after_build_mb": 1.0, "engine_rss_growth_mb": 1.0, "peak_rss_before_peers_mb": 1.0,
            "peak_rss_mb": 2.0, "per_second_one_core": 1.0, "slowest": [[ms, "q"]],
            "peers": {"bm25s top-3": {"timing": stats, "build_s": 0.01, "import_s": 0.1, "rss_growth_mb": 1.0}}}


ACCURACY = {"check": "score.py", "sets": {
    "dev": {"n": 4, "conversations": 0, "same_as": None, "engine": 4, "bm25s top-3": 2},
    "dev again": {"n": 4, "conversations": 0, "same_as": "dev", "engine": 4, "bm25s top-3": 2}}}


def _results(real: dict, at_100x: dict, quick: bool = False, docs: int = 2, at_1000x: dict | None = None) -> dict:
    """Benchmark results as `python -m benchmarks` collects them: 3 runs of `real`, 3 of `at_100x` (and `at_1000x`)."""
    cold = {"bytecode": {case: {"median": 50.0, "best": 40.0, "worst": 60.0, "runs": 3} for case in CASES}}
    scales = [{"factor": factor, "counts": {"facts": docs - docs // 3, "paragraphs": docs // 3}, "generate_s": 1.0,
               "size_mb": 1.0, "runs": [run] * 3} for factor, run in ((100, at_100x), (1000, at_1000x)) if run]
    return {"machine": {"python": "3", "cpus": 2, "platform": "p", "commit": "c", "date": "d"},
            "load_before": [1, 1, 1], "load_after": [1, 1, 1], "quick": quick, "real": [real] * 3,
            "scales": scales, "cold": cold}


def test_quick_report_lists_every_target():
    text = report.markdown(_results(_run(1.0), _run(2.0), quick=True))
    assert "| engine p99 per answer vs bm25s top-3, same run | ratio <= 1 | 1.00" in text
    assert "| p99 per answer at 1000x | < 20 ms | not measured in --quick |" in text
    assert "event-loop lag p99 at 1,000 questions in flight | < 20 ms | not measured" in text
    assert "Runs: 3 over the real knowledge base" in text


def _why(text: str) -> str:
    return text.split("## Targets that do not hold, and why", 1)[1].split("## How it is measured", 1)[0]


def test_report_says_why_a_search_target_does_not_hold():
    profiled = [["engine/search.py:_candidates", 0.4, 0.9], ["engine/x.py:_value", 0.1, 0.2]]
    slow = _run(5.0) | {"engine": summary([("freeform", "q", 5.0)] * 745), "profile_slowest_passes": 20,
                        "profile_slowest": profiled}
    real = _run(2.0, command_ms=3.0) | {"peers": _run(1.0)["peers"], "accuracy": ACCURACY,
                                        "profile": [["engine/names.py:resolve", 0.07, 0.1]]}
    why = _why(report.markdown(_results(real, slow, docs=15, at_1000x=_run(30.0))))
    assert "### The engine against bm25s top-3 (p50 2.00x, p99 3.00x)" in why  # nearest rank: p50 of two is the lower
    assert "widest for commands (3.0x) and narrowest\nfor free-form questions (2.0x)" in why
    assert "gets 2 of the 4 questions" in why and "the engine gets 4" in why
    assert "`engine/names.py:resolve`, takes 7% of the time" in why
    assert "### p99 at 100x (5.00 ms)" in why and "| `engine/search.py:_candidates` | 40% | 90% |" in why
    assert "its 8th slowest" in why and "20 passes over the 1 slowest" in why
    assert "`_candidates` (40%), `_value` (10%)" in why and "thousands of the 15 facts" in why
    assert "### p99 at 1000x (30.0 ms)" in why


def test_report_has_no_why_when_the_targets_hold():
    real = _run(1.0) | {"accuracy": ACCURACY, "profile": [["engine/names.py:resolve", 0.07, 0.1]]}
    text = report.markdown(_results(real, _run(1.0), at_1000x=_run(10.0)))
    held = "vs bm25s top-3, same run | ratio <= 1 | 1.00 (1.00 vs 1.00 ms, medians of 3 runs) | yes |"
    assert "do not hold, and why" not in text and held in text


def test_nearest_rank_is_the_smallest_value_with_the_share_at_or_below_it():
    assert [worker.nearest_rank(n, 99) for n in (1, 100, 300, 745)] == [0, 98, 296, 737]
    assert worker.percentile(list(range(1, 11)), 50) == 5
    assert [report._ordinal(k) for k in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101)] == [
        "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st"]


def test_report_says_why_the_cold_start_without_bytecode_misses():
    results = _results(_run(1.0), _run(1.0))
    compiling = {"median": 99.0, "best": 95.0, "worst": 110.0, "runs": 3}
    results["cold"]["no bytecode"] = {case: compiling for case in CASES}
    why = _why(report.markdown(results))
    assert "### Cold start without bytecode (99.0 ms)" in why and "about 49.0 ms of each start is compiling" in why
