"""Cold start: wall time of fresh interpreters running `python -m bot ask` and `python -c "import discord"`.

Measured twice: with bytecode cached (as an installed package or the Docker image runs; the bytecode
goes to a temporary PYTHONPYCACHEPREFIX, not into the tree) and without (PYTHONDONTWRITEBYTECODE=1,
as in a shell that sets it: the project's own modules are then compiled on every start).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "!country Vietnam"


def wall(argv: list[str], env: dict[str, str], runs: int) -> list[float]:
    """Milliseconds of wall time for each of `runs` runs of `argv` (each must exit 0)."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, env=env, check=True, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL)
        times.append((time.perf_counter() - start) * 1000)
    return times


CASES = ("python -c pass", f'python -m bot ask "{QUESTION}"', f'python -m bot ask "{QUESTION}" (BOT_NO_CACHE=1)',
         'python -c "import discord"')


def measure(runs: int = 7, python: str = sys.executable) -> dict[str, dict[str, dict[str, float]]]:
    """{mode: {case: {median, best, worst}}} in milliseconds; modes "bytecode" and "no bytecode"."""
    out: dict[str, dict[str, dict[str, float]]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        base = {k: v for k, v in os.environ.items() if k not in (
            "DISCORD_TOKEN", "BOT_NO_CACHE", "BOT_KNOWLEDGE_DIR", "PYTHONPROFILEIMPORTTIME", "PYTHONDONTWRITEBYTECODE",
            "PYTHONPYCACHEPREFIX")}
        base["BOT_CACHE_DIR"] = str(Path(tmp) / "engine")
        modes = {"bytecode": {**base, "PYTHONPYCACHEPREFIX": str(Path(tmp) / "pyc")},
                 "no bytecode": {**base, "PYTHONDONTWRITEBYTECODE": "1"}}
        ask = [python, "-m", "bot", "ask", QUESTION]
        for mode, env in modes.items():
            for argv in (ask, [python, "-c", "import discord"]):  # fill the engine and bytecode caches
                subprocess.run(argv, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
            cases = dict(zip(CASES, (([python, "-c", "pass"], env), (ask, env), (ask, {**env, "BOT_NO_CACHE": "1"}),
                                     ([python, "-c", "import discord"], env)), strict=True))
            out[mode] = {}
            for name, (argv, case_env) in cases.items():
                times = wall(argv, case_env, runs)
                out[mode][name] = {"median": statistics.median(times), "best": min(times), "worst": max(times),
                                  "runs": runs}
    return out
