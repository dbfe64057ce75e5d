"""A pickled copy of the built engine, keyed by the knowledge files and the code, for a fast cold start.

The cache is an optimisation only: when it is missing, stale, unreadable or unwritable, the engine is
built from the YAML files as usual (and the files are validated then).
"""

from __future__ import annotations

import gc
import os
import pickle
from pathlib import Path

from bot.engine.cachedir import cache_dir, files_key, write_atomically
from bot.engine.core import Engine
from bot.kb.loader import default_knowledge_dir, load_knowledge

_CODE = Path(__file__).resolve().parents[1]


def _key(root: Path) -> str:
    """A key that changes when any knowledge file or the engine's code does."""
    folders = ((root, "*"), (_CODE / "kb", "*.py"), (_CODE / "engine", "*.py"))
    return files_key((path for folder, pattern in folders for path in sorted(folder.glob(pattern))),
                     str(root.resolve()))


def _unpickle(data: bytes) -> object:
    """The pickled engine, loaded with the garbage collector paused: loading makes some 75,000 objects, none of
    them garbage, and the collector would otherwise walk the young ones again and again (a fifth of the load)."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.loads(data)
    finally:
        if was_enabled:
            gc.enable()


def _debug(message: str, *args: object) -> None:
    """A debug line on the cache's logger (logging is imported only when there is something to say)."""
    import logging

    logging.getLogger(__name__).debug(message, *args)


def load_engine(root: Path | None = None, use_cache: bool = True) -> Engine:
    """The engine for a knowledge directory, from the cache when it is current."""
    root = root or default_knowledge_dir()
    if not use_cache or os.environ.get("BOT_NO_CACHE"):
        return Engine(load_knowledge(root))
    try:
        key = _key(root)
    except OSError:
        return Engine(load_knowledge(root))  # let the loader report what is missing
    path = cache_dir() / f"engine-{key}.pickle"
    try:
        with path.open("rb") as fh:
            engine = _unpickle(fh.read())
        if isinstance(engine, Engine):
            return engine
    except FileNotFoundError:
        pass
    except Exception as exc:  # a corrupt or incompatible cache is rebuilt, never fatal
        _debug("ignoring engine cache %s: %s", path, exc)
    engine = Engine(load_knowledge(root))
    try:
        write_atomically(path, pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL))
        for old in path.parent.glob("engine-*.pickle"):
            if old != path:
                old.unlink(missing_ok=True)
    except OSError as exc:
        _debug("cannot write engine cache %s: %s", path, exc)
    return engine
