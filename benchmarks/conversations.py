"""Memory of the Discord bot's conversations: a `ConversationStore` filled to its cap.

`python -m benchmarks.conversations [--cap N] [--json]` loads the knowledge base (the bot has it loaded
too, and the contexts name its ids), then fills a store as a busy server would: `cap` conversations
keyed by (channel id, user id) snowflakes, each with the context of a real answer of the engine (the
entities in focus, the attribute asked, did-you-mean candidates, the cited sections, the opening words of
the passages shown, a turn number) and
that answer's message id for replies. It reports bytes per conversation (tracemalloc: the store's
entries, their keys, contexts and message ids) and the process RSS before and with the cap full.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
import tracemalloc
from typing import Any

from benchmarks.worker import peak_mb, resident_mb
from bot.config import Conversations
from bot.conversations import ConversationStore
from bot.dialogue import Context
from bot.kb.loader import load_knowledge

DISCORD_EPOCH_MS = 1420070400000


def snowflakes(rng: random.Random, n: int) -> list[int]:
    """`n` distinct, realistic Discord ids (64-bit, time-based)."""
    base = (int(time.time() * 1000) - DISCORD_EPOCH_MS) << 22
    return rng.sample(range(base - 10**15, base), n)


def contexts(rng: random.Random, n: int) -> list[Context]:
    """`n` contexts as the engine leaves them: those of real answers to the benchmark's questions (entities,
    attribute, candidates, cited sections, the opening words of the passages shown), each with strings of
    its own where the engine makes new ones (the passages' opening words), shared ids where it shares them."""
    from msgspec.structs import replace

    from benchmarks.queries import flat, mix
    from bot.engine import Engine

    engine = Engine(load_knowledge(), rng=random.Random(1))
    made = [engine.answer(q).context for _, q in flat(mix())]
    made = [c for c in made if not c.empty] or [Context()]
    out = []
    for turn in range(n):
        c = rng.choice(made)
        out.append(replace(c, shown=tuple("".join(list(s)) for s in c.shown), turn=rng.randint(1, 40) + turn % 2))
    return out


def fill(cap: int, keys: list[tuple[int, int]], message_ids: list[int],
         made: list[Context]) -> ConversationStore[tuple[int, int]]:
    """A store holding `cap` conversations and `cap` answered messages."""
    store: ConversationStore[tuple[int, int]] = ConversationStore(max_conversations=cap)
    for i in range(cap):
        channel, user = keys[i]
        store.save((int(str(channel)), int(str(user))), made[i])  # fresh ints, as parsed from each event
        store.save_message(int(str(message_ids[i])), made[i])
    assert len(store) == cap and len(store.messages) == cap
    return store


def measure(cap: int, seed: int = 7) -> dict[str, Any]:
    """Fill a store to `cap` conversations (and `cap` answered messages): RSS, then bytes each (traced)."""
    rng = random.Random(seed)
    made = contexts(rng, cap)  # the answers' contexts, before the store holds them
    channels = snowflakes(rng, max(1, cap // 200))
    keys = [(rng.choice(channels), user) for user in snowflakes(rng, cap)]
    message_ids = snowflakes(rng, cap)
    context_bytes = sum(sys.getsizeof(c) + sys.getsizeof(c.entities) + sys.getsizeof(c.candidates)
                        + sys.getsizeof(c.sources) + sys.getsizeof(c.shown) + sum(map(sys.getsizeof, c.shown))
                        for c in made) / cap
    rss_before = resident_mb()
    start = time.perf_counter()
    store = fill(cap, keys, message_ids, made)
    fill_s = time.perf_counter() - start
    rss_full = resident_mb()
    lookups = rng.sample(keys, min(cap, 10_000))
    start = time.perf_counter()
    for key in lookups:
        store.context(key)
    lookup_us = (time.perf_counter() - start) / len(lookups) * 1e6
    del store
    tracemalloc.start()  # a second fill, traced (tracing inflates RSS, so it comes after)
    kept = fill(cap, keys, message_ids, made)
    traced, _ = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert len(kept) == cap
    return {"cap": cap, "store_bytes_per_conversation": traced / cap, "context_bytes": context_bytes,
            "fill_s": fill_s, "lookup_us": lookup_us, "rss_before_mb": rss_before, "rss_full_mb": rss_full,
            "peak_rss_mb": peak_mb()}


def table(rows: list[dict[str, Any]]) -> str:
    """The results as a markdown table."""
    lines = ["| conversations | store bytes each | + its context | RSS before MB | RSS full MB | RSS per conversation "
             "| fill s | lookup µs |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for r in rows:
        per = (r["rss_full_mb"] - r["rss_before_mb"]) * 2**20 / r["cap"]
        lines.append(f"| {r['cap']:,} | {r['store_bytes_per_conversation']:,.0f} | {r['context_bytes']:,.0f} | "
                     f"{r['rss_before_mb']:.1f} | {r['rss_full_mb']:.1f} | {per:,.0f} B | {r['fill_s']:.3f} | "
                     f"{r['lookup_us']:.2f} |")
    return "\n".join(lines)


def section(rows: list[dict[str, Any]]) -> str:
    """The "Conversations" section of docs/benchmarks.md."""
    first = rows[0]
    per = first["store_bytes_per_conversation"] + first["context_bytes"]
    full = (first["rss_full_mb"] - first["rss_before_mb"])
    return "\n".join([
        "## Conversations", "",
        "`python -m benchmarks.conversations [--cap N]`: a `ConversationStore` filled to its cap as a busy server",
        "fills it, each conversation keyed by (channel, user) snowflakes and holding its last answer's context (1-3",
        "entities, an attribute, sometimes candidates, 1-3 cited sections) plus that answer's message id for",
        "replies. Store bytes are traced (tracemalloc: entries, keys, ids, map nodes); the context is a frozen",
        "msgspec Struct and its tuples (the ids in it are the knowledge base's own strings).", "",
        table(rows), "",
        f"At the default cap of {first['cap']:,} that is about {per:,.0f} bytes per conversation with its context, "
        f"{full:.1f} MB of RSS for the store, {first['fill_s'] * 1000:.0f} ms to fill it and "
        f"{first['lookup_us']:.1f} µs a look-up. A restart forgets every conversation.",
    ])


def main(argv: list[str] | None = None) -> int:
    """Measure one cap (default: the configured default) and print a table or JSON."""
    p = argparse.ArgumentParser(prog="python -m benchmarks.conversations", description=__doc__)
    p.add_argument("--cap", type=int, default=Conversations().max_conversations, help="conversations to fill")
    p.add_argument("--json", action="store_true", help="print the result as JSON")
    args = p.parse_args(argv)
    result = measure(args.cap)
    print(json.dumps(result) if args.json else table([result]))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
