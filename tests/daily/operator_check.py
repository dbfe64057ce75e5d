"""The daily posts' operator checks, run for real: the bot process (`python -m bot run`) against the fake Discord.

    .venv/bin/python -m tests.daily.operator_check [--workdir DIR] [--port 8765]

1. An admin runs `!daily set HH:MM UTC` in #general with the time one minute ahead; wait for the post;
   restart the bot (SIGTERM) twice: exactly one daily post in #general.
2. `#ask` is set one minute ahead and the fake SIGKILLs the bot the instant it creates the post (before
   the bot sees the reply); the bot is started again: still one post there, settings intact.
3. `#noembed` likewise, but the bot is SIGKILLed as soon as the post is visible (after it was recorded).
4. `python -m bot summary --date` for two consecutive days prints two different spotlights.
Takes 4-6 minutes (it waits for real minutes). Prints what it saw and exits 1 on any failure.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable


class Check:
    """Runs the fake and the bot as separate processes."""

    def __init__(self, workdir: Path, port: int) -> None:
        self.work, self.port = workdir, port
        self.base = f"http://127.0.0.1:{port}"
        self.config = workdir / "config.yaml"
        self.db = workdir / "bot.sqlite3"
        self.config.write_text(f"database_path: {self.db}\nlog_level: INFO\n", encoding="utf-8")
        self.bot: subprocess.Popen[bytes] | None = None
        self.starts = 0
        self.failures: list[str] = []

    def get(self, path: str) -> object:
        with urllib.request.urlopen(self.base + path, timeout=10) as r:
            return json.loads(r.read())

    def post(self, path: str, data: dict) -> object:
        req = urllib.request.Request(self.base + path, json.dumps(data).encode(), {"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def start_fake(self) -> subprocess.Popen[bytes]:
        log = (self.work / "fake.log").open("ab")
        fake = subprocess.Popen([PY, "-m", "tests.daily.fake_server", "--port", str(self.port)], cwd=ROOT,
                                stdout=log, stderr=log)
        for _ in range(100):
            try:
                self.get("/_fake/world")
                return fake
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("fake Discord did not start")

    def start_bot(self) -> None:
        env = {**os.environ, "DISCORD_TOKEN": "fake.token", "DISCORD_API_BASE": f"{self.base}/api/v10",
               "DISCORD_GATEWAY_URL": f"ws://127.0.0.1:{self.port}/gateway/"}
        self.starts += 1
        log = (self.work / "bot.log").open("ab")
        self.bot = subprocess.Popen([PY, "-m", "bot", "run", "--config", str(self.config)], cwd=ROOT, env=env,
                                    stdout=log, stderr=log)
        deadline = time.time() + 30
        while "daily scheduler started" not in self.log()[-4000:] or self.log().count(
                "daily scheduler started") < self.starts:
            if self.bot.poll() is not None or time.time() > deadline:
                raise RuntimeError(f"bot did not start (exit {self.bot.poll()})")
            time.sleep(0.1)

    def stop_bot(self, sig: int = signal.SIGTERM) -> int:
        assert self.bot is not None
        if self.bot.poll() is None:
            self.bot.send_signal(sig)
        code = self.bot.wait(30)
        self.bot = None
        return code

    def log(self) -> str:
        return (self.work / "bot.log").read_text(errors="replace")

    def posts(self, channel: str) -> list[dict]:
        return [p for p in self.get("/_fake/daily_posts") if p["channel"] == channel]  # type: ignore[union-attr]

    def expect(self, ok: bool, what: str) -> None:
        print(("ok   " if ok else "FAIL ") + what, flush=True)
        if not ok:
            self.failures.append(what)

    def set_one_minute_ahead(self, channel: str) -> datetime:
        at = (datetime.now(UTC) + timedelta(minutes=1)).replace(second=0, microsecond=0)
        if (at - datetime.now(UTC)).total_seconds() < 20:
            at += timedelta(minutes=1)
        self.post("/_fake/message", {"content": f"!daily set {at:%H:%M} UTC", "user": "admin", "channel": channel})
        print(f"     #{channel}: daily set {at:%H:%M} UTC at {datetime.now(UTC):%H:%M:%S}", flush=True)
        return at

    def wait_post(self, channel: str, at: datetime, count: int = 1) -> float:
        deadline = at + timedelta(seconds=60)
        while len(self.posts(channel)) < count:
            if datetime.now(UTC) > deadline:
                return float("nan")
            time.sleep(0.05)
        return (datetime.now(UTC) - at).total_seconds()

    def db_rows(self) -> list[tuple]:
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT channel_id, local_date, status, message_id FROM posts ORDER BY id").fetchall()

    def db_channels(self) -> list[tuple]:
        with sqlite3.connect(self.db) as db:
            return db.execute("SELECT channel_id, post_time, timezone, enabled, paused_reason FROM channels "
                              "ORDER BY channel_id").fetchall()

    def run(self) -> int:
        fake = self.start_fake()
        try:
            self.scenarios()
        finally:
            if self.bot is not None:
                self.stop_bot()
            fake.terminate()
            fake.wait(10)
        print(f"\n{len(self.failures)} failure(s); logs in {self.work}")
        return 1 if self.failures else 0

    def scenarios(self) -> None:
        world = self.get("/_fake/world")
        ids = world["channels"]  # type: ignore[index]
        self.start_bot()
        print("1. post one minute ahead, then restart twice", flush=True)
        at = self.set_one_minute_ahead("general")
        lag = self.wait_post("general", at)
        self.expect(lag == lag, f"#general posted {lag:.2f} s after its time")
        for i in (1, 2):
            code = self.stop_bot()
            self.start_bot()
            time.sleep(3)
            self.expect(len(self.posts("general")) == 1, f"after restart {i} (exit {code}): "
                        f"{len(self.posts('general'))} post(s) in #general")
        print("2. SIGKILL the instant Discord creates the post, start again", flush=True)
        assert self.bot is not None
        self.post("/_fake/kill_on_post", {"pid": self.bot.pid})
        at = self.set_one_minute_ahead("ask")
        settings_before = self.db_channels()
        lag = self.wait_post("ask", at)
        code = self.bot.wait(30)
        self.bot = None
        rows = [r for r in self.db_rows() if str(r[0]) == ids["ask"]]
        self.expect(code == -signal.SIGKILL, f"bot killed by SIGKILL {lag:.2f} s after its time (exit {code}); "
                    f"database row then: {rows}")
        self.start_bot()
        time.sleep(3)
        rows = [r for r in self.db_rows() if str(r[0]) == ids["ask"]]
        posted = self.posts("ask")
        self.expect(len(posted) == 1, f"after restart: {len(posted)} post(s) in #ask")
        self.expect(bool(rows) and rows[0][2] == "posted" and str(rows[0][3]) == posted[0]["id"],
                    f"row resolved from history: {rows}")
        self.expect(self.db_channels() == settings_before, "settings intact after SIGKILL")
        print("3. SIGKILL as soon as the post is visible, start again", flush=True)
        at = self.set_one_minute_ahead("noembed")
        settings_before = self.db_channels()
        lag = self.wait_post("noembed", at)
        code = self.stop_bot(signal.SIGKILL)
        self.expect(code == -signal.SIGKILL, f"#noembed posted {lag:.2f} s after its time, bot SIGKILLed")
        self.start_bot()
        time.sleep(3)
        self.expect(len(self.posts("noembed")) == 1, f"after restart: {len(self.posts('noembed'))} post(s) "
                    "in #noembed")
        self.expect(self.db_channels() == settings_before, "settings intact after SIGKILL")
        total = self.get("/_fake/daily_posts")
        self.expect(len(total) == 3, f"daily posts in all: {len(total)} (bot started {self.starts} times)")  # type: ignore[arg-type]
        print("4. python -m bot summary --date for two consecutive days", flush=True)
        days = [subprocess.run([PY, "-m", "bot", "summary", "--date", d], cwd=ROOT, capture_output=True, text=True,
                               timeout=60).stdout.splitlines()[0] for d in ("2020-06-22", "2020-06-23")]
        self.expect(days[0] != days[1], f"2020-06-22: {days[0]!r}; 2020-06-23: {days[1]!r}")
        print("   posts:", json.dumps(total))
        print("   rows:", self.db_rows())


def main() -> int:
    """Run every check."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workdir", type=Path, default=None)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="daily-check-"))
    work.mkdir(parents=True, exist_ok=True)
    return Check(work, args.port).run()


if __name__ == "__main__":
    raise SystemExit(main())
