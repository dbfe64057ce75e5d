"""`python -m bot` as a user runs it: ask, ask --jsonl, the console, --help, and no discord import.

Every command runs in a subprocess (the real entry point, exit codes and streams); they are started
together once per module, since each is an interpreter start-up. The engine cache goes to a
temporary directory so the tests neither rely on nor disturb ~/.cache.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
KNOWLEDGE = ROOT / "knowledge"
Run = subprocess.CompletedProcess

# (input line, text its answer must contain or None): blank, whitespace and odd unicode included.
JSONL_LINES: list[tuple[str, str | None]] = [
    ("!ambassador Thailand", "Romane Kanaruk"),
    ("", None),
    ("   ", None),
    ("who is the ambassador of Vietnam?", "Nguyen Vu Tu"),
    ("🦄🦄🦄 ünïcödé ‮txet desrever‬ \u200b", None),
    ("日本語の質問ですか", None),
    ("!stats Indonesia", "46,845"),
    ("line with a\u2028line separator and \u0085 NEL inside", None),
    ('"quotes" \\backslash\\ {"json": true} \t tab', None),
    ("\ufeffBOM-prefixed !stats", None),
    ("x" * 3000, None),
    ("!ambassador Philippines", "De Jesus"),
]

CONSOLE_INPUT = "!ambassador Thailand\n\n!stats Indonesia\nwho hosted the roundtable?\n"

# Runs check, ask, ask --jsonl and console through bot.cli.main in one interpreter, then lists
# what got imported. The console runs first: it reads the stdin that is current when it starts.
NO_DISCORD = """
import io, json, sys
from bot.cli import main
real_out, results = sys.stdout, {}
for name, argv, stdin in [
    ("console", ["console"], "!country Laos\\nwho hosted the roundtable?\\n"),
    ("check", ["check"], ""),
    ("ask", ["ask", "!ambassador Thailand"], ""),
    ("jsonl", ["ask", "--jsonl"], "!stats\\n"),
]:
    sys.stdin, sys.stdout = io.StringIO(stdin), io.StringIO()
    code = main(argv)
    results[name] = [code, sys.stdout.getvalue()]
sys.stdout = real_out
results["discord"] = sorted(m for m in sys.modules if m == "discord" or m.startswith(("discord.", "bot.discordbot")))
results["typing_extensions"] = "typing_extensions" in sys.modules
import typing_extensions  # importable after msgspec's import did without it (aiohttp needs it)
print(json.dumps(results))
"""


def _run_all(cases: dict[str, tuple[list[str], str]], env: dict[str, str]) -> dict[str, Run[str]]:
    def run(case: tuple[list[str], str]) -> Run[str]:
        args, stdin = case
        return subprocess.run([sys.executable, *args], cwd=ROOT, input=stdin, env=env, capture_output=True,
                              text=True, encoding="utf-8", timeout=60)

    first, *rest = cases  # the first builds the engine cache the others then load
    done = {first: run(cases[first])}
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
        done.update(zip(rest, pool.map(run, [cases[name] for name in rest]), strict=True))
    return done


@pytest.fixture(scope="module")
def cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cache")


@pytest.fixture(scope="module")
def runs(cache: Path) -> dict[str, Run[str]]:
    env = {k: v for k, v in os.environ.items() if k not in ("DISCORD_TOKEN", "BOT_KNOWLEDGE_DIR", "BOT_NO_CACHE")}
    env.update(BOT_CACHE_DIR=str(cache), PYTHONIOENCODING="utf-8")
    bot = ["-m", "bot", "--knowledge", str(KNOWLEDGE)]
    cases = {
        "ask": ([*bot, "ask", "!ambassador Thailand"], ""),
        "jsonl": ([*bot, "ask", "--jsonl"], "".join(line + "\n" for line, _ in JSONL_LINES)),
        "console": ([*bot, "console"], CONSOLE_INPUT),
        "importtime": (["-X", "importtime", *bot, "ask", "!stats"], ""),
        "no-discord": (["-c", NO_DISCORD], ""),
        "help": (["-m", "bot", "--help"], ""),
    }
    return _run_all(cases, env)


@pytest.fixture
def cli(cache: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]):
    """Run bot.cli.main in this process with the given stdin; returns (exit code, stdout, stderr)."""
    from bot.cli import main

    monkeypatch.setenv("BOT_CACHE_DIR", str(cache))
    monkeypatch.delenv("BOT_KNOWLEDGE_DIR", raising=False)
    monkeypatch.delenv("DISCORD_TOKEN", raising=False)

    def _cli(*argv: str, stdin: str = "") -> tuple[int, str, str]:
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        code = main(["--knowledge", str(KNOWLEDGE), *argv])
        out, err = capsys.readouterr()
        return code, out, err

    return _cli


def ok(proc: Run[str]) -> str:
    assert proc.returncode == 0, (proc.returncode, proc.stdout, proc.stderr)
    assert "Traceback" not in proc.stderr, proc.stderr
    return proc.stdout


# --- ask ----------------------------------------------------------------------------------------
def test_ask_prints_the_answer_and_exits_0(runs):
    out = ok(runs["ask"])
    assert "Romane Kanaruk" in out
    assert "Thailand" in out
    assert runs["ask"].stderr == ""


def test_ask_joins_several_words_into_one_question(cli):
    code, out, _ = cli("ask", "who", "is", "the", "Thai", "ambassador?")
    assert code == 0
    assert "Romane Kanaruk" in out


# --- ask --jsonl ----------------------------------------------------------------------------------
def _rows(proc: Run[str]) -> list[dict[str, str]]:
    out = ok(proc)
    assert out.endswith("\n")
    # Split on "\n" only: U+2028 and U+0085 inside a JSON string are not line ends.
    return [json.loads(line) for line in out[:-1].split("\n")]


def test_jsonl_gives_one_json_line_per_input_line_in_order(runs):
    rows = _rows(runs["jsonl"])
    assert len(rows) == len(JSONL_LINES)
    for row, (line, expected) in zip(rows, JSONL_LINES, strict=True):
        assert {"question", "answer"} <= set(row), row
        assert row["question"] == line
        assert isinstance(row["answer"], str)
        if line.strip():
            assert row["answer"].strip(), f"empty answer to {line!r}"
        if expected is not None:
            assert expected in row["answer"], (line, row["answer"][:200])


def test_jsonl_answers_are_the_same_as_ask(runs):
    first = _rows(runs["jsonl"])[0]
    assert first["answer"] == runs["ask"].stdout.rstrip("\n")


def test_jsonl_last_line_without_newline_is_answered(cli):
    code, out, _ = cli("ask", "--jsonl", stdin="!stats Laos\n!ambassador Laos")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert [r["question"] for r in rows] == ["!stats Laos", "!ambassador Laos"]
    assert "Thiang Boupha" in rows[1]["answer"]


def test_jsonl_with_empty_input_prints_nothing(cli):
    assert cli("ask", "--jsonl", stdin="") == (0, "", "")


# --- console ------------------------------------------------------------------------------------
def test_console_answers_piped_questions_then_exits_0_at_eof(runs):
    out = ok(runs["console"])
    assert "Romane Kanaruk" in out
    assert "46,845" in out
    assert out.index("Romane Kanaruk") < out.index("46,845")
    assert "ask> " not in out  # no prompt when stdin is not a terminal


def test_console_stops_at_quit(cache, monkeypatch):
    from bot import console

    monkeypatch.setenv("BOT_CACHE_DIR", str(cache))
    out = io.StringIO()
    stdin = io.StringIO("!ambassador Thailand\nquit\n!stats Indonesia\n")
    assert console.interactive(console.build_engine(KNOWLEDGE), stdin, out) == 0
    assert "Romane Kanaruk" in out.getvalue()
    assert "46,845" not in out.getvalue()
    assert stdin.readline() == "!stats Indonesia\n"  # nothing read after quit


def test_console_reads_the_stdin_current_when_it_runs(cli):
    """`python -m bot console` embedded or under test: main() must use today's sys.stdin/sys.stdout,
    not the streams that were current when bot.console was first imported."""
    code, out, _ = cli("console", stdin="!ambassador Thailand\n")
    assert code == 0
    assert "Romane Kanaruk" in out


# --- no discord on the pure-Python paths -------------------------------------------------------
def test_ask_does_not_import_discord(runs):
    proc = runs["importtime"]
    ok(proc)
    imports = [line for line in proc.stderr.splitlines() if line.startswith("import time:")]
    assert len(imports) > 50, "python -X importtime printed no import lines"
    assert any("bot.engine" in line for line in imports)
    assert not [line for line in imports if "discord" in line]
    rows = [[part.strip() for part in line.removeprefix("import time:").split("|")] for line in imports]
    assert not [name for _, _, name in rows if name == "inspect"]  # typing_extensions' import
    masked = [int(cumulative) for _, cumulative, name in rows if name == "typing_extensions"]
    assert all(us < 500 for us in masked), masked  # msgspec's try finds it masked; a real import takes ms


def test_check_ask_and_console_leave_discord_unimported(runs):
    results = json.loads(ok(runs["no-discord"]))
    assert results.pop("discord") == []
    assert results.pop("typing_extensions") is False  # msgspec imported without it, and validated the knowledge
    assert {name: code for name, (code, _) in results.items()} == {"console": 0, "check": 0, "ask": 0, "jsonl": 0}
    assert "Thiang Boupha" in results["console"][1]
    assert results["check"][1].startswith("ok: ")
    assert "Romane Kanaruk" in results["ask"][1]
    assert "46,845" in results["jsonl"][1]


# --- help ---------------------------------------------------------------------------------------
def test_help_lists_the_subcommands(runs):
    out = ok(runs["help"])
    assert out.startswith("usage: python -m bot")
    for command in ("console", "ask", "check", "summary", "run"):
        assert f"    {command} " in out, f"{command} missing from --help:\n{out}"
    assert "--knowledge" in out


def test_ask_help_mentions_jsonl(cli, capsys):
    with pytest.raises(SystemExit) as info:
        cli("ask", "--help")
    assert info.value.code == 0
    out = capsys.readouterr().out
    assert "--jsonl" in out
    assert "question" in out


def test_a_failing_answer_is_one_line_and_the_batch_goes_on(capsys):
    from bot import console

    class Broken:
        def __init__(self) -> None:
            self.calls = 0

        def answer(self, line, context=None):
            self.calls += 1
            if line == "boom":
                raise RuntimeError("kaput")
            return console.Answer(title=f"ok {line}", context=context)

    engine = Broken()
    out = io.StringIO()
    console.ask_jsonl(engine, io.StringIO('boom\n{"q": "two", "conversation": "a"}\n'), out)  # type: ignore[arg-type]
    rows = [json.loads(x) for x in out.getvalue().splitlines()]
    assert [r["kind"] for r in rows] == ["error", "answer"] and engine.calls == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "kaput" in err and "Traceback" not in err


# --- options after the command, --version, help for operators -------------------------------------
@pytest.fixture
def bare(monkeypatch, capsys, tmp_path):
    """bot.cli.main with nothing preset: (exit code, stdout, stderr) for argv."""
    from bot.cli import main

    for name in ("BOT_KNOWLEDGE_DIR", "BOT_CONFIG", "DISCORD_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("BOT_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("COLUMNS", "200")

    def run(*argv: str) -> tuple[int, str, str]:
        try:
            code = main(list(argv))
        except SystemExit as exc:
            code = exc.code if isinstance(exc.code, int) else 2
        out, err = capsys.readouterr()
        return code, out, err

    return run


def test_knowledge_is_accepted_before_and_after_the_command(bare, tmp_path):
    missing = tmp_path / "missing"
    expected = (2, "", f"error: knowledge base: {missing}: knowledge directory not found\n")
    for argv in (["--knowledge", str(missing), "check"], ["check", "--knowledge", str(missing)],
                 ["ask", "--knowledge", str(missing), "!help"], ["ask", "!help", "--knowledge", str(missing)],
                 ["--knowledge", str(KNOWLEDGE), "check", "--knowledge", str(missing)]):
        assert bare(*argv) == expected, argv
    code, out, _ = bare("check", "--knowledge", str(KNOWLEDGE))
    assert code == 0 and out.startswith(f"ok: {KNOWLEDGE}: ")


@pytest.mark.parametrize("command", ["run", "summary"])
def test_config_is_accepted_before_and_after_the_command(bare, tmp_path, monkeypatch, command):
    monkeypatch.setenv("DISCORD_TOKEN", "x")
    missing = tmp_path / "nope.yaml"
    for argv in (["--config", str(missing), command], [command, "--config", str(missing)]):
        code, out, err = bare(*argv)
        assert (code, out) == (2, ""), argv
        assert err.count("\n") == 1 and f"{missing}: config file not found" in err, (argv, err)


def test_version_prints_the_installed_version(bare):
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert bare("--version") == (0, f"python -m bot {version}\n", "")


@pytest.mark.parametrize("command", [None, "console", "ask", "check", "summary", "run"])
def test_help_speaks_to_operators_not_developers(bare, command):
    code, out, _ = bare(*([command] if command else []), "--help")
    assert code == 0 and out.startswith("usage: python -m bot")
    for word in ("discord.py", "import", "pure Python", "starts fast", "stdin", "developer", "tests"):
        assert word not in out, f"{word!r} in --help:\n{out}"
    assert "--knowledge DIR" in out
    if command in (None, "run", "summary"):
        assert "--config FILE" in out
