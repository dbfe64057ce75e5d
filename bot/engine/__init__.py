"""The answer engine: knowledge base in, `Answer` out. No Discord import anywhere below here."""

from bot.engine.core import Engine

__all__ = ["Engine"]
