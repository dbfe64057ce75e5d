"""`python -m benchmarks`: measure the engine and its peers, print the tables and write docs/benchmarks.md.

Every measurement runs in a fresh process (`benchmarks.worker`), so load times, memory and caches
are those of that knowledge base alone: the real one (5 runs, each timing the engine interleaved with
the retrieval peers FTS5 and bm25s, `benchmarks.peers`, and the difflib baseline), then synthetic ones
10x, 100x and 1000x its size (`benchmarks.synth`, in a temporary directory; 5, 5 and 3 runs), then the
bot through the fake Discord (`benchmarks.discord_load`), the Discord bot's conversation store filled
to its cap, and the cold start of `python -m bot ask`. Every timing reported is the median of several
runs. `--quick`: 3 runs of fewer rounds, stops at 100x; what it skips is marked so in the report.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from benchmarks import coldstart, soak
from benchmarks.report import markdown

ROOT = Path(__file__).resolve().parents[1]


def run_worker(knowledge: Path, *args: str) -> dict[str, Any]:
    """One `benchmarks.worker` process over a knowledge directory; its JSON result."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.worker", "--knowledge", str(knowledge), *args],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    result["knowledge"] = knowledge.name if knowledge.parent == ROOT else "synthetic"  # no machine's paths
    return result


def run_discord(rounds: int) -> dict[str, Any]:
    """One `benchmarks.discord_load` process (the bot) against the fake Discord; its JSON result."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.discord_load", "--rounds", str(rounds), "--json"],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def median_conversations(cap: int, runs: int) -> dict[str, Any]:
    """`run_conversations` `runs` times: the first run's memory figures, the median fill and look-up times."""
    rows = [run_conversations(cap) for _ in range(runs)]
    return {**rows[0], "runs": runs, "fill_s": statistics.median(r["fill_s"] for r in rows),
            "lookup_us": statistics.median(r["lookup_us"] for r in rows)}


def run_conversations(cap: int) -> dict[str, Any]:
    """One `benchmarks.conversations` process filling a store to `cap`; its JSON result."""
    out = subprocess.run([sys.executable, "-m", "benchmarks.conversations", "--cap", str(cap), "--json"],
                         cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout)


def generate(dest: Path, factor: int) -> tuple[dict[str, int], float, float]:
    """A synthetic knowledge base in `dest`: its record counts, seconds to generate, and size in MB."""
    start = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", "benchmarks.synth", str(dest), str(factor)], cwd=ROOT, check=True,
                         capture_output=True, text=True)
    seconds = time.perf_counter() - start
    size = sum(f.stat().st_size for f in dest.iterdir()) / 2**20
    return json.loads(out.stdout), seconds, size


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True)
    return {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
            "commit": commit.stdout.strip() or "?", "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")}


def with_soak(report: str, output: Path) -> str:
    """The report with the soak's section: the soak runs on its own (`python -m benchmarks.soak`) and keeps its
    results beside the report."""
    soaked = output.with_name("soak.json")
    if not soaked.exists():
        return report
    return report.rstrip("\n") + "\n\n" + soak.section(json.loads(soaked.read_text(encoding="utf-8")))


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark; print the report and write it to docs/benchmarks.md."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--scales", default="10,100,1000", help="synthetic sizes, times the real knowledge base")
    p.add_argument("--quick", action="store_true", help="scales 10,100 only, 3 runs of fewer rounds")
    p.add_argument("--repeat", type=int, default=5, help="runs over the real knowledge base and up to 100x")
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--no-write", action="store_true", help="print only")
    p.add_argument("--render", type=Path, metavar="JSON", help="measure nothing: the report of a saved results file")
    args = p.parse_args(argv)
    if args.render:
        report = with_soak(markdown(json.loads(args.render.read_text(encoding="utf-8"))), args.output)
        print(report)
        if not args.no_write:
            args.output.write_text(report, encoding="utf-8")
        return 0
    scales = [10, 100] if args.quick else [int(s) for s in args.scales.split(",") if s.strip()]
    repeat = 3 if args.quick else args.repeat
    rounds = 3 if args.quick else 10

    results: dict[str, Any] = {"machine": machine(), "load_before": os.getloadavg(), "quick": args.quick}
    print(f"real knowledge base: {repeat} runs with the peers and the baseline ...", file=sys.stderr, flush=True)
    results["real"] = [run_worker(ROOT / "knowledge", "--peers", "--baseline", "--profile", "--rounds", str(rounds),
                                  *(["--accuracy"] if n == 0 else [])) for n in range(repeat)]
    results["scales"] = []
    for factor in scales:
        runs = repeat if factor <= 100 else max(3, repeat // 2)
        print(f"synthetic {factor}x: {runs} runs ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"kb{factor}x-") as tmp:
            dest = Path(tmp) / "knowledge"
            counts, gen_s, size_mb = generate(dest, factor)
            per_run = "2" if args.quick else "5" if factor <= 100 else "3"
            row = {"factor": factor, "counts": counts, "generate_s": gen_s, "size_mb": size_mb,
                   "runs": [run_worker(dest, "--peers", "--rounds", per_run, "--seconds", "3",
                                       *(["--profile"] if factor == 100 else [])) for _ in range(runs)]}
            results["scales"].append(row)
            shutil.rmtree(dest, ignore_errors=True)
    print("through the fake Discord ...", file=sys.stderr, flush=True)
    results["discord"] = run_discord(3 if args.quick else 5)
    print("conversations ...", file=sys.stderr, flush=True)
    results["conversations"] = [median_conversations(cap, 3) for cap in (10_000, 100_000)]
    print("cold start ...", file=sys.stderr, flush=True)
    results["cold"] = coldstart.measure(runs=5 if args.quick else 9)
    results["load_after"] = os.getloadavg()
    report = with_soak(markdown(results), args.output)
    print(report)
    if not args.no_write:
        args.output.write_text(report, encoding="utf-8")
        (args.output.with_suffix(".json")).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"written to {args.output} and {args.output.with_suffix('.json')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
