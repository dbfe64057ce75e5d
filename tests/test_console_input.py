"""The console's reading of typed lines, with stand-in streams: what is no question is never answered."""

from __future__ import annotations

import io

from bot import console
from bot.answer import Answer
from bot.dialogue import FRESH, Context
from bot.kb.loader import KnowledgeBase


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


class Lines(Tty):
    """A terminal that types these lines, then raises what is left (Ctrl-C, undecodable bytes)."""

    def __init__(self, *lines: str | BaseException) -> None:
        super().__init__()
        self.lines = list(lines)

    def readline(self, size: int | None = -1) -> str:
        if not self.lines:
            return ""
        line = self.lines.pop(0)
        if isinstance(line, BaseException):
            raise line
        return line


class Echo:
    """An engine that answers every line with the line, so the test sees exactly what it was asked."""

    def __init__(self, kb: KnowledgeBase) -> None:
        self.asked: list[str] = []
        self.kb = kb  # for the banner

    def answer(self, line: str, context: Context = FRESH) -> Answer:
        self.asked.append(line)
        return Answer(title=f"**{line}**", context=context)


def run(kb: KnowledgeBase, *lines: str | BaseException) -> tuple[Echo, str]:
    engine, out = Echo(kb), io.StringIO()
    assert console.interactive(engine, Lines(*lines), out) == 0  # type: ignore[arg-type]
    return engine, out.getvalue()


def test_escape_sequences_alone_are_no_question(kb: KnowledgeBase):
    engine, _ = run(kb, "\x1b[A\n", "\x1b[200~\x1b[201~\n", "\x1b[A!stats\x1b[B\n", "\x1bOB\n")
    assert engine.asked == ["!stats"]


def test_exit_and_quit_end_the_session(kb: KnowledgeBase):
    assert run(kb, "one\n", "exit\n", "two\n")[0].asked == ["one"]
    assert run(kb, "QUIT\n", "two\n")[0].asked == []


def test_new_starts_a_conversation(kb: KnowledgeBase):
    _, out = run(kb, "!new\n")
    assert "Starting a new conversation." in out


def test_ctrl_c_at_the_prompt_ends_on_a_new_line(kb: KnowledgeBase):
    engine, out = run(kb, "one\n", KeyboardInterrupt())
    assert engine.asked == ["one"] and out.endswith("ask> \n")


def test_ctrl_d_ends_on_a_new_line(kb: KnowledgeBase):
    assert run(kb, "one\n")[1].endswith("ask> \n")


def test_undecodable_bytes_are_skipped(kb: KnowledgeBase):
    engine, _ = run(kb, UnicodeDecodeError("utf-8", b"\xff", 0, 1, "invalid start byte"), "two\n")
    assert engine.asked == ["two"]


def test_answers_to_a_stream_that_is_no_terminal_are_plain(kb: KnowledgeBase):
    _, out = run(kb, "one\n")
    assert "one" in out and "**" not in out and "\x1b" not in out
