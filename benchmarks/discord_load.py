"""Through Discord: the bot process answering bursts of questions from the e2e fake Discord on 127.0.0.1.

`python -m benchmarks.discord_load [--in-flight 200,1000] [--rounds 5] [--json]`. The fake Discord
(`tests/e2e/load_fake.py`) runs in a process of its own, as the real one is elsewhere; this process is
the bot: the real `create_bot` with the real engine, over discord.py's own HTTP and gateway code. Each
round, the fake pushes N questions (the mix's free-form ones, from N/10 users, so no cooldown applies)
to the gateway back to back without waiting for any answer, so up to N are in flight at once; the
round ends when the bot has posted N answers. Reported per round: answers per second (N over the time
from the first push to the last answer), the event loop's lag (a task asks to wake every 5 ms; its
lateness, sampled at every wake-up during the round, p50/p99/max on the clock) and the process RSS.
Every figure is the median over the rounds. Nothing of the bot is changed for the measurement.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import logging
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
TOKEN = "fake.token.for-benchmarks"
BEAT = 0.005  # seconds between the lag probe's wake-ups
PER_USER = 10
ANSWERED_WITHIN = 120.0


class LagProbe:
    """Asks to wake every `BEAT` seconds and records each wake-up's lateness in milliseconds."""

    def __init__(self) -> None:
        self.late_ms: list[float] = []
        self._task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        clock = time.perf_counter
        while True:
            before = clock()
            await asyncio.sleep(BEAT)
            self.late_ms.append(max(0.0, (clock() - before - BEAT) * 1000))

    def start(self) -> None:
        """Start probing on the running loop."""
        self._task = asyncio.get_running_loop().create_task(self._run())

    async def stop(self) -> None:
        """Stop probing."""
        if self._task:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task


def questions(n: int) -> list[str]:
    """`n` questions: the benchmark mix's free-form lines (an ask channel gets messages, not commands), repeated."""
    from benchmarks.queries import mix

    lines = [q for group, qs in mix().items() if group != "command" for q in qs if not q.startswith("!")]
    return [lines[i % len(lines)] for i in range(n)]


def _start_fake() -> tuple[subprocess.Popen[str], str, str]:
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    proc = subprocess.Popen([sys.executable, "-m", "tests.e2e.load_fake", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    urls = dict(part.split("=", 1) for part in proc.stdout.readline().split())
    return proc, urls["DISCORD_API_BASE"], urls["DISCORD_GATEWAY_URL"]


def _percentile(values: list[float], q: float) -> float:
    from benchmarks.worker import percentile

    return percentile(values, q) if values else 0.0


async def _measure(api: str, gateway: str, sizes: list[int], rounds: int) -> dict[str, Any]:
    import aiohttp
    import discord
    import yarl

    from benchmarks.worker import peak_mb, resident_mb
    from bot.config import parse_settings
    from bot.discordbot.app import create_bot
    from bot.engine import Engine
    from bot.kb.loader import load_knowledge

    discord.http.Route.BASE = api
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    base = api.removesuffix("/api/v10")
    kb = load_knowledge()
    engine = Engine(kb)
    out: dict[str, Any] = {"beat_ms": BEAT * 1000, "rounds": rounds, "sizes": {}}
    async with aiohttp.ClientSession() as session:

        async def control(method: str, route: str, **kwargs: Any) -> Any:
            async with session.request(method, f"{base}/_fake/{route}", **kwargs) as response:
                return await response.json()

        ask = (await control("GET", "world"))["channels"]["ask"]
        settings = parse_settings({"ask_channels": [int(ask)], "cooldown": {"rate": 100, "per": 1.0}}, "benchmark")
        bot: Any = create_bot(settings, kb, guild_ready_timeout=0.01, engine_factory=lambda _: engine)
        running = asyncio.create_task(bot.start(TOKEN))
        try:
            await asyncio.wait_for(bot.wait_until_ready(), 10)
            out["rss_ready_mb"] = resident_mb()
            for n in sizes:
                runs = []
                for r in range(rounds):
                    burst = [[q, f"r{r}n{n}u{i // PER_USER}"] for i, q in enumerate(questions(n))]
                    before = await control("GET", "replies", params={"channel": ask})
                    gc.collect()
                    probe = LagProbe()
                    probe.start()
                    start = time.perf_counter()
                    await control("POST", "burst", json={"channel": "ask", "messages": burst})
                    while (answered := await control("GET", "replies", params={"channel": ask}) - before) < n:
                        if time.perf_counter() - start > ANSWERED_WITHIN:
                            break
                        await asyncio.sleep(0.02)
                    elapsed = time.perf_counter() - start
                    await probe.stop()
                    lag = probe.late_ms
                    runs.append({"answered": answered, "seconds": elapsed, "per_second": answered / elapsed,
                                 "lag_p50_ms": _percentile(lag, 50), "lag_p99_ms": _percentile(lag, 99),
                                 "lag_max_ms": max(lag, default=0.0), "wakeups": len(lag), "rss_mb": resident_mb()})
                    await asyncio.sleep(0.2)
                out["sizes"][str(n)] = {"runs": runs, **{k: statistics.median(run[k] for run in runs) for k in (
                    "per_second", "lag_p50_ms", "lag_p99_ms", "lag_max_ms", "rss_mb", "seconds")},
                    "all_answered": all(run["answered"] == n for run in runs)}
        finally:
            await bot.close()
            await running
    out["peak_rss_mb"] = peak_mb()
    return out


def measure(sizes: list[int], rounds: int) -> dict[str, Any]:
    """Start the fake, run the bot in this process through every burst; the results."""
    proc, api, gateway = _start_fake()
    try:
        return asyncio.run(_measure(api, gateway, sizes, rounds))
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def table(r: dict[str, Any]) -> str:
    """The results as a markdown table."""
    lines = ["| in flight | answers/s | loop lag p50 | loop lag p99 | loop lag max | RSS MB | all answered |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for n, s in r["sizes"].items():
        lines.append(f"| {int(n):,} | {s['per_second']:,.0f} | {s['lag_p50_ms']:.2f} | {s['lag_p99_ms']:.1f} | "
                     f"{s['lag_max_ms']:.1f} | {s['rss_mb']:.0f} | {'yes' if s['all_answered'] else '**no**'} |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Measure and print a table or JSON."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.discord_load", description=__doc__.splitlines()[0])
    p.add_argument("--in-flight", default="200,1000", help="questions pushed at once, comma-separated")
    p.add_argument("--rounds", type=int, default=5)
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    result = measure([int(s) for s in args.in_flight.split(",") if s.strip()], args.rounds)
    print(json.dumps(result) if args.json else table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
