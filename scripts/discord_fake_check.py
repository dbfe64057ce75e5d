#!/usr/bin/env python3
"""Operator check: `python -m bot run` against the fake Discord of tests/e2e, as an operator would run it.

Starts `python -m tests.e2e.fake_discord --port PORT`, then `DISCORD_TOKEN=x python -m bot run --config CONFIG`
with discord.py's REST base and gateway pointed at the fake (nothing else changed), sends a prefix
command, a slash command, an autocomplete request, a mention, a DM and a typo'd command through the
fake's /_fake control routes, prints what the bot answered, then stops it with SIGTERM.

    .venv/bin/python scripts/discord_fake_check.py [--config config.example.yaml] [--port 8765]

Exit status 0 when every check passed. Needs the test extra (aiohttp) for the fake.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def call(port: int, path: str, payload: dict[str, Any] | None = None) -> Any:
    """GET (or POST payload to) a control route of the fake."""
    data = json.dumps(payload).encode() if payload is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}/_fake/{path}", data=data, method="POST" if data else "GET")
    with urllib.request.urlopen(req, timeout=15) as resp:
        return json.load(resp)


def answer_of(requests: list[dict[str, Any]]) -> tuple[str, dict[str, Any]]:
    """A one-line description of the bot's reply among the requests an event caused."""
    for r in requests:
        body = r["body"] if isinstance(r["body"], dict) else {}
        msg = body.get("data", body) if "/callback" in r["path"] else body
        if msg.get("choices"):
            return "choices: " + ", ".join(c["name"] for c in msg["choices"][:6]), msg
        if msg.get("embeds") or msg.get("content"):
            title = msg["embeds"][0].get("title", "") if msg.get("embeds") else ""
            where = "interaction reply" if "/callback" in r["path"] else "message"
            return f"{where}: {title or msg.get('content', '')[:80]!r}", msg
    return "no answer", {}


def main() -> int:
    """Run the check; print one line per step."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", type=Path, default=ROOT / "config.example.yaml")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    py = sys.executable
    fake = subprocess.Popen([py, "-m", "tests.e2e.fake_discord", "--port", str(args.port)], cwd=ROOT,
                            stdout=subprocess.PIPE, text=True)
    line = fake.stdout.readline() if fake.stdout else ""
    print("fake:", line.strip())
    env = dict(os.environ, DISCORD_TOKEN="x", DISCORD_API_BASE=f"http://127.0.0.1:{args.port}/api/v10",
               DISCORD_GATEWAY_URL=f"ws://127.0.0.1:{args.port}/gateway/")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    with tempfile.TemporaryDirectory(prefix="discord-fake-check-") as workdir:  # relative paths (database_path)
        return check(args, py, env, fake, Path(workdir))


def check(args: argparse.Namespace, py: str, env: dict[str, str], fake: subprocess.Popen[str], workdir: Path) -> int:
    """Start the bot in `workdir`, run the checks, stop the bot and the fake; the number of failures decides."""
    started = time.monotonic()
    bot = subprocess.Popen([py, "-m", "bot", "run", "--config", str(args.config.resolve())], cwd=workdir, env=env)
    failures = 0
    try:
        while not call(args.port, "requests")["ready"]:
            if bot.poll() is not None or time.monotonic() - started > 30:
                print("FAIL bot did not connect")
                return 1
            time.sleep(0.1)
        print(f"ok   connected in {time.monotonic() - started:.1f} s")
        me = json.load(urllib.request.urlopen(f"http://127.0.0.1:{args.port}/api/v10/users/@me"))["id"]
        checks = [
            ("prefix !country Vietnam", "message", {"content": "!country Vietnam"}, "Vietnam"),
            ("slash /who Lee Hyuk", "slash", {"name": "who", "options": {"person": "Lee Hyuk"}}, "Lee Hyuk"),
            ("autocomplete /country 'vi'", "autocomplete",
             {"name": "country", "options": {"country": "vi"}, "focused": "country"}, "Vietnam"),
            ("mention question", "message", {"content": f"<@{me}> Who hosted the roundtable?", "mentions": ["bot"]},
             ""),
            ("DM question", "message", {"content": "Which countries reported no deaths?", "channel": "dm"}, ""),
            # another user: the default cooldown allows 5 uses per 30 s per user
            ("typo !contry Thailand", "message", {"content": "!contry Thailand", "user": "admin"}, "Thailand"),
            ("@everyone pings nobody", "message",
             {"content": f"<@{me}> @everyone rice?", "mentions": ["bot"], "user": "admin"}, ""),
        ]
        for name, route, payload, expect in checks:
            t0 = time.monotonic()
            summary, msg = answer_of(call(args.port, route, payload))
            ok = summary != "no answer" and expect in json.dumps(msg, ensure_ascii=False)
            if "content" in msg or "embeds" in msg:
                ok = ok and msg.get("allowed_mentions") == {"parse": []}
            failures += not ok
            print(f"{'ok  ' if ok else 'FAIL'} {name}: {summary} ({(time.monotonic() - t0) * 1000:.0f} ms)")
        unknown = call(args.port, "requests")["unknown"]
        if unknown:
            failures += 1
            print("FAIL requests to unknown routes:", [(r["method"], r["path"]) for r in unknown])
    finally:
        bot.send_signal(signal.SIGTERM)
        try:
            code = bot.wait(15)
        except subprocess.TimeoutExpired:
            bot.kill()
            code = -9
        print(f"{'ok  ' if code == 0 else 'FAIL'} SIGTERM: bot exited with status {code}")
        failures += code != 0
        fake.send_signal(signal.SIGINT)
        fake.wait(10)
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
