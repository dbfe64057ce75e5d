"""scripts/discord_fake_check.py, the operator's check against the fake Discord, passes and leaves nothing behind."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_discord_fake_check_passes_and_removes_its_temporary_folder(tmp_path):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("BOT_CONFIG", "BOT_DB_PATH", "DISCORD_TOKEN")}
    env["TMPDIR"] = str(tmp_path)  # where the script makes its working folder
    proc = subprocess.run([sys.executable, "scripts/discord_fake_check.py", "--port", str(port)], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=90)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "FAIL" not in proc.stdout and "SIGTERM: bot exited with status 0" in proc.stdout
    assert not list(tmp_path.iterdir()), "the working folder was left behind"
