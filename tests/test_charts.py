"""The stats chart: a PNG of sensible size whose plotted values are the knowledge base's; the process it is drawn in."""

from __future__ import annotations

import os
import signal
import struct
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.charts import chart_png, stats_data, stats_figure, stats_png
from bot.kb.loader import KnowledgeBase

PNG = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data.startswith(PNG) and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_stats_data_is_the_knowledge_bases(kb: KnowledgeBase) -> None:
    data = stats_data(kb, "thailand")
    members = {c.id: c for c in kb.members if c.stats}
    assert set(data.ids) == set(members) and len(data.ids) == 10
    assert data.highlight == "thailand"
    assert [s.label for s in data.series] == [f.label for f in kb.figures]
    for s, f in zip(data.series, kb.figures, strict=True):
        assert s.values == tuple(members[cid].stats.value(f.id) for cid in data.ids)
    assert data.title.endswith(f"as of {members['laos'].stats.as_of}")
    assert stats_data(kb, "nowhere").highlight is None


def test_bars_drawn_are_the_values(kb: KnowledgeBase) -> None:
    data = stats_data(kb, "laos")
    fig = stats_figure(data)
    panels = [ax for ax in fig.axes if ax.patches]
    assert len(panels) == len(data.series)
    for ax, s in zip(panels, data.series, strict=True):
        assert ax.get_xscale() == "log"
        ends = [round(p.get_x() + p.get_width()) if p.get_width() else 0 for p in ax.patches]
        assert ends == [v or 0 for v in s.values]
        colours = {p.get_facecolor() for i, p in enumerate(ax.patches) if data.ids[i] == "laos"}
        others = {p.get_facecolor() for i, p in enumerate(ax.patches) if data.ids[i] != "laos"}
        assert len(colours) == 1 and colours.isdisjoint(others)
    labels = {t.get_text() for ax in panels for t in ax.texts}
    assert {"19", "46,845"} <= labels  # Laos and Indonesia both labelled


def test_png_is_valid_sized_and_drawn_once(kb: KnowledgeBase) -> None:
    png = stats_png(kb)
    width, height = png_size(png)
    assert 800 <= width <= 2000 and 400 <= height <= 1200
    assert 10_000 < len(png) < 500_000
    assert stats_png(kb) is png and chart_png(kb, "stats") is png  # reused, not drawn again
    assert stats_png(kb, "thailand") != png and chart_png(kb, "stats:thailand") is stats_png(kb, "thailand")
    assert chart_png(kb, "pie") is None


def test_console_path_never_imports_matplotlib_nor_discord() -> None:
    out = subprocess.run([sys.executable, "-X", "importtime", "-m", "bot", "ask", "!stats"],
                         capture_output=True, text=True, check=True, env={"BOT_NO_CACHE": "1", "PATH": ""})
    assert "Indonesia" in out.stdout
    imported = [line for line in out.stderr.splitlines() if "matplotlib" in line or "discord" in line]
    assert imported == []


def test_engine_marks_the_answers_that_have_a_chart(engine) -> None:
    assert engine.answer("!stats").chart == "stats"
    assert engine.answer("!stats Thailand").chart == "stats:thailand"
    assert engine.answer("how many cases in each country?").chart == "stats"
    assert engine.answer("!country Vietnam").chart is None


def test_chart_command_writes_the_same_image(kb: KnowledgeBase, tmp_path, monkeypatch, capsys) -> None:
    from bot.cli import main

    monkeypatch.setenv("BOT_NO_CACHE", "1")
    out = tmp_path / "stats.png"
    assert main(["--knowledge", str(kb.root), "chart", "stats", "-o", str(out)]) == 0
    assert out.read_bytes() == stats_png(kb)
    assert main(["--knowledge", str(kb.root), "chart", "stats", "-o", str(out), "--country", "Thai"]) == 0
    assert out.read_bytes() == stats_png(kb, "thailand")
    assert main(["--knowledge", str(kb.root), "chart", "stats", "-o", str(out), "--country", "Japan"]) == 2
    assert "no member state" in capsys.readouterr().err


PARENT = """
import multiprocessing, os, sys, time
from concurrent.futures import ProcessPoolExecutor
from bot.charts import follow_parent
if __name__ == "__main__":
    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=follow_parent, initargs=(os.getpid(), 0.05))
    print(pool.submit(os.getpid).result(), flush=True)
    time.sleep(60)
"""


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads process states from /proc")
def test_the_chart_process_ends_when_the_bot_is_killed_outright(tmp_path) -> None:
    script = tmp_path / "parent.py"
    script.write_text(PARENT, encoding="utf-8")
    parent = subprocess.Popen([sys.executable, str(script)], stdout=subprocess.PIPE, text=True,
                              cwd=Path(__file__).resolve().parents[1])
    try:
        worker = int(parent.stdout.readline())  # type: ignore[union-attr]
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(10)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _alive(worker):
            time.sleep(0.05)
        assert not _alive(worker), "the chart process outlived the bot"
    finally:
        parent.kill()
        if "worker" in locals() and _alive(worker):
            os.kill(worker, signal.SIGKILL)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return Path(f"/proc/{pid}/stat").exists() and Path(f"/proc/{pid}/stat").read_text().split()[2] != "Z"
