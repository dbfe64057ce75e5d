"""The pickled engine (the index cache) carries no random state: `!quote` stays random after a cold start."""

from __future__ import annotations

import pickle
import random

from bot.engine import Engine
from bot.engine.cache import load_engine


def test_pickled_engine_gets_a_fresh_random_state(engine: Engine) -> None:
    engine.rng = random.Random(7)
    data = pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL)
    assert b"getrandbits" not in data and "rng" not in pickle.loads(data).__getstate__()
    firsts = {pickle.loads(data).rng.random() for _ in range(5)}
    assert len(firsts) == 5  # each load has its own seed: not the pickled one replayed


def test_random_quote_differs_between_cold_starts_from_the_cache(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("BOT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("BOT_NO_CACHE", raising=False)
    load_engine()  # writes the cache
    titles = {load_engine().command("quote").fields[0].value for _ in range(12)}
    assert len(titles) > 1
