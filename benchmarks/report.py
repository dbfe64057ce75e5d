"""docs/benchmarks.md from the results of `python -m benchmarks`."""

from __future__ import annotations

import statistics
from typing import Any

from benchmarks import conversations, discord_load
from benchmarks.coldstart import CASES
from benchmarks.queries import GROUPS
from benchmarks.worker import nearest_rank

PEER = "bm25s top-3"  # the peer the engine's p50 and p99 must not exceed
PEER_RATIO = 1.0
P99_100X_MS = 3.0
COLD_ASK_MS = 90.0
DISCORD_LAG_P99_MS = 20.0
DISCORD_IN_FLIGHT = "1000"
P99_REAL_MS = 2.0
BASELINE_RATIO = 20.0
P99_1000X_MS = 20.0
QUICK = "not measured in --quick"
ENGINE_FILES = ("engine/", "kb/")  # how the profile names the engine's own files (folder/file:function)
KIND_NAMES = {"command": "commands", "freeform": "free-form questions", "typo": "questions with typos",
              "out_of_scope": "questions the article does not answer"}
ASK = CASES[1]

PEERS_TEXT = """\
Same process, same knowledge base, same queries: every query of every round is answered by the engine
and by each peer in turn, the order rotating from one query to the next ({n} runs, {rounds} rounds of
{queries} queries each). The peers (`benchmarks/peers.py`) index the article's paragraphs only and answer
with the text of the top 1 or top 3 paragraphs; the engine answers everything (commands, figures,
quotes, people, did-you-mean), so a peer does less work per answer and gets far fewer answers right.
FTS5: the stdlib `sqlite3`, an in-memory table with `porter unicode61`, queried as any of the question's
words, ordered by `bm25()`. bm25s (`pip install -e '.[bench]'`): English stopwords and PyStemmer's
English stemmer, numpy backend.
Build: the time to index (the engine: facts, quotes, names, passages and all). RSS growth: resident memory
gained while that index was built, in the same process (the knowledge base already loaded)."""

LIMITS = """\
What the synthetic bases are and are not: copy 0 is the real knowledge base, every other copy repeats
that one article's structure (the same 13 sections, 129 paragraphs, 187 facts, 54 quotes, 10 member
states and 19 people per copy) with every name renamed to a made-up one and a share of ordinary words
swapped for made-up words (`benchmarks/synth.py`). So the scaled runs measure how the engine and the
peers grow with the number of documents and names, on text with one article's shape: the questions are
those of the mix plus a few about made-up names, the vocabulary's tail is synthetic, and topics,
synonyms, the event and the gazetteer are shared, not grown. They say nothing about a knowledge base
of many different articles, and accuracy is measured on the real base only."""

DISCORD_TEXT = """\
`python -m benchmarks.discord_load`: this process is the bot (the real `create_bot` and engine, over
discord.py's own HTTP and gateway code); the e2e fake Discord (`tests/e2e/load_fake.py`) runs in a
process of its own on 127.0.0.1. Each round the fake pushes N questions (free-form lines of the mix,
10 per user, so no cooldown applies) to the gateway back to back without waiting for an answer; the
round ends when N answers are posted. Answers per second: N over the time from the first push to the
last answer, in one bot process. Loop lag: a task asks to wake every {beat:g} ms and its lateness is
recorded at every wake-up of the round (on the clock: time the machine gave to other processes counts).
Medians of {rounds} rounds."""

HOW = """\
## How it is measured

- Every run is a fresh process (`python -m benchmarks.worker`): it loads and indexes the knowledge
  base (timed), builds the peers, answers the whole query mix once to warm up, then answers it several
  times in shuffled order, the engine and every peer in turn on each query, timing every answer with
  `time.perf_counter_ns` (the engine's `answer`, not the rendering; a peer's search and join). p50 and
  p99 are over all those answers of one run; the tables show the median of the runs. Answers per
  second: the mix answered in a loop for 3 s, the process pinned to one core. Peak memory: the
  process's peak resident set (`resource.getrusage`) before the peers are built, which includes the
  interpreter and the YAML parsing of the load.
- The query mix: the public question set (tests/data/questions.yaml) plus more of each kind
  (`benchmarks/queries.py`): commands, free-form questions, typos and out-of-scope questions.
  Scaled runs add questions about made-up countries and people of the synthetic base.
- The naive baseline (`benchmarks/baseline.py`), same process, same knowledge base, same queries:
  `difflib.get_close_matches` over every name and alias, then a linear `difflib.SequenceMatcher`
  scan of every fact and paragraph (with the usual `real_quick_ratio`/`quick_ratio` shortcuts).
  It is kept as a floor; the headline comparison is with the fastest peer.
- Synthetic knowledge bases (`benchmarks/synth.py`, written to a temporary directory and read
  by the real loader, so loading is the real code path): copy 0 is the real base; every other copy
  is another roundtable on the same theme, with its own countries, envoys, people, organisations,
  sections, facts, quotes and passages (every name made up, a share of ordinary words swapped for
  words of a made-up Zipf vocabulary, so no two copies share a sentence). Topics, synonyms, the event
  and the gazetteer are shared. 1000x has 13,000 countries, 19,000 people, 187,000 facts and 129,000
  paragraphs.
- Accuracy (`benchmarks/accuracy.py`): the shared dev sets and tests/data/questions.yaml, single
  questions only, each answer judged by the shared scorer's check.
- Cold start: wall time of fresh `python -m bot ask ...` processes (engine cache filled first, then
  with `BOT_NO_CACHE=1`) next to `python -c "import discord"` and `python -c pass`, with bytecode
  cached (as installed; the bytecode goes to a temporary `PYTHONPYCACHEPREFIX`) and without
  (`PYTHONDONTWRITEBYTECODE=1`, as this development shell sets it).
- The machine is shared (other test runs): the load average is shown, the real base is measured
  several times, and timings of a few milliseconds move by tens of percent between runs.
"""

ENGINE = """\
## What keeps it fast (with the same answers)

- Search (BM25): postings are kept per document kind, each list ordered by term weight. A search
  first scores the first documents of every list in full; that floor decides how far down each
  list can still matter, the slot with least left to read goes next, documents that can no longer
  reach the top are dropped, and the survivors are scored exactly. The results, and their order on
  equal scores, are those of scoring every document: `tests/engine/test_fuzz_engine.py` checks it against
  a plain full scan. The documents about an entity are precomputed instead of found by a scan.
- Near-miss names in questions and unknown query words: a trigram index proposes only the keys that
  can be within the allowed edits (a key k edits away shares `len + 2 - 4k` padded trigrams with the
  query), among the aliases with as many words first; the answer is the one a full
  `process.extractOne` scan gives (also checked by the fuzz tests).
- Command arguments and autocomplete are scored with `fuzz.WRatio`, which has no such bound: every
  name up to 2,000 names (the real base has about 500: identical results), beyond that the names
  sharing most of the query's rarer trigrams and those found whole inside it. There, a loose "did you
  mean" candidate can differ from what a full scan would offer.
- Lookups by id instead of scans: sections, envoys, quotes by speaker, section and topic, facts by
  section, topic words; the daily rotation is built once per engine (`!summary` rebuilt it every
  time, in time growing with the square of the base). The cached engine starts without importing
  the YAML parser.
- On Discord, each engine call takes a turn of the event loop of its own, so a burst of questions is
  answered one per turn with the gateway and heartbeats served in between
  (`tests/e2e/test_load.py`: 500 questions from 50 users at once, all answered, the loop never
  blocked 50 ms; about 20 to 35 ms on this machine, 0.8 s for all 500).
"""

WHY_PEER = """\
### The engine against {peer} (p50 {r50:.2f}x, p99 {r99:.2f}x)

By kind of query (the table above), the gap at p99 is widest for {widest} ({widest_ratio:.1f}x) and narrowest
for {narrowest} ({narrowest_ratio:.1f}x). A peer answers with one ranking in compiled code (numpy for bm25s,
SQLite's C for FTS5) over the paragraphs, and gets {peer_right} of the {n} questions of the
public sets right; the engine gets {engine_right}, because it first reads the question (names and aliases in every
script, spelling, concepts, small talk, what is asked), routes it (figures, envoys, gaps, follow-ups, double
questions) and then runs two to four BM25 searches over facts, events and paragraphs, all in Python: the answer
path is pure Python over an in-memory index by design. In the profile of the real base (under "The real knowledge
base, run by run") the largest single function, `{top_name}`, takes {top_share:.0%} of the time by itself.
Matching {peer} would take the searches and the reading of the question out of the interpreter (numpy or a
compiled extension), which that design excludes, so the two goals conflict and this target is left unmet.
"""

WHY_100X = """\
### p99 at 100x ({p99} ms)

The p99 of one run's {n:,} answers is its {rank} slowest, so the few slowest questions set it; in the
median run they were {slow}. They are free-form questions made of the theme's words and their synonyms (each
such word stands in thousands of the {docs:,} facts and paragraphs at 100x), and a double question searches
twice as often. Where their time goes (cProfile, {passes} passes over the {count} slowest questions of the median run):

| function | own | with callees |
| --- | --- | --- |
{table}

The engine's functions with most time of their own are {hot}. The search reads each posting list only as
far as can still change the top results and stops exactly where a full scan would give the same answer
(`tests/engine/test_fuzz_engine.py`). Going below {target:g} ms would need an approximate search, which could change
answers, or postings handled outside the interpreter.
"""

WHY_1000X = """\
### p99 at 1000x ({p99} ms)

The p99 target at 1000x does not hold. There the theme's words (those every section of the article
uses) each stand in a large share of {facts:,} facts and {paragraphs:,} paragraphs, and a
question made only of such words (with their synonyms) still leaves tens of thousands of postings
and candidates to settle in pure Python: those few questions take up to {worst} ms, the rest a few
milliseconds (p50 {p50} ms). Reading less would need an approximation (which the engine avoids:
answers must not change) or postings handled outside the interpreter (numpy or a compiled
extension, a new dependency for a knowledge base a thousand times the real one). Commands that list
every member state (`!stats`, "which country had the most cases") grow linearly by design: at 1000x
they list {countries:,} countries. Memory grows linearly ({rss:,.0f} MB resident at 1000x: posting arrays,
trigram indexes and the Python objects of {docs:,} documents), and so does loading (mostly YAML parsing).
The slowest answers of the median run at 1000x: {slow}. Those that are not questions of the theme's
words are not explained by the above.
"""


def _ms(v: float) -> str:
    return f"{v:.2f}" if v < 10 else f"{v:.1f}" if v < 100 else f"{v:,.0f}"


def _holds(ok: bool) -> str:
    return "yes" if ok else "**no**"


def _median(values: list[float]) -> float:
    return statistics.median(values)


def _runs(values: list[float]) -> str:
    return ", ".join(_ms(v) for v in values)


def _engine(runs: list[dict[str, Any]], key: str, group: str = "all") -> list[float]:
    return [run["engine"][group][key] for run in runs if group in run["engine"]]


def _peer(runs: list[dict[str, Any]], name: str, key: str, group: str = "all") -> list[float]:
    return [run["peers"][name]["timing"][group][key] for run in runs
            if name in run.get("peers", {}) and group in run["peers"][name]["timing"]]


def _peer_names(runs: list[dict[str, Any]]) -> list[str]:
    return list(runs[0].get("peers", {})) if runs else []


def _fastest(runs: list[dict[str, Any]]) -> str | None:
    """The peer with the least median mean time per answer."""
    names = _peer_names(runs)
    return min(names, key=lambda n: _median(_peer(runs, n, "mean"))) if names else None


def targets(r: dict[str, Any]) -> list[str]:
    """The targets table: every target, measured or marked as not measured."""
    real = r["real"]
    n = len(real)
    lines = ["| target | goal | measured | holds |", "| --- | --- | --- | --- |"]
    if PEER in _peer_names(real):
        for key in ("p50", "p99"):
            e, b = _engine(real, key), _peer(real, PEER, key)
            ratio = _median(e) / _median(b)
            lines.append(f"| engine {key} per answer vs {PEER}, same run | ratio <= {PEER_RATIO:g} | {ratio:.2f} "
                         f"({_ms(_median(e))} vs {_ms(_median(b))} ms, medians of {n} runs) | "
                         f"{_holds(ratio <= PEER_RATIO)} |")
    else:
        for key in ("p50", "p99"):
            lines.append(f"| engine {key} per answer vs {PEER}, same run | ratio <= {PEER_RATIO:g} | not measured "
                         f"(bm25s not installed: `pip install -e '.[bench]'`) | |")
    lines.append(_scale_row(r, 100, P99_100X_MS, "not measured (100x not in --scales)"))
    cold = r["cold"]
    for mode in cold:
        c = cold[mode][ASK]
        lines.append(f"| cold `{ASK}` ({mode}) | < {COLD_ASK_MS:g} ms median | {_ms(c['median'])} (median of "
                     f"{c.get('runs', '?')}; best {_ms(c['best'])}) | {_holds(c['median'] < COLD_ASK_MS)} |")
    d = (r.get("discord") or {}).get("sizes", {}).get(DISCORD_IN_FLIGHT)
    if d:
        lines.append(f"| through Discord: event-loop lag p99 at {int(DISCORD_IN_FLIGHT):,} questions in flight | "
                     f"< {DISCORD_LAG_P99_MS:g} ms | {d['lag_p99_ms']:.1f} (median of {len(d['runs'])} rounds: "
                     f"{_runs([x['lag_p99_ms'] for x in d['runs']])}) | "
                     f"{_holds(d['lag_p99_ms'] < DISCORD_LAG_P99_MS)} |")
    else:
        lines.append(f"| through Discord: event-loop lag p99 at {int(DISCORD_IN_FLIGHT):,} questions in flight | "
                     f"< {DISCORD_LAG_P99_MS:g} ms | not measured | |")
    p99s = _engine(real, "p99")
    lines.append(f"| p99 per answer, real knowledge base | < {P99_REAL_MS:g} ms | {_ms(_median(p99s))} (median of "
                 f"{n} runs: {_runs(p99s)}) | {_holds(_median(p99s) < P99_REAL_MS)} |")
    if all("baseline" in run for run in real):
        ratio = _median([run["baseline"]["all"]["mean"] for run in real]) / _median(_engine(real, "mean"))
        lines.append(f"| faster than the difflib baseline (a floor) | >= {BASELINE_RATIO:g}x | {ratio:,.0f}x (mean "
                     f"time per answer) | {_holds(ratio >= BASELINE_RATIO)} |")
    lines.append(_scale_row(r, 1000, P99_1000X_MS,
                            QUICK if r.get("quick") else "not measured (1000x not in --scales)"))
    return lines


def _scale_row(r: dict[str, Any], factor: int, limit_ms: float, skipped: str) -> str:
    """The target row for p99 per answer at a synthetic scale, or why it was not measured."""
    row = next((row for row in r["scales"] if row["factor"] == factor), None)
    if row is None:
        return f"| p99 per answer at {factor}x | < {limit_ms:g} ms | {skipped} | |"
    v = _engine(row["runs"], "p99")
    return (f"| p99 per answer at {factor}x | < {limit_ms:g} ms | {_ms(_median(v))} (median of {len(v)} runs: "
            f"{_runs(v)}) | {_holds(_median(v) < limit_ms)} |")


def peers(r: dict[str, Any]) -> list[str]:
    """The engine against its peers on the real knowledge base: time, build, memory, accuracy."""
    real = r["real"]
    names = _peer_names(real)
    lines = ["## The engine and its peers", ""]
    if not names:
        return [*lines, "Not measured: bm25s is not installed (`pip install -e '.[bench]'`).", ""]
    fastest = _fastest(real) or names[0]
    acc = next((run["accuracy"] for run in real if "accuracy" in run), None)
    sets = list(acc["sets"]) if acc else []
    head = "| | p50 | p99 | max | mean | engine/peer p50 | engine/peer p99 | build ms | import ms | RSS growth MB |"
    lines += [PEERS_TEXT.format(n=len(real), rounds=real[0].get("rounds", "?"), queries=real[0]["queries"]), "",
              head + "".join(f" right, {s} |" for s in sets),
              "| --- " * (10 + len(sets)) + "|"]
    e50, e99 = _median(_engine(real, "p50")), _median(_engine(real, "p99"))
    build = _median([run["build_s"] for run in real]) * 1000
    growth = _median([run["engine_rss_growth_mb"] for run in real])
    cells = [f"{acc['sets'][s]['engine']}/{acc['sets'][s]['n']}" for s in sets] if acc else []
    lines.append(f"| engine | {_ms(e50)} | {_ms(e99)} | {_ms(_median(_engine(real, 'max')))} | "
                 f"{_ms(_median(_engine(real, 'mean')))} | | | {_ms(build)} | | {growth:.1f} |"
                 + "".join(f" {c} |" for c in cells))
    for name in names:
        p50, p99 = _median(_peer(real, name, "p50")), _median(_peer(real, name, "p99"))
        info = real[0]["peers"][name]
        b = _median([run["peers"][name]["build_s"] for run in real]) * 1000
        cells = [f"{acc['sets'][s][name]}/{acc['sets'][s]['n']}" for s in sets] if acc else []
        lines.append(f"| {name}{' (fastest)' if name == fastest else ''} | {_ms(p50)} | {_ms(p99)} | "
                     f"{_ms(_median(_peer(real, name, 'max')))} | {_ms(_median(_peer(real, name, 'mean')))} | "
                     f"{e50 / p50:.2f} | {e99 / p99:.2f} | {_ms(b)} | {_ms(info['import_s'] * 1000)} | "
                     f"{_median([run['peers'][name]['rss_growth_mb'] for run in real]):.1f} |"
                     + "".join(f" {c} |" for c in cells))
    if all("baseline" in run for run in real):
        base = [run["baseline"]["all"] for run in real]
        cells = [f"{acc['sets'][s]['baseline']}/{acc['sets'][s]['n']}" for s in sets if "baseline" in acc["sets"][s]] \
            if acc else []
        lines.append(f"| difflib baseline (floor) | {_ms(_median([b['p50'] for b in base]))} | "
                     f"{_ms(_median([b['p99'] for b in base]))} | {_ms(_median([b['max'] for b in base]))} | "
                     f"{_ms(_median([b['mean'] for b in base]))} | | | | | |" + "".join(f" {c} |" for c in cells))
    f50, f99 = _median(_peer(real, fastest, "p50")), _median(_peer(real, fastest, "p99"))
    lines += ["", f"Headline: against the fastest peer ({fastest}, least mean time per answer) the engine takes "
                  f"{e50 / f50:.2f}x its time at p50 and {e99 / f99:.2f}x at p99 (below 1 is faster)."]
    if acc:
        notes = [f"`{s}` has {acc['sets'][s]['conversations']} conversation items (`turns:`) left out"
                 for s in sets if acc["sets"][s]["conversations"]]
        notes += [f"`{s}` holds the same items as `{acc['sets'][s]['same_as']}`" for s in sets
                  if acc["sets"][s].get("same_as")]
        lines += ["", f"Right answers: judged by the check of `{acc['check']}` (every `expect`, one of each `any`, "
                      "no `forbid`). Conversations are the engine's alone and are not in these sets"
                  + (f": {'; '.join(notes)}." if notes else ".")]
    lines += ["", "By kind of query (medians of the runs):", "",
              "| kind | n | engine p50 | engine p99 | " + " | ".join(f"{n} p50 | {n} p99" for n in names) + " |",
              "| --- " * (4 + 2 * len(names)) + "|"]
    for g in ("all", *GROUPS):
        if not _engine(real, "p50", g):
            continue
        cells = [f"{_ms(_median(_peer(real, n, 'p50', g)))} | {_ms(_median(_peer(real, n, 'p99', g)))}" for n in names]
        lines.append(f"| {g} | {real[0]['engine'][g]['n']} | {_ms(_median(_engine(real, 'p50', g)))} | "
                     f"{_ms(_median(_engine(real, 'p99', g)))} | " + " | ".join(cells) + " |")
    return [*lines, ""]


def markdown(r: dict[str, Any]) -> str:
    """The whole report."""
    m = r["machine"]
    real = r["real"]
    mid = sorted(real, key=lambda run: run["engine"]["all"]["p99"])[len(real) // 2]  # the median run
    cold = r["cold"]
    mode = "`python -m benchmarks --quick`" if r.get("quick") else "`python -m benchmarks`"
    lines = [
        "# Benchmarks", "",
        f"{mode} ({m['date']}, commit {m['commit']}, Python {m['python']}, {m['cpus']} CPUs, {m['platform']}).",
        f"Load average before: {_load(r['load_before'])}; after: {_load(r['load_after'])}. The machine is shared "
        "with other work.",
        f"Runs: {len(real)} over the real knowledge base ({real[0].get('rounds', '?')} timed rounds of the mix each), "
        + ", ".join(f"{len(row['runs'])} at {row['factor']}x" for row in r["scales"])
        + (f", {r['discord']['rounds']} rounds through Discord" if r.get("discord") else "")
        + f", {next(iter(next(iter(cold.values())).values())).get('runs', '?')} per cold-start case. "
        "Every timing below is the median of those runs.",
        *_busy(r),
        "Raw numbers: `docs/benchmarks.json`. Times are milliseconds unless marked.", "",
        "## Targets", "", *targets(r), "", *peers(r),
        "## The real knowledge base, run by run", "",
        f"{mid['summary']}; {mid['queries']} queries in the mix.", "",
        "| run | load | index | p50 | p99 | max | answers/s (one core) | peak RSS MB (engine only) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for n, run in enumerate(real, start=1):
        e = run["engine"]["all"]
        lines.append(f"| {n} | {_ms(run['load_s'] * 1000)} | {_ms(run['build_s'] * 1000)} | {_ms(e['p50'])} | "
                     f"{_ms(e['p99'])} | {_ms(e['max'])} | {run['per_second_one_core']:,.0f} | "
                     f"{run.get('peak_rss_before_peers_mb', run['peak_rss_mb']):.0f} |")
    lines += ["", "Slowest answers (median run): " + "; ".join(f"{_ms(ms)} `{q}`" for ms, q in mid["slowest"]) + ".",
              *_profile(mid),
              "", "## Scaling", "", LIMITS, "",
              "| size | runs | facts | paragraphs | files MB | generate s | load s | index s | p50 | p99 | max | "
              "answers/s | bm25s top-3 p50 / p99 | FTS5 top-3 p50 / p99 | RSS after index MB |",
              "| --- " * 15 + "|"]
    e = {k: _median(_engine(real, k)) for k in ("p50", "p99", "max")}
    lines.append(f"| 1x (real) | {len(real)} | 187 | 129 | 0.2 | | {_median([x['load_s'] for x in real]):.2f} | "
                 f"{_median([x['build_s'] for x in real]):.2f} | {_ms(e['p50'])} | {_ms(e['p99'])} | {_ms(e['max'])} | "
                 f"{_median([x['per_second_one_core'] for x in real]):,.0f} | {_pair(real, 'bm25s top-3')} | "
                 f"{_pair(real, 'FTS5 top-3')} | {_median([x['rss_after_build_mb'] for x in real]):.0f} |")
    for row in r["scales"]:
        runs, c = row["runs"], row["counts"]
        e = {k: _median(_engine(runs, k)) for k in ("p50", "p99", "max")}
        lines.append(f"| {row['factor']}x | {len(runs)} | {c['facts']:,} | {c['paragraphs']:,} | "
                     f"{row['size_mb']:.0f} | {row['generate_s']:.1f} | {_median([x['load_s'] for x in runs]):.1f} | "
                     f"{_median([x['build_s'] for x in runs]):.1f} | {_ms(e['p50'])} | {_ms(e['p99'])} | "
                     f"{_ms(e['max'])} | {_median([x['per_second_one_core'] for x in runs]):,.0f} | "
                     f"{_pair(runs, 'bm25s top-3')} | {_pair(runs, 'FTS5 top-3')} | "
                     f"{_median([x['rss_after_build_mb'] for x in runs]):,.0f} |")
    if r.get("quick"):
        lines.append(f"| 1000x | | | | | | | | | | | | | | {QUICK} |")
    for row in r["scales"]:
        mid_s = sorted(row["runs"], key=lambda run: run["engine"]["all"]["p99"])[len(row["runs"]) // 2]
        lines += ["", f"Slowest at {row['factor']}x (median run): "
                  + "; ".join(f"{_ms(ms)} `{q}`" for ms, q in mid_s["slowest"]) + "."]
    lines += ["", *discord(r), "## Cold start", "", "| command | " + " | ".join(cold) + " |",
              "| --- | " + " | ".join("---" for _ in cold) + " |"]
    for case in CASES:
        lines.append(f"| `{case}` | " + " | ".join(
            f"{_ms(cold[mode][case]['median'])} (best {_ms(cold[mode][case]['best'])})" for mode in cold) + " |")
    if r.get("conversations"):
        lines += ["", conversations.section(r["conversations"])]
    lines += ["", *misses(r), HOW, ENGINE]
    return "\n".join(lines).rstrip() + "\n"


def _busy(r: dict[str, Any]) -> list[str]:
    """A warning when other work kept the machine busy during the run."""
    cpus = r["machine"]["cpus"] or 1
    worst = max(r["load_before"][0], r["load_after"][0])
    if worst < 0.5 * cpus:
        return []
    return [f"The machine was busy with other work during this run (a 1-minute load of up to {worst:.2f} on {cpus} "
            "CPUs): absolute times are higher and the p99s noisier than on an idle machine; the ratios between the "
            "engine and its peers, measured in the same process on the same queries, are the fairer figures."]


def _pair(runs: list[dict[str, Any]], name: str) -> str:
    p50, p99 = _peer(runs, name, "p50"), _peer(runs, name, "p99")
    return f"{_ms(_median(p50))} / {_ms(_median(p99))}" if p50 else "not measured"


def discord(r: dict[str, Any]) -> list[str]:
    """The "Through Discord" section."""
    d = r.get("discord")
    lines = ["## Through Discord", ""]
    if not d:
        return [*lines, "Not measured.", ""]
    return [*lines, DISCORD_TEXT.format(rounds=d["rounds"], beat=d["beat_ms"]), "", discord_load.table(d), "",
            f"RSS when ready, before the first burst: {d['rss_ready_mb']:.0f} MB; peak: {d['peak_rss_mb']:.0f} MB.", ""]


def _load(avg: tuple[float, float, float] | list[float]) -> str:
    return " / ".join(f"{x:.2f}" for x in avg) + " (1/5/15 min)"


def _share(run: dict[str, Any], name: str) -> int:
    """How many of the public questions (single ones, each set once) an answerer got right in this run."""
    return sum(row[name] for row in run["accuracy"]["sets"].values() if not row.get("same_as"))


def _gaps(real: list[dict[str, Any]], peer: str) -> list[tuple[float, str]]:
    """The engine's p99 over the peer's by kind of query (medians of the runs), widest gap first."""
    gaps = []
    for group in GROUPS:
        engine, other = _engine(real, "p99", group), _peer(real, peer, "p99", group)
        if engine and other:
            gaps.append((_median(engine) / _median(other), KIND_NAMES.get(group, group)))
    return sorted(gaps, reverse=True)


def _ordinal(k: int) -> str:
    """1st, 2nd, 3rd, 4th ... 11th, 12th, 13th, 21st."""
    return f"{k}{'th' if 10 <= k % 100 <= 20 else {1: 'st', 2: 'nd', 3: 'rd'}.get(k % 10, 'th')}"


def _why_peer(real: list[dict[str, Any]], acc_run: dict[str, Any]) -> list[str]:
    """Why the engine is slower than the peer: the gap by kind, the accuracy, the profile's largest function."""
    e50, e99 = _median(_engine(real, "p50")), _median(_engine(real, "p99"))
    b50, b99 = _median(_peer(real, PEER, "p50")), _median(_peer(real, PEER, "p99"))
    if e50 / b50 <= PEER_RATIO and e99 / b99 <= PEER_RATIO:
        return []
    mid = sorted(real, key=lambda run: run["engine"]["all"]["p99"])[len(real) // 2]
    gaps = _gaps(real, PEER) or [(e99 / b99, "all queries")]
    top_name, top_share, _ = max(mid.get("profile", []), key=lambda row: row[1], default=("(not profiled)", 0.0, 0.0))
    sets = [row for row in acc_run["accuracy"]["sets"].values() if not row.get("same_as")]
    return [WHY_PEER.format(
        peer=PEER, r50=e50 / b50, r99=e99 / b99, widest=gaps[0][1], widest_ratio=gaps[0][0], narrowest=gaps[-1][1],
        narrowest_ratio=gaps[-1][0],
        peer_right=_share(acc_run, PEER), engine_right=_share(acc_run, "engine"), n=sum(row["n"] for row in sets),
        top_name=top_name, top_share=top_share)]


def _why_scale(row: dict[str, Any]) -> list[str]:
    """Why p99 at a synthetic size misses its target: the slowest questions and, at 100x, where their time goes."""
    mid = sorted(row["runs"], key=lambda run: run["engine"]["all"]["p99"])[len(row["runs"]) // 2]
    p99 = _ms(_median(_engine(row["runs"], "p99")))
    slow = "; ".join(f"{_ms(ms)} ms `{q}`" for ms, q in mid["slowest"])
    if row["factor"] == 1000:
        e = {k: _median(_engine(row["runs"], k)) for k in ("p50", "max")}
        counts = row["counts"]
        return [WHY_1000X.format(p99=p99, worst=_ms(e["max"]), p50=_ms(e["p50"]), slow=slow,
                                 rss=_median([x["peak_rss_before_peers_mb"] for x in row["runs"]]),
                                 facts=counts["facts"], paragraphs=counts["paragraphs"],
                                 countries=counts.get("countries", 0),
                                 docs=sum(counts.get(k, 0) for k in ("facts", "paragraphs", "quotes")))]
    n = mid["engine"]["all"]["n"]
    profiled = mid.get("profile_slowest", [])
    table = "\n".join(f"| `{name}` | {own:.0%} | {cum:.0%} |" for name, own, cum in profiled)
    hot = sorted((r for r in profiled if r[0].startswith(ENGINE_FILES)), key=lambda r: -r[1])[:3]
    return [WHY_100X.format(
        p99=p99, n=n, rank=_ordinal(n - nearest_rank(n, 99)), docs=row["counts"]["facts"] + row["counts"]["paragraphs"],
        slow=slow, passes=mid.get("profile_slowest_passes", "several"), count=len(mid["slowest"]),
        table=table or "| (not profiled in this run) | | |", target=P99_100X_MS,
        hot=", ".join(f"`{name.rsplit(':', 1)[-1]}` ({own:.0%})" for name, own, _ in hot) or "not profiled")]


def misses(r: dict[str, Any]) -> list[str]:
    """Why the search targets that do not hold do not, with the profiles that show it."""
    real = r["real"]
    lines = []
    acc_run = next((run for run in real if "accuracy" in run), None)
    if PEER in _peer_names(real) and acc_run:
        lines += _why_peer(real, acc_run)
    for factor, target in ((100, P99_100X_MS), (1000, P99_1000X_MS)):
        row = next((row for row in r["scales"] if row["factor"] == factor), None)
        if row and _median(_engine(row["runs"], "p99")) >= target:
            lines += _why_scale(row)
    lines += _why_cold(r["cold"])
    return ["## Targets that do not hold, and why", "", *lines] if lines else []


WHY_COLD = """\
### Cold start without bytecode ({slow} ms)

With `PYTHONDONTWRITEBYTECODE` set and no bytecode in the tree, Python compiles the bot's own modules on every
start: {slow} ms against {fast} ms with bytecode, so about {extra} ms of each start is compiling. The README's
run command compiles the bytecode once (`python -m compileall -q bot`), so a bot started as documented starts
in the bytecode time.
"""


def _why_cold(cold: dict[str, Any]) -> list[str]:
    """Why the cold start without bytecode misses its target while the one with bytecode holds (compiling)."""
    with_bytecode, without = cold.get("bytecode", {}).get(ASK), cold.get("no bytecode", {}).get(ASK)
    if not with_bytecode or not without or without["median"] < COLD_ASK_MS:
        return []
    return [WHY_COLD.format(slow=_ms(without["median"]), fast=_ms(with_bytecode["median"]),
                            extra=_ms(without["median"] - with_bytecode["median"]))]


def _profile(run: dict[str, Any]) -> list[str]:
    """Where the engine's time goes (a cProfile of the mix in the median run): why it is slower than its peers."""
    rows = run.get("profile")
    if not rows:
        return []
    return ["", "Where the engine's time goes (cProfile over 3 passes of the mix, median run; shares of the "
            "profiled total, the function itself and with what it calls). The peers answer with one C-backed "
            "ranking; the engine reads the question (names in every script, concepts, spelling, small talk), routes "
            "it (figures, envoys, gaps, follow-ups) and runs two to four pure-Python searches:", "",
            "| function | own | with callees |", "| --- | --- | --- |",
            *(f"| `{name}` | {own:.0%} | {cum:.0%} |" for name, own, cum in rows)]
