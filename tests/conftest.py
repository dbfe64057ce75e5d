"""Shared fixtures: the shipped knowledge base and an engine over it, built once per session."""

from __future__ import annotations

import atexit
import os
import random
import shutil
import tempfile

import pytest
from hypothesis import settings

from bot.engine import Engine
from bot.kb.loader import KnowledgeBase, load_knowledge

# Every run starts with an empty cache (the pickled engine, drawn charts), as on a fresh machine: what an earlier
# run left in ~/.cache must neither hide a bug nor make a test pass. Bot processes the tests start inherit it.
os.environ["BOT_CACHE_DIR"] = tempfile.mkdtemp(prefix="bot-test-cache-")
atexit.register(shutil.rmtree, os.environ["BOT_CACHE_DIR"], ignore_errors=True)


@pytest.fixture(scope="session")
def kb() -> KnowledgeBase:
    return load_knowledge()


@pytest.fixture(scope="session")
def engine(kb: KnowledgeBase) -> Engine:
    eng = Engine(kb, rng=random.Random(7))
    eng.warm()  # as the bot does before serving: answers are timed without the one-time word-list load
    return eng


@pytest.fixture
def ask(engine: Engine):
    """Answer a line and return the full plain-text rendering."""

    def _ask(line: str) -> str:
        return engine.answer(line).to_text()

    return _ask


# --- Hypothesis: Hypothesis' own example counts by default (CI); HYPOTHESIS_PROFILE=thorough for many more.
# Tests that set max_examples themselves keep their count.
settings.register_profile("ci", settings.get_profile("default"))
settings.register_profile("thorough", max_examples=2000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))
