"""`python -m benchmarks`: measure the engine, print the tables and write docs/benchmarks.md.

Every measurement runs in a fresh process (`benchmarks.worker`), so load times, memory and caches
are those of that knowledge base alone: the real one (several times, the machine may be shared),
then synthetic ones 10x, 100x and 1000x its size (`benchmarks.synth`, in a temporary directory),
then the Discord bot's conversation store filled to its cap, then the cold start of `python -m bot ask`.
`--quick` stops at 100x.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
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
    return json.loads(out.stdout)


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


def main(argv: list[str] | None = None) -> int:
    """Run every benchmark; print the report and write it to docs/benchmarks.md."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--scales", default="10,100,1000", help="synthetic sizes, times the real knowledge base")
    p.add_argument("--quick", action="store_true", help="scales 10,100 only, fewer repeats")
    p.add_argument("--repeat", type=int, default=3, help="runs over the real knowledge base")
    p.add_argument("--output", type=Path, default=ROOT / "docs" / "benchmarks.md")
    p.add_argument("--no-write", action="store_true", help="print only")
    args = p.parse_args(argv)
    scales = [10, 100] if args.quick else [int(s) for s in args.scales.split(",") if s.strip()]
    repeat = 1 if args.quick else args.repeat

    results: dict[str, Any] = {"machine": machine(), "load_before": os.getloadavg()}
    print(f"real knowledge base: {repeat} run(s) with the baseline ...", file=sys.stderr, flush=True)
    results["real"] = [run_worker(ROOT / "knowledge", "--baseline", "--rounds", "10") for _ in range(repeat)]
    results["scales"] = []
    for factor in scales:
        print(f"synthetic {factor}x ...", file=sys.stderr, flush=True)
        with tempfile.TemporaryDirectory(prefix=f"kb{factor}x-") as tmp:
            dest = Path(tmp) / "knowledge"
            counts, gen_s, size_mb = generate(dest, factor)
            rounds = "5" if factor <= 100 else "3"
            row = run_worker(dest, "--rounds", rounds, "--seconds", "3")
            row.update(factor=factor, counts=counts, generate_s=gen_s, size_mb=size_mb)
            results["scales"].append(row)
            shutil.rmtree(dest, ignore_errors=True)
    print("conversations ...", file=sys.stderr, flush=True)
    results["conversations"] = [run_conversations(cap) for cap in (10_000, 100_000)]
    print("cold start ...", file=sys.stderr, flush=True)
    results["cold"] = coldstart.measure(runs=5 if args.quick else 9)
    results["load_after"] = os.getloadavg()
    report = markdown(results)
    soaked = args.output.with_name("soak.json")
    if soaked.exists():  # the soak runs on its own (`python -m benchmarks.soak`): keep its section
        report = report.rstrip("\n") + "\n\n" + soak.section(json.loads(soaked.read_text(encoding="utf-8")))
    print(report)
    if not args.no_write:
        args.output.write_text(report, encoding="utf-8")
        (args.output.with_suffix(".json")).write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
        print(f"written to {args.output} and {args.output.with_suffix('.json')}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
