"""The console front end: the same answers as on Discord, as plain text."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TextIO

from bot.answer import Answer
from bot.dialogue import FRESH, Context
from bot.engine import Engine
from bot.engine.cache import load_engine
from bot.kb.loader import load_knowledge

PROMPT = "ask> "
NEW_CONVERSATION = {"!new", "/new"}


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
    print(safe_answer(engine, question).to_text())
    return 0


def read_line(line: str) -> tuple[str, str | None]:
    """A `--jsonl` input line as (question, conversation id): a JSON object `{"q": ..., "conversation": ID}`
    continues conversation ID; any other line is a question of its own."""
    text = line.rstrip("\n")
    if text.lstrip().startswith("{"):
        try:
            row = json.loads(text)
        except ValueError:
            return text, None
        if isinstance(row, dict) and isinstance(row.get("q"), str):
            conversation = row.get("conversation")
            return row["q"], None if conversation is None else str(conversation)
    return text, None


def safe_answer(engine: Engine, line: str, context: Context = FRESH) -> Answer:
    """The engine's answer, or, if answering fails, one line on stderr and an apology (the conversation goes on)."""
    try:
        return engine.answer(line, context)
    except Exception as exc:  # a bug must not end a session or a batch: say so once, keep going
        print(f"error: could not answer {line[:60]!r}: {type(exc).__name__}: {exc}", file=sys.stderr)
        return Answer(title="Sorry, something went wrong answering that", kind="error", context=context)


def ask_jsonl(engine: Engine, stdin: TextIO, stdout: TextIO) -> int:
    """One JSON object out (`question`, `answer`, `kind`) for every line in, in order; lines naming the same
    conversation share its context."""
    contexts: dict[str, Context] = {}
    for line in stdin:
        question, conversation = read_line(line)
        answer = safe_answer(engine, question, contexts.get(conversation, FRESH) if conversation else FRESH)
        if conversation is not None:
            contexts[conversation] = answer.context
        row = {"question": question, "answer": answer.to_text(), "kind": answer.kind}
        stdout.write(json.dumps(row, ensure_ascii=False) + "\n")
    stdout.flush()
    return 0


def interactive(engine: Engine, stdin: TextIO | None = None, stdout: TextIO | None = None) -> int:
    """Read questions until EOF, `quit` or Ctrl-C."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive_tty = stdin.isatty()
    context = FRESH
    if interactive_tty:
        stdout.write(f"{engine.kb.profile.banner} Try !help. Ctrl-D to quit.\n")
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
        if line.lower() in NEW_CONVERSATION:
            context = FRESH
            stdout.write("Starting a new conversation.\n\n")
            stdout.flush()
        elif line:
            answer = safe_answer(engine, line, context)
            context = answer.context
            stdout.write(answer.to_text() + "\n\n")
            stdout.flush()
    return 0
