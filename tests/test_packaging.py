"""`pip install .` (not editable) gives a bot that works from any folder: the knowledge base ships in the wheel."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
SOURCES = ("pyproject.toml", "README.md", "LICENSE", "bot", "knowledge")


def test_every_package_under_bot_is_listed_in_pyproject():
    on_disk = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "bot").rglob("__init__.py")}
    listed = set(PYPROJECT["tool"]["setuptools"]["packages"])
    assert listed == on_disk | {"bot.knowledge"}
    assert PYPROJECT["tool"]["setuptools"]["package-dir"] == {"bot.knowledge": "knowledge"}


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """(the wheel, a fresh venv with only it installed; the dependencies come from this interpreter's)."""
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"  # a copy, so the build leaves nothing behind in the checkout
    src.mkdir()
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(ROOT / name, src / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "-q"]
    subprocess.run([*pip, "wheel", "--no-deps", "-w", str(tmp / "dist"), str(src)], check=True,
                   capture_output=True, timeout=120)
    [wheel] = (tmp / "dist").glob("*.whl")
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=60)
    python = venv / "bin" / "python"
    subprocess.run([*pip, "--python", str(python), "install", "--no-deps", "--no-index", str(wheel)], check=True,
                   capture_output=True, timeout=120)
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                               check=True, capture_output=True, text=True).stdout.strip())
    # The dependencies, from the test interpreter: a plain path line, so its .pth files (the editable
    # install of the checkout) are not run and `bot` can only come from the wheel.
    (site / "deps.pth").write_text(sysconfig.get_path("purelib") + "\n", encoding="utf-8")
    return wheel, venv


def run_in_empty_folder(venv: Path, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("BOT_KNOWLEDGE_DIR", "PYTHONPATH", "DISCORD_TOKEN", "BOT_CONFIG", "VIRTUAL_ENV")}
    env.update(BOT_CACHE_DIR=str(tmp_path / "cache"), COLUMNS="400")  # help text on long lines
    empty = tmp_path / "empty"
    empty.mkdir(exist_ok=True)
    return subprocess.run([str(venv / "bin" / args[0]), *args[1:]], cwd=empty, env=env, capture_output=True,
                          text=True, timeout=60)


def test_the_license_is_mit():
    text = (ROOT / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License\n\nCopyright (c) 2026 the asean-roundtable-bot contributors\n")
    assert "THE SOFTWARE IS PROVIDED \"AS IS\", WITHOUT WARRANTY OF ANY KIND" in text
    assert PYPROJECT["project"]["license"] == {"text": "MIT"}


def test_the_wheel_holds_the_knowledge_base_and_the_license(installed):
    wheel, _ = installed
    names = set(zipfile.ZipFile(wheel).namelist())
    shipped = {f"bot/knowledge/{p.name}" for p in (ROOT / "knowledge").iterdir() if p.is_file()}
    assert shipped <= names
    assert any(n.endswith((".dist-info/LICENSE", ".dist-info/licenses/LICENSE")) for n in names), sorted(names)


def test_installed_bot_checks_and_answers_from_an_empty_folder(installed, tmp_path):
    _, venv = installed
    where = run_in_empty_folder(venv, tmp_path, "python", "-c", "import bot.kb.loader as m; "
                                "print(m.__file__); print(m.default_knowledge_dir())")
    module, knowledge = where.stdout.split()
    assert Path(module).is_relative_to(venv) and Path(knowledge).is_relative_to(venv), where.stdout
    check = run_in_empty_folder(venv, tmp_path, "asean-bot", "check")
    assert check.returncode == 0, check.stderr
    assert "10 member states" in check.stdout
    ask = run_in_empty_folder(venv, tmp_path, "asean-bot", "ask", "!country Vietnam")
    assert ask.returncode == 0, ask.stderr
    assert "Nguyen Vu Tu" in ask.stdout
    helptext = run_in_empty_folder(venv, tmp_path, "asean-bot", "--help").stdout
    assert f"else {knowledge})" in helptext
    version = run_in_empty_folder(venv, tmp_path, "asean-bot", "--version")
    assert version.stdout == f"python -m bot {PYPROJECT['project']['version']}\n", version.stderr
    assert not list((tmp_path / "empty").iterdir())
