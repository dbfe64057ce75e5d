"""Charts of the knowledge base's figures as PNG images: `!stats` on Discord and `python -m bot chart stats`.

The data comes from the knowledge base alone (`stats_data`); matplotlib (Agg backend) is imported only when
a chart is drawn, never on the console's path. Each image is drawn once per knowledge base and highlighted
country, and its bytes are reused (`ChartCache`). The Discord bot draws in a process of its own
(`stats_data_png`), so importing matplotlib and drawing never hold its event loop.
"""

from __future__ import annotations

import hashlib
import io
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from bot.engine.format import capital, num
from bot.kb.loader import KnowledgeBase

if TYPE_CHECKING:
    from matplotlib.figure import Figure

STATS = "stats"  # `Answer.chart` names: "stats", or "stats:<country id>" with that country highlighted
DPI = 100
BASE = "#8da9c4"  # the other countries' bars
ACCENT = "#d1495b"  # the highlighted country's
INK = "#1b263b"
FLOOR = 0.8  # where the bars start on the log axis (a log axis has no 0): a 0 is a label without a bar


def follow_parent(parent: int, every: float = 1.0) -> None:
    """In the chart process: end it when the bot that started it is gone. A bot killed outright (SIGKILL, an
    out-of-memory kill) cannot stop its workers, and one left behind would hold its memory and its stderr."""

    def watch() -> None:
        while os.getppid() == parent:
            threading.Event().wait(every)
        os._exit(0)

    threading.Thread(target=watch, name="follow-parent", daemon=True).start()


@dataclass(frozen=True, slots=True)
class Series:
    """One kind of figure: its label and a value per country (None where the article gives none)."""

    label: str
    values: tuple[int | None, ...]


@dataclass(frozen=True, slots=True)
class StatsData:
    """What the stats chart shows, every value from the knowledge base."""

    title: str
    subtitle: str
    countries: tuple[str, ...]  # display names, in the order the bars are drawn (top to bottom)
    ids: tuple[str, ...]
    series: tuple[Series, ...]
    highlight: str | None  # a country id


def parse_chart(name: str) -> tuple[str, str | None]:
    """"stats:thailand" -> ("stats", "thailand"); "stats" -> ("stats", None)."""
    kind, _, arg = name.partition(":")
    return kind, arg or None


def stats_data(kb: KnowledgeBase, highlight: str | None = None) -> StatsData:
    """The member states' figures, most confirmed (the first figure) first."""
    rows = [c for c in kb.members if c.stats]
    first = kb.figures[0].id if kb.figures else None
    rows.sort(key=lambda c: -((c.stats.value(first) or 0) if c.stats and first else 0))
    as_of = next((c.stats.as_of for c in rows if c.stats), None)
    members = kb.profile.members
    region = members.region if members else "the region"
    title = f"{capital(kb.profile.figures_name)} in {region}" + (f" as of {as_of}" if as_of else "")
    subtitle = f"{kb.profile.article.headline} ({kb.profile.article.publisher}); log scale"
    series = tuple(Series(f.label, tuple(c.stats.value(f.id) if c.stats else None for c in rows))
                   for f in kb.figures)
    return StatsData(title=title, subtitle=subtitle, countries=tuple(c.name for c in rows),
                     ids=tuple(c.id for c in rows), series=series,
                     highlight=highlight if highlight in {c.id for c in rows} else None)


def stats_figure(data: StatsData) -> Figure:
    """Small multiples: one horizontal bar panel per figure, on a shared log scale, each bar labelled with its
    value, so 19 and 46,845 are both readable; the highlighted country in the accent colour."""
    from matplotlib.figure import Figure  # lazy: only a chart pays for matplotlib
    from matplotlib.ticker import FuncFormatter, LogLocator

    panels = max(len(data.series), 1)
    fig = Figure(figsize=(3.4 * panels + 1.6, 0.42 * len(data.countries) + 1.9), dpi=DPI)
    fig.patch.set_facecolor("white")
    axes = fig.subplots(1, panels, sharey=True, squeeze=False)[0]
    positives = [v for s in data.series for v in s.values if v]
    top = max(positives, default=10) * 3.2  # room for the largest value's label
    y = list(range(len(data.countries)))
    for ax, s in zip(axes, data.series, strict=False):
        colours = [ACCENT if cid == data.highlight else BASE for cid in data.ids]
        widths = [v - FLOOR if v else 0 for v in s.values]  # each bar ends at its value on the log axis
        ax.barh(y, widths, color=colours, height=0.68, left=FLOOR, gid=s.label)
        ax.set_xscale("log")
        ax.set_xlim(FLOOR, top)
        ax.xaxis.set_major_locator(LogLocator(base=10, numticks=8))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: num(int(v)) if v >= 1 else ""))
        ax.tick_params(axis="x", labelsize=8, colors="#555555")
        for yi, v in zip(y, s.values, strict=True):
            text = "n/a" if v is None else num(v)
            ax.text(max(v or 0, 1) * 1.18, yi, text, va="center", ha="left", fontsize=8.5, color=INK,
                    fontweight="bold" if data.ids[yi] == data.highlight else "normal")
        ax.set_title(s.label, fontsize=11, color=INK, fontweight="bold", loc="left")
        ax.grid(axis="x", color="#e5e5e5", linewidth=0.8)
        ax.set_axisbelow(True)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
    first = axes[0]
    first.set_yticks(y, data.countries, fontsize=9.5, color=INK)
    first.invert_yaxis()
    for label, cid in zip(first.get_yticklabels(), data.ids, strict=True):
        if cid == data.highlight:
            label.set_fontweight("bold")
            label.set_color(ACCENT)
    fig.suptitle(data.title, x=0.01, ha="left", fontsize=13, color=INK, fontweight="bold")
    fig.text(0.01, 0.015, f"Source: {data.subtitle}", fontsize=8, color="#666666", ha="left")
    fig.tight_layout(rect=(0, 0.04, 1, 0.97))
    return fig


def render_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (Agg, no display needed)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(fig)
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor="white")
    return out.getvalue()


def stats_data_png(data: StatsData) -> bytes:
    """The chart of `data` as PNG bytes: a top-level function, so another process can draw it."""
    return render_png(stats_figure(data))


def _saved_path(data: StatsData) -> Path:
    """Where the PNG of `data` is kept between runs: in the engine's cache folder, named by what it shows and by
    this module's code, so a new knowledge base or a new drawing is drawn afresh."""
    from bot.engine.cachedir import cache_dir

    key = hashlib.sha256(repr(data).encode() + Path(__file__).read_bytes()).hexdigest()[:32]
    return cache_dir() / f"chart-{key}.png"


def saved_chart(data: StatsData) -> bytes | None:
    """The PNG an earlier run drew of `data`, if it is kept (a missing or unreadable file is no error)."""
    try:
        png = _saved_path(data).read_bytes()
    except OSError:
        return None
    return png if png.startswith(b"\x89PNG") else None


def save_chart(data: StatsData, png: bytes) -> None:
    """Keep a drawn PNG for later runs (quietly not, where the cache folder cannot be written)."""
    path = _saved_path(data)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(png)
        os.replace(tmp, path)
    except OSError:
        pass


class ChartCache:
    """Each chart's PNG, drawn once per knowledge base (and highlight) and then reused; a reloaded knowledge
    base replaces the old one's charts."""

    def __init__(self) -> None:
        self._kb: KnowledgeBase | None = None
        self._png: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def data(self, kb: KnowledgeBase, name: str) -> StatsData | None:
        """What the chart `name` ("stats", "stats:thailand") shows, or None for a chart that is not drawn here."""
        kind, arg = parse_chart(name)
        if kind == STATS and kb.figures and any(c.stats for c in kb.members):
            return stats_data(kb, arg)
        return None

    def get(self, kb: KnowledgeBase, name: str) -> bytes | None:
        """The PNG drawn before for `kb`, if any."""
        with self._lock:
            return self._png.get(name) if self._kb is kb else None

    def put(self, kb: KnowledgeBase, name: str, png: bytes) -> bytes:
        """Keep a PNG drawn for `kb` (the first one kept wins, so every caller gets the same bytes)."""
        with self._lock:
            if self._kb is not kb:
                self._kb, self._png = kb, {}
            return self._png.setdefault(name, png)

    def png(self, kb: KnowledgeBase, name: str) -> bytes | None:
        """The PNG for `name`, drawn here (in this thread) the first time."""
        hit = self.get(kb, name)
        if hit is not None:
            return hit
        data = self.data(kb, name)
        return None if data is None else self.put(kb, name, stats_data_png(data))


CHARTS = ChartCache()  # the process's charts (the CLI's and the tests'); the bot keeps its own


def stats_png(kb: KnowledgeBase, highlight: str | None = None) -> bytes:
    """The stats chart of `kb` as PNG bytes, drawn once per knowledge base and highlight and then reused."""
    png = CHARTS.png(kb, f"{STATS}:{highlight}" if highlight else STATS)
    assert png is not None, "the knowledge base has no figures"
    return png


def chart_png(kb: KnowledgeBase, name: str) -> bytes | None:
    """The PNG for an `Answer.chart` name, or None for a chart this module does not draw."""
    return CHARTS.png(kb, name)


def chart_filename(name: str) -> str:
    """A file name for an attachment: "stats.png", "stats-thailand.png"."""
    kind, arg = parse_chart(name)
    return f"{kind}-{arg}.png" if arg else f"{kind}.png"


__all__ = ["CHARTS", "STATS", "ChartCache", "Series", "StatsData", "chart_filename", "chart_png", "parse_chart",
           "render_png", "stats_data", "stats_data_png", "stats_figure", "stats_png"]
