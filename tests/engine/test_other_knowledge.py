"""A second, made-up knowledge base (tests/data/harbour-festival: a town festival, no countries, no figures) is
served by the same code: it validates, every command and question answers, and nothing of the real article
shows. Commands whose data it lacks are not offered, and say so when typed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.engine import Engine
from bot.kb.loader import KnowledgeBase, load_knowledge

from .test_no_article_in_code import forbidden_pattern

ROOT = Path(__file__).resolve().parents[2]
HARBOUR = ROOT / "tests" / "data" / "harbour-festival"
LACKING = ("country", "ambassador", "stats")
QUESTIONS = [
    "How many visitors came?",
    "Who cut the ribbon?",
    "What did Oakes say?",
    "Who said a boat is a promise?",
    "Who runs the festival?",
    "When did it open?",
    "Where was the closing concert?",
    "How many lantern boats were in the parade?",
    "What happens to the food waste?",
    "Who is Ivo Hartsen?",
    "How long had the choir rehearsed?",
    "How old is the oldest boat?",
    "What did the repairs of the Salt Pier cost?",
    "Tell me about Lisbon",
    "what about the police chief",
    "Tomas Brennick",
]


@pytest.fixture(scope="module")
def harbour_kb() -> KnowledgeBase:
    return load_knowledge(HARBOUR)


@pytest.fixture(scope="module")
def harbour(harbour_kb: KnowledgeBase) -> Engine:
    return Engine(harbour_kb)


def clean(text: str) -> None:
    m = forbidden_pattern().search(text)
    assert m is None, f"{m.group(0)!r} of the real article in: {text[:300]!r}"


def test_check_passes():
    done = subprocess.run([sys.executable, "-m", "bot", "--knowledge", str(HARBOUR), "check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("ok: ") and "0 member states, 5 people" in done.stdout


def test_it_has_no_countries_and_no_figures(harbour_kb: KnowledgeBase):
    assert harbour_kb.countries == {} and harbour_kb.figures == [] and harbour_kb.profile.members is None


def test_the_knowledge_base_itself_names_nothing_of_the_article():
    for path in sorted(HARBOUR.iterdir()):
        clean(path.read_text(encoding="utf-8"))


def test_every_command_and_its_examples_answer_cleanly(harbour: Engine):
    lines = ["", "!help", *(f"!help {s.name}" for s in harbour.specs), *(f"!{s.name}" for s in harbour.specs),
             *(ex for s in harbour.available_specs() for ex in s.examples), "!summary full", "!summary 2025-08-09",
             "!quote Lena Oakes", "!who Elsa Varga", "!search steam-bending"]
    for line in lines:
        answer = harbour.answer(line)
        assert answer.title, line
        clean(answer.to_text())


@pytest.mark.parametrize("question", QUESTIONS)
def test_questions_answer_cleanly(harbour: Engine, question: str):
    answer = harbour.answer(question)
    clean(answer.to_text())
    assert answer.sources or answer.kind in {"not_covered", "help"}, question


def test_some_questions_find_their_facts(harbour: Engine):
    assert "35,000" in harbour.answer("How many visitors came?").to_text()
    assert "Elsa Varga" in harbour.answer("Who cut the ribbon?").to_text()
    assert "Averne Harbour Trust" in harbour.answer("Who runs the festival?").to_text()


def test_commands_without_their_data_are_not_offered(harbour: Engine, engine: Engine):
    offered = {s.name for s in harbour.available_specs()}
    assert offered.isdisjoint(LACKING)
    assert {"quote", "who", "event", "search", "summary", "ask", "about", "source", "ping", "invite",
            "help"} <= offered
    assert {s.name for s in engine.available_specs()} == {s.name for s in engine.specs}
    help_text = harbour.answer("!help").to_text()
    for name in LACKING:
        assert f"!{name} " not in help_text and f"!{name}\n" not in help_text


@pytest.mark.parametrize("line", ["!country Vietnam", "!ambassador Umar Hadi", "!envoy", "!stats", "!stats x",
                                  "!help ambassador"])
def test_commands_without_their_data_answer_plainly(harbour: Engine, line: str):
    answer = harbour.answer(line)
    assert answer.kind == "not_covered"
    assert "This knowledge base has no " in answer.body


def test_command_aliases_are_the_profiles(harbour: Engine, engine: Engine):
    assert harbour.spec("roundtable") is None
    assert engine.spec("roundtable") is engine.spec("event")


def test_no_countries_is_said_in_those_words(harbour: Engine):
    assert harbour.answer("!country Vietnam").body == "This knowledge base has no countries."


def test_about_and_source_come_from_its_profile(harbour: Engine):
    about = harbour.answer("!about").to_text()
    assert "Harbour festival bot" in about and "Mara Quill" in about and "The Averne Courier" in about
    assert "No URL is recorded" in harbour.answer("!source").to_text()


def test_the_console_banner_is_its_own(harbour: Engine):
    import io

    from bot import console

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    out = io.StringIO()
    console.interactive(harbour, Tty("!help\n"), out)
    assert out.getvalue().startswith("Ask about the 40th Port Averne Harbour Festival.")
    clean(out.getvalue())


@pytest.mark.parametrize(("line", "expected"), [("hi", "Hello"), ("thanks!", "welcome"), ("who made you", "bot")])
def test_small_talk_comes_from_its_vocabulary(harbour: Engine, line: str, expected: str):
    answer = harbour.answer(line)
    clean(answer.to_text())
    assert expected in answer.to_text() and answer.kind == "help"


def test_follow_ups_work_on_it_too(harbour: Engine):
    first = harbour.answer("Who is Tomas Brennick?")
    follow = harbour.answer("what did he say?", first.context)
    clean(follow.to_text())
    assert "Tomas Brennick" in follow.title and follow.found
