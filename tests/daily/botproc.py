"""`python -m bot run` as a child process against a fake Discord and a database URL, its log read line by line.

`await start(tmp_path, name, config, fake, url)` writes `name.yaml`, starts the bot and returns a `BotProcess`:
`wait_for(text)` waits for a log line, `stop()` sends SIGTERM and `kill()` SIGKILL, each returning the exit status.
"""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

from .fake_server import DailyFakeDiscord

ROOT = Path(__file__).resolve().parents[2]


class BotProcess:
    """`python -m bot run` with a config file, its stderr collected line by line."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.lines: list[str] = []
        self._changed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.proc.stderr is not None
        async for raw in self.proc.stderr:
            self.lines.append(raw.decode(errors="replace").rstrip("\n"))
            self._changed.set()
        self._changed.set()

    async def wait_for(self, text: str, timeout: float = 30.0) -> str:
        """The first log line containing `text`, waiting for it (an AssertionError with the last lines if not)."""
        try:
            async with asyncio.timeout(timeout):
                while True:
                    found = next((line for line in self.lines if text in line), None)
                    if found is not None:
                        return found
                    if self._reader.done():
                        raise AssertionError(f"exited without logging {text!r}:\n" + "\n".join(self.lines[-30:]))
                    self._changed.clear()
                    await self._changed.wait()
        except TimeoutError:
            raise AssertionError(f"no {text!r} logged in {timeout:.0f} s:\n" + "\n".join(self.lines[-30:])) from None

    async def _end(self, sig: int) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(sig)
        async with asyncio.timeout(30):
            code = await self.proc.wait()
            await self._reader
        return code

    async def stop(self) -> int:
        """SIGTERM, then the exit status."""
        return await self._end(signal.SIGTERM)

    async def kill(self) -> int:
        """SIGKILL (no clean-up of any kind in the bot), then the exit status."""
        return await self._end(signal.SIGKILL)


async def start(tmp_path: Path, name: str, config: str, fake: DailyFakeDiscord, url: str) -> BotProcess:
    """Start the bot with `config` (YAML) against the fake Discord and the database at `url`."""
    cfg = tmp_path / f"{name}.yaml"
    cfg.write_text(config, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "BOT_DB_PATH")}
    env.update(DISCORD_TOKEN="x", DISCORD_API_BASE=fake.api_base, DISCORD_GATEWAY_URL=fake.gateway_url,
               BOT_DATABASE_URL=url, PYTHONPATH=str(ROOT))
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", "--config", str(cfg), cwd=tmp_path, env=env,
        stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    return BotProcess(proc)
