"""The query mix every measurement uses: commands, free-form questions, typos and out-of-scope questions.

The public question set (tests/data/questions.yaml) supplies one part; the lists below add more of
the same kinds. `scaled_queries` adds questions about the made-up countries and people of a
synthetic knowledge base, so a scaled run also asks about names that only exist there.
"""

from __future__ import annotations

import random
from pathlib import Path

import yaml

from bot.kb.loader import KnowledgeBase

QUESTION_SET = Path(__file__).resolve().parents[1] / "tests" / "data" / "questions.yaml"
GROUPS = ("command", "freeform", "typo", "out_of_scope")
_FROM_SET = {"command": "command", "freeform": "freeform", "quote": "freeform", "typo": "typo",
             "negative": "out_of_scope"}

MORE: dict[str, list[str]] = {
    "command": [
        "!help", "!help quote", "!event", "!summary", "!stats Vietnam", "!country Lao PDR", "!country Viet Nam",
        "!country Burma", "!ambassador Umar Hadi", "!ambassador Thai", "!who Eric Teo", "!who Park",
        "!quote vaccine", "!quote Malaysia", "!search testing capacity", "!search Incheon airport transit",
        "!stats Myanmar", "!who Dimanche", "!country Philippines", "!ask Which countries reported no deaths?",
    ],
    "freeform": [
        "Who hosted the roundtable?", "When was the roundtable held?", "Where did the envoys meet?",
        "Who represented Thailand?", "What did Vietnam say about vaccines?", "How many cases did Singapore have?",
        "Which countries had no deaths?", "What is the ASEAN Plus Three Emergency Rice Reserve?",
        "What did the Seoul mayor write about?", "Who sponsored the event?",
        "What does Cambodia think about ASEAN Plus Three?", "Tell me about the Korea Times anniversary",
        "What did the Philippines do about testing?", "Which country had the most confirmed cases?",
        "Who is Lee Hyuk?", "How does Brunei see trade and investment?",
    ],
    "typo": [
        "!ambasador thialand", "!quote vacine", "!serch rice donaton", "whos the envoy of cambodai",
        "how many deaths in indonesa", "!who Eric Toe", "!country Myanmr", "!stats Phillipines",
        "what did the mayor of seol say", "!cuontry brunei", "who represnted malaysia at the rountable",
        "!who lee hyk",
    ],
    "out_of_scope": [
        "What is the capital of France?", "Who won the World Cup?", "What did Kim Jong-un say?",
        "How many cases did the United States have?", "!country Japan", "!who Donald Trump",
        "What is the weather in Seoul today?", "asdfghjkl", "!!!???", "What did the prime minister say?",
        "!stats China", "Tell me a joke", "!quote banana", "!search quantum chromodynamics",
    ],
}


def question_set() -> list[dict[str, object]]:
    """The public question set, as loaded from tests/data/questions.yaml."""
    return yaml.safe_load(QUESTION_SET.read_text(encoding="utf-8"))


def mix() -> dict[str, list[str]]:
    """The query mix by group: the question set's questions, then the extra ones above."""
    groups: dict[str, list[str]] = {g: [] for g in GROUPS}
    for item in question_set():
        groups[_FROM_SET[str(item["group"])]].append(str(item["q"]))
    for group, extra in MORE.items():
        groups[group].extend(extra)
    return groups


def _typo(name: str, rng: random.Random) -> str:
    """The name with two neighbouring letters swapped (one edit), as people mistype."""
    i = rng.randrange(1, max(2, len(name) - 2))
    return name[:i] + name[i + 1] + name[i] + name[i + 2:] if len(name) > 3 else name


def scaled_queries(kb: KnowledgeBase, copies: int = 6, seed: int = 5) -> dict[str, list[str]]:
    """Questions about the made-up countries and people of a synthetic knowledge base (empty for the real one)."""
    rng = random.Random(seed)
    made_up = [c for c in kb.members if "-c" in c.id]
    if not made_up:
        return {g: [] for g in GROUPS}
    out: dict[str, list[str]] = {g: [] for g in GROUPS}
    for c in rng.sample(made_up, min(copies, len(made_up))):
        envoy = kb.people[c.envoy].name if c.envoy else c.name
        out["command"] += [f"!country {c.name}", f"!who {envoy}", f"!stats {c.name}"]
        out["freeform"] += [f"Who represented {c.name} at the roundtable?", f"What did {c.name} say about vaccines?"]
        out["typo"] += [f"!ambassador {_typo(c.name, rng)}", f"how many cases did {_typo(c.name, rng).lower()} have"]
    return out


def flat(groups: dict[str, list[str]]) -> list[tuple[str, str]]:
    """(group, query) pairs in a fixed order."""
    return [(g, q) for g in GROUPS for q in groups.get(g, [])]
