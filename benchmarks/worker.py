"""One measurement run in its own process: `python -m benchmarks.worker --knowledge DIR [--peers] [--baseline]`.

Loads and indexes the knowledge base (timed), answers the query mix for a few rounds (every answer
timed), measures answers per second pinned to one core, and prints one JSON object. Being its own
process, its peak resident memory is that of this knowledge base alone. With `--peers` the retrieval
peers (`benchmarks.peers`) are built after the engine's memory is read, and every query of every round
is answered by the engine and each peer in turn (their order rotating from one query to the next), so
a change in the machine's load falls on all of them alike. With `--accuracy` the engine, the peers and
(with `--baseline`) the naive baseline also answer the question sets (`benchmarks.accuracy`).
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import random
import resource
import sys
import time
from collections.abc import Callable
from pathlib import Path

from benchmarks.queries import GROUPS, flat, mix, scaled_queries

ROOT = Path(__file__).resolve().parents[1]


def shown(path: Path) -> str:
    """A knowledge folder as the results name it: relative to the checkout, else by its own name (no machine
    paths in the results)."""
    try:
        return str(path.resolve().relative_to(ROOT))
    except ValueError:
        return path.name


SLOWEST_PASSES = 20  # cProfile passes over the slowest questions (each takes a few ms)


def nearest_rank(n: int, q: float) -> int:
    """The index, in ascending order, of the q-th percentile (0-100) of `n` values by nearest rank: the smallest
    value with at least q% of the values at or below it."""
    return max(0, min(n - 1, math.ceil(q * n / 100) - 1))


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100), nearest rank."""
    ordered = sorted(values)
    return ordered[nearest_rank(len(ordered), q)]


def timed_rounds(answer: Callable[[str], object], queries: list[tuple[str, str]], rounds: int,
                 seed: int = 11) -> list[tuple[str, str, float]]:
    """(group, query, milliseconds) for every answer over `rounds` shuffled passes, after one warm-up pass."""
    for _, q in queries:
        answer(q)
    rng = random.Random(seed)
    samples = []
    clock = time.perf_counter_ns
    for _ in range(rounds):
        order = queries[:]
        rng.shuffle(order)
        for group, q in order:
            start = clock()
            answer(q)
            samples.append((group, q, (clock() - start) / 1e6))
    return samples


def timed_interleaved(answerers: dict[str, Callable[[str], object]], queries: list[tuple[str, str]], rounds: int,
                      seed: int = 11) -> dict[str, list[tuple[str, str, float]]]:
    """Like `timed_rounds` for several answerers at once: each query is answered by every one of them in
    turn, the order rotating from query to query; {name: (group, query, milliseconds) samples}."""
    names = list(answerers)
    for _, q in queries:
        for name in names:
            answerers[name](q)
    rng = random.Random(seed)
    samples: dict[str, list[tuple[str, str, float]]] = {name: [] for name in names}
    clock = time.perf_counter_ns
    turn = 0
    for _ in range(rounds):
        order = queries[:]
        rng.shuffle(order)
        for group, q in order:
            turn += 1
            for i in range(len(names)):
                name = names[(turn + i) % len(names)]
                answer = answerers[name]
                start = clock()
                answer(q)
                samples[name].append((group, q, (clock() - start) / 1e6))
    return samples


def per_second(answer: Callable[[str], object], queries: list[tuple[str, str]], seconds: float) -> float:
    """Answers per second on one core: the mix answered in a loop for about `seconds`."""
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})
    done, start = 0, time.perf_counter()
    while True:
        for _, q in queries:
            answer(q)
        done += len(queries)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return done / elapsed


def summary(samples: list[tuple[str, str, float]]) -> dict[str, object]:
    """p50, p99 and max overall and per group."""
    def stats(ms: list[float]) -> dict[str, float]:
        return {"n": len(ms), "p50": percentile(ms, 50), "p99": percentile(ms, 99), "max": max(ms),
                "mean": sum(ms) / len(ms)}

    out: dict[str, object] = {"all": stats([ms for _, _, ms in samples])}
    for g in GROUPS:
        ms = [v for grp, _, v in samples if grp == g]
        if ms:
            out[g] = stats(ms)
    return out


def slowest(samples: list[tuple[str, str, float]], n: int = 5) -> list[tuple[float, str]]:
    """The `n` slowest queries, each with its slowest answer."""
    worst: dict[str, float] = {}
    for _, q, ms in samples:
        worst[q] = max(worst.get(q, 0.0), ms)
    return sorted(((ms, q) for q, ms in worst.items()), reverse=True)[:n]


def resident_mb() -> float:
    """Current resident set size in MiB (Linux), else the peak."""
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE") / 2**20
    except (OSError, ValueError, IndexError):
        return peak_mb()


def peak_mb() -> float:
    """Peak resident set size of this process in MiB."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def profile(answer: Callable[[str], object], queries: list[tuple[str, str]], rounds: int = 3,
            top: int = 12) -> list[tuple[str, float, float]]:
    """The engine's functions taking most of its own time over the mix (cProfile, `rounds` passes): (function,
    share of the total in the function itself, share including what it calls)."""
    import cProfile
    import pstats

    prof = cProfile.Profile()
    prof.enable()
    for _ in range(rounds):
        for _, q in queries:
            answer(q)
    prof.disable()
    stats = pstats.Stats(prof).stats  # type: ignore[attr-defined]  # the stubs do not declare the table
    total = sum(tt for _, _, tt, _, _ in stats.values()) or 1.0
    rows = sorted(((f"{Path(file).parent.name}/{Path(file).name}:{name}" if file != "~" else name, tt / total,
                    ct / total) for (file, _, name), (_, _, tt, ct, _) in stats.items()), key=lambda r: -r[1])
    return rows[:top]


def main(argv: list[str] | None = None) -> int:
    """Measure one knowledge base; print the results as JSON."""
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--knowledge", type=Path, required=True)
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--seconds", type=float, default=3.0, help="length of the answers-per-second run")
    p.add_argument("--baseline", action="store_true", help="also time the naive baseline on the same queries")
    p.add_argument("--baseline-rounds", type=int, default=1)
    p.add_argument("--peers", action="store_true", help="time FTS5 and bm25s, interleaved with the engine")
    p.add_argument("--accuracy", action="store_true", help="score engine, peers and baseline on the question sets")
    p.add_argument("--profile", action="store_true", help="where the engine's time goes, by function (cProfile)")
    args = p.parse_args(argv)

    from bot.engine import Engine
    from bot.kb.loader import load_knowledge

    gc.collect()
    t0 = time.perf_counter()
    kb = load_knowledge(args.knowledge)
    t1 = time.perf_counter()
    rss_loaded = resident_mb()
    engine = Engine(kb, rng=random.Random(3))
    t2 = time.perf_counter()
    rss_built = resident_mb()
    peak_engine = peak_mb()
    groups = mix()
    for g, extra in scaled_queries(kb).items():
        groups[g] += extra
    queries = flat(groups)
    built = []
    if args.peers:
        from benchmarks import peers

        built = peers.build(kb, resident_mb)
        timed = timed_interleaved({"engine": engine.answer, **{peer.name: peer.answer for peer in built}}, queries,
                                  args.rounds)
        samples = timed.pop("engine")
    else:
        timed, samples = {}, timed_rounds(engine.answer, queries, args.rounds)
    result: dict[str, object] = {
        "knowledge": shown(args.knowledge), "summary": kb.summary_line(), "queries": len(queries),
        "rounds": args.rounds, "load_s": t1 - t0, "build_s": t2 - t1, "rss_after_build_mb": rss_built,
        "engine_rss_growth_mb": rss_built - rss_loaded, "peak_rss_before_peers_mb": peak_engine,
        "engine": summary(samples), "slowest": slowest(samples),
        "peers": {peer.name: {"timing": summary(timed[peer.name]), "build_s": peer.build_s, "import_s": peer.import_s,
                              "rss_growth_mb": peer.rss_growth_mb} for peer in built},
    }
    if args.accuracy:
        from benchmarks.accuracy import score

        answerers = {"engine": lambda q: engine.answer(q).to_text(), **{peer.name: peer.answer for peer in built}}
        if args.baseline:
            from benchmarks.baseline import NaiveBot

            answerers["baseline"] = NaiveBot(kb).answer
        result["accuracy"] = score(answerers)
    if args.baseline:
        from benchmarks.baseline import NaiveBot

        result["baseline"] = summary(timed_rounds(NaiveBot(kb).answer, queries, args.baseline_rounds))
    if args.profile:
        result["profile"] = profile(engine.answer, queries)
        slow = [("slowest", q) for _, q in slowest(samples)]
        result["profile_slowest"] = profile(engine.answer, slow, rounds=SLOWEST_PASSES)
        result["profile_slowest_passes"] = SLOWEST_PASSES
    result["per_second_one_core"] = per_second(engine.answer, queries, args.seconds)
    result["peak_rss_mb"] = peak_mb()
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
