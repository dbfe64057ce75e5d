"""`python -m benchmarks.soak`: the bot's memory under a steady stream of questions (not part of CI).

Starts the load fake Discord (`tests/e2e/load_fake.py`) and `python -m bot run` against it, each in a process
of its own, then pushes `--rate` questions a second (the benchmark query mix, from 50 users, one in ten to a
channel without embeds, where long answers get the pager) for `--minutes`, and samples the bot process's
resident set (VmRSS) every `--every` seconds, with how many answers it has posted. An answer that kept
memory (a view, a timer) shows as RSS rising for as long as the soak runs; without any, it levels off.

    python -m benchmarks.soak [--minutes 10] [--rate 10] [--every 15] [--no-write]

Writes docs/soak.json and the "Memory under a soak" section of docs/benchmarks.md. Needs the test extra.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from benchmarks.queries import mix

ROOT = Path(__file__).resolve().parents[1]
USERS = 50
PLAIN_SHARE = 0.1  # questions sent where the bot may not embed: long answers come in 2,000-character pages
HEADING = "## Memory under a soak"


def rss_kib(pid: int) -> int:
    """The resident set of a process, in KiB (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError(f"no VmRSS for process {pid}")


def start_fake(py: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str, str]:
    """The load fake in its own process; its API base and gateway URL."""
    fake = subprocess.Popen([py, "-m", "tests.e2e.load_fake", "--port", "0"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    assert fake.stdout is not None
    first = fake.stdout.readline()
    urls = dict(re.findall(r"(\w+)=(\S+)", first))
    return fake, urls["DISCORD_API_BASE"], urls["DISCORD_GATEWAY_URL"]


async def wait_ready(session: aiohttp.ClientSession, control: str, timeout: float = 60.0) -> None:
    """Until the bot has identified with the fake."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        async with session.get(f"{control}/requests") as resp:
            if (await resp.json())["ready"]:
                return
        await asyncio.sleep(0.2)
    raise TimeoutError("the bot did not connect to the fake")


async def replies(session: aiohttp.ClientSession, control: str, channels: list[str]) -> int:
    """How many messages the bot has posted in these channels."""
    total = 0
    for channel in channels:
        async with session.get(f"{control}/replies", params={"channel": channel}) as resp:
            total += int(await resp.json())
    return total


async def drive(control: str, pid: int, minutes: float, rate: float, every: float) -> dict[str, Any]:
    """Push the questions at `rate` a second for `minutes`, sampling the bot's RSS every `every` seconds."""
    rng = random.Random(7)
    queries = [q for group in mix().values() for q in group]
    users = [f"soak{i}" for i in range(USERS)]
    samples: list[dict[str, float]] = []
    async with aiohttp.ClientSession() as session:
        await wait_ready(session, control)
        async with session.get(f"{control}/world") as resp:
            channels = (await resp.json())["channels"]
        watched = [channels["ask"], channels["noembed"]]
        await asyncio.sleep(2.0)  # let start-up settle (charts drawn in the background, the first answers)
        start = time.monotonic()
        end = start + minutes * 60
        next_sample = start
        sent = 0
        for n in itertools.count():
            due = start + n / rate
            now = time.monotonic()
            if now >= next_sample:
                answered = await replies(session, control, watched)
                samples.append({"t": round(now - start, 1), "rss_mib": round(rss_kib(pid) / 1024, 1),
                                "sent": sent, "answered": answered})
                print(f"{samples[-1]['t']:7.1f} s  RSS {samples[-1]['rss_mib']:6.1f} MiB  "
                      f"sent {sent:6d}  answered {answered:6d}", flush=True)
                next_sample += every
            if now >= end:
                break
            if due > now:
                await asyncio.sleep(due - now)
            channel = "noembed" if rng.random() < PLAIN_SHARE else "ask"
            body = {"channel": channel, "messages": [[rng.choice(queries), rng.choice(users)]]}
            async with session.post(f"{control}/burst", json=body) as resp:
                resp.raise_for_status()
            sent += 1
        await asyncio.sleep(5.0)  # the last answers
        answered = await replies(session, control, watched)
    return {"minutes": minutes, "rate": rate, "users": USERS, "sent": sent, "answered": answered,
            "samples": samples}


def section(result: dict[str, Any]) -> str:
    """The markdown section for docs/benchmarks.md."""
    samples = result["samples"]
    minute = [s for s in samples if s["t"] >= 60.0]
    base = minute[0] if minute else samples[0]
    last = samples[-1]
    span = max((last["t"] - base["t"]) / 60, 1e-9)
    slope = (last["rss_mib"] - base["rss_mib"]) / span
    rows = [s for i, s in enumerate(samples) if i % max(1, len(samples) // 12) == 0 or s is last]
    table = "\n".join(f"| {s['t'] / 60:.1f} | {s['rss_mib']:.1f} | {int(s['sent'])} | {int(s['answered'])} |"
                      for s in rows)
    return f"""{HEADING}

`python -m benchmarks.soak` (not part of CI): the bot (`python -m bot run`) against the load fake Discord,
each in a process of its own, {result['rate']:g} questions a second from {result['users']} users for
{result['minutes']:g} minutes (the benchmark query mix; one in ten where the bot may not embed, so long
answers come with the pager), the bot's resident set sampled as it goes. Every button is a
`discord.ui.DynamicItem` with its state in the custom id, so discord.py keeps no view per answer.

| minute | RSS (MiB) | questions sent | answers posted |
|---:|---:|---:|---:|
{table}

{result['sent']} questions, {result['answered']} answers posted (the mix has questions that get no answer, such as
`!!!???`). From minute {base['t'] / 60:.1f} to the end RSS went from {base['rss_mib']:.1f} to {last['rss_mib']:.1f} MiB
({slope:+.2f} MiB a minute).
"""


def write_section(doc: Path, text: str) -> None:
    """Put the section in docs/benchmarks.md, replacing an earlier one."""
    old = doc.read_text(encoding="utf-8") if doc.exists() else ""
    start = old.find(HEADING)
    if start < 0:
        new = old.rstrip("\n") + "\n\n" + text
    else:
        after = old.find("\n## ", start + len(HEADING))
        new = old[:start] + text + (old[after + 1:] if after >= 0 else "")
    doc.write_text(new.rstrip("\n") + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the soak; print the samples; write the results."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.soak", description=__doc__.splitlines()[0])
    p.add_argument("--minutes", type=float, default=10.0)
    p.add_argument("--rate", type=float, default=10.0, help="questions a second")
    p.add_argument("--every", type=float, default=15.0, help="seconds between RSS samples")
    p.add_argument("--no-write", action="store_true", help="print only")
    args = p.parse_args(argv)
    py = sys.executable
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    fake, api, gateway = start_fake(py, env)
    control = api.replace("/api/v10", "/_fake")
    bot: subprocess.Popen[bytes] | None = None
    try:
        with tempfile.TemporaryDirectory(prefix="soak-") as tmp:
            with urllib.request.urlopen(f"{control}/world", timeout=15) as resp:
                world = json.load(resp)
            config = {"ask_channels": [int(world["channels"]["ask"]), int(world["channels"]["noembed"])],
                      "cooldown": {"rate": 100, "per": 1.0}, "log_level": "WARNING", "daily": {"enabled": False}}
            path = Path(tmp) / "config.yaml"
            path.write_text(yaml.safe_dump(config), encoding="utf-8")
            bot_env = dict(env, DISCORD_TOKEN="soak", DISCORD_API_BASE=api, DISCORD_GATEWAY_URL=gateway)
            bot = subprocess.Popen([py, "-m", "bot", "run", "--config", str(path)], cwd=tmp, env=bot_env)
            result = asyncio.run(drive(control, bot.pid, args.minutes, args.rate, args.every))
    finally:
        for proc in (bot, fake):
            if proc is not None:
                proc.terminate()
                proc.wait(timeout=10)
    text = section(result)
    print(text)
    if not args.no_write:
        (ROOT / "docs" / "soak.json").write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
        write_section(ROOT / "docs" / "benchmarks.md", text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
