"""The console front end: the same answers as on Discord, as plain text."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from bot.engine import Engine
from bot.engine.cache import load_engine
from bot.kb.loader import load_knowledge

PROMPT = "ask> "


def build_engine(knowledge: Path | None = None) -> Engine:
    """Load the knowledge base and index it (from the cache when it is current)."""
    return load_engine(knowledge)


def check(knowledge: Path | None, sections: bool = False) -> int:
    """Validate the knowledge base and print what was loaded."""
    kb = load_knowledge(knowledge)
    print(f"ok: {kb.root}: {kb.summary_line()}")
    if sections:
        for s in kb.article.sections:
            print(f"  {s.id}: {len(s.paragraphs)} paragraphs | {s.heading}")
    return 0


def ask_once(engine: Engine, question: str) -> int:
    """Print the answer to one question."""
    print(engine.answer(question).to_text())
    return 0


def ask_jsonl(engine: Engine, stdin: TextIO, stdout: TextIO) -> int:
    """One JSON object out (`question`, `answer`, `kind`) for every line in, in order."""
    for line in stdin:
        question = line.rstrip("\n")
        answer = engine.answer(question)
        row = {"question": question, "answer": answer.to_text(), "kind": answer.kind}
        stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    stdout.flush()
    return 0


def interactive(engine: Engine, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Read questions until EOF, `quit` or Ctrl-C."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive_tty = stdin.isatty()
    if interactive_tty:
        stdout.write("Ask about the ASEAN envoys' roundtable (June 15, 2020). Try !help. Ctrl-D to quit.\n")
    while True:
        if interactive_tty:
            stdout.write(PROMPT)
            stdout.flush()
        try:
            line = stdin.readline()
        except KeyboardInterrupt:
            break
        if not line:
            break
        line = line.strip()
        if line.lower() in {"quit", "exit", ":q"}:
            break
        if line:
            stdout.write(engine.answer(line).to_text() + "\n\n")
            stdout.flush()
    return 0
