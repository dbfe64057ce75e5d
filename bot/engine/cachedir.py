"""Where the bot keeps what it works out once and can work out again: the built engine, drawn charts, the
English word list in the form that loads fastest."""

from __future__ import annotations

import os
import stat
import zlib
from collections.abc import Iterable
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


def files_key(paths: Iterable[Path], *extra: str) -> str:
    """A key that changes when any of these files does: each regular file's name, size and modification time,
    as Python keys its own bytecode cache (nothing is read); `extra` strings count too."""
    stamps = []
    for path in paths:
        st = path.stat()
        if stat.S_ISREG(st.st_mode):
            stamps.append(f"{path}\0{st.st_size}\0{st.st_mtime_ns}")
    listing = "\n".join([*extra, *stamps]).encode()
    return f"{zlib.crc32(listing):08x}{zlib.adler32(listing):08x}{len(stamps):04x}"
