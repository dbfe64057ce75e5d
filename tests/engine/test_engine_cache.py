"""The pickled engine (the index cache): no random state (`!quote` stays random after a cold start), near-miss
indexes made again when first needed."""

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


TYPOS = ("who represnted the phillipines", "!country vietnma", "what did lee hyuck say", "how many deths in malaysa",
         "!ambassador Thialand", "whats cambodai's visa rule")


def test_a_loaded_engine_makes_its_near_miss_indexes_when_first_needed(engine: Engine) -> None:
    loaded = pickle.loads(pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL))
    assert not loaded.index._known._built  # the saved copy leaves them out: most questions never need one
    assert [loaded.answer(q).to_text() for q in TYPOS] == [engine.answer(q).to_text() for q in TYPOS]
    fresh = pickle.loads(pickle.dumps(engine, protocol=pickle.HIGHEST_PROTOCOL))
    fresh.warm()
    assert fresh.index._known._built and all(i._built for i in fresh.names._near.values())
