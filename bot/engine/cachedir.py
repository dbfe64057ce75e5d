"""Where the bot keeps what it works out once and can work out again: the built engine, drawn charts, the
English word list in the form that loads fastest."""

from __future__ import annotations

import os
from pathlib import Path

CACHE_NAME = "article-bot"  # the engine serves any article's knowledge base: the folder names none


def cache_dir() -> Path:
    """`$BOT_CACHE_DIR`, else `$XDG_CACHE_HOME/article-bot`, else `~/.cache/article-bot`."""
    if env := os.environ.get("BOT_CACHE_DIR"):
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / CACHE_NAME


def write_atomically(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file beside it, so a reader never sees half of it."""
    import tempfile  # only when something is written, not on the fast path

    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as tmp:
        tmp.write(data)
    os.replace(tmp.name, path)
