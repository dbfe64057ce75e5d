"""The console front end: the same answers as on Discord, rendered for a terminal or as plain text."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.answer import Answer
from bot.dialogue import FRESH, Context
from bot.engine import Engine
from bot.engine.cache import load_engine
from bot.kb.loader import load_knowledge

if TYPE_CHECKING:
    from bot.lineedit import LineEditor

PROMPT = "ask> "
NEW_CONVERSATION = {"!new", "/new"}
QUIT = {"quit", "exit", ":q"}


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
        import json  # only `--jsonl` reads JSON: a single `ask` starts without it

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
    import json

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
    """Read questions until EOF, `quit`, `exit` or Ctrl-C; on a terminal with line editing, Tab completion and
    history, and answers rendered for it."""
    from bot import terminal  # here, not at the top: `ask` and `--jsonl` start without it

    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive_tty = stdin.isatty()
    editor = _line_editor(engine, stdin, stdout) if interactive_tty else None
    style = terminal.styled(stdout)
    context = FRESH
    if interactive_tty:
        stdout.write(f"{engine.kb.profile.banner} Try !help. Ctrl-D to quit.\n")
    try:
        while True:
            line = _read(stdin, stdout, editor, interactive_tty)
            if line is None:
                break
            line = terminal.clean_line(line).strip()
            if editor is not None:
                editor.remember(line)
            if line.lower() in QUIT:
                break
            if line.lower() in NEW_CONVERSATION:
                context = FRESH
                stdout.write("Starting a new conversation.\n\n")
            elif line:
                answer = safe_answer(engine, line, context)
                context = answer.context
                stdout.write(terminal.render(answer, style) + "\n\n")
            stdout.flush()
    except KeyboardInterrupt:  # Ctrl-C while an answer is worked out: leave as cleanly as at the prompt
        if interactive_tty:
            stdout.write("\n")
    finally:
        if editor is not None:
            editor.save()
        stdout.flush()
    return 0


def _line_editor(engine: Engine, stdin: TextIO, stdout: TextIO) -> LineEditor | None:
    """readline for the process's own terminal; None for other streams (readline only edits the real one)."""
    if stdin is not sys.stdin or stdout is not sys.stdout:
        return None
    from bot.lineedit import LineEditor  # only an interactive terminal needs it

    editor = LineEditor(engine)
    return editor if editor.active else None


def _read(stdin: TextIO, stdout: TextIO, editor: LineEditor | None, tty: bool) -> str | None:
    """The next line, or None at EOF or Ctrl-C (which end the session on a new line)."""
    try:
        if editor is not None:
            return input(PROMPT)
        if tty:
            stdout.write(PROMPT)
            stdout.flush()
        if line := stdin.readline():
            return line
    except UnicodeDecodeError:  # bytes that are no text (a stray paste): no question, and the session goes on
        return ""
    except (EOFError, KeyboardInterrupt):
        pass
    if tty:
        stdout.write("\n")
    return None
