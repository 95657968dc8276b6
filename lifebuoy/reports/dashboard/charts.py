"""The dashboard's charts, drawn on the server from its tables, as in ``reports.charts``.

Each chart is made from the table the page shows under it (``Table.rows``), so the chart and
"Show as table" can never disagree. Bars are drawn with matplotlib's Agg canvas (no pyplot
state), as SVG with the text kept as text, without timestamps, so the same figures give the same
bytes; those bytes are kept in a small in-process cache, as the figures change far less often
than the page is opened. Every chart has an alt text that states its numbers, and each series is
told apart by its legend, its position and the value printed on its bars, not by colour alone.
"""

from __future__ import annotations

import base64
import io
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch

from lifebuoy.reports.charts import sla_series
from lifebuoy.reports.selectors.common import Metric

from .build import Dashboard, Table

DPI = 100
# Drawn narrow, with the text large for the width: a chart is shown at most 460 px wide (text
# about 15 px), in three columns at about 370 px (12 px), and on a phone at about 330 px (11 px).
WIDTH_PX = 420
HEIGHT_PX = 250  # vertical bars; horizontal ones grow with their rows
FONT_PT = 10

BLUE = "#2f6f9f"
PALE_BLUE = "#9cc0de"
AMBER = "#f0b429"
RED = "#b42318"
GREY = "#555555"
_STYLE: dict[Any, Any] = {
    "font.family": "sans-serif",
    "font.sans-serif": ["DejaVu Sans"],  # shipped inside matplotlib; the SVG names a fallback
    "font.size": FONT_PT,
    "svg.fonttype": "none",  # text stays text: selectable, read by screen readers
    "svg.hashsalt": "lifebuoy-dashboard",  # fixed element ids: same chart, same SVG
    "axes.edgecolor": "#98a2b3",
    "axes.labelcolor": "#344054",
    "xtick.color": "#344054",
    "ytick.color": "#344054",
}


@dataclass(frozen=True)
class Bars:
    """What a chart shows: one value per label in each series (tuples, so it can be cached)."""

    key: str
    title: str
    labels: tuple[str, ...]
    series: tuple[tuple[str, tuple[float | None, ...]], ...]  # (name, values)
    colors: tuple[str, ...]
    horizontal: bool = False
    unit: str = ""  # "%" or "" (a count)
    target: float | None = None
    target_text: str = ""
    missed_color: str = ""  # bars below the target, when set (the legend names them)
    empty_text: str = "Nothing to show."  # the page's words in place of a chart of zeros

    @property
    def has_data(self) -> bool:
        """A share of 0% is data; counts that are all 0 are not worth a chart."""
        values = [v for _, series in self.series for v in series]
        return any(v is not None for v in values) if self.unit == "%" else any(values)

    def show(self, value: float | None) -> str:
        if value is None:
            return "no data"
        return f"{value:.1f}%" if self.unit == "%" else f"{value:g}"

    def alt_text(self) -> str:
        """The chart in words: each label with every series' value, then the target."""
        points = []
        for n, label in enumerate(self.labels):
            values = [f"{name} {self.show(values[n])}" for name, values in self.series]
            points.append(f"{label}: {', '.join(values)}")
        target = f" Target: {self.target_text}." if self.target_text else ""
        return f"{self.title}. {'; '.join(points)}.{target}"


@dataclass(frozen=True)
class Chart:
    """A drawn chart; ``svg`` is empty when there is nothing to draw (the page says so)."""

    bars: Bars
    svg: bytes
    width: int
    height: int

    @property
    def alt(self) -> str:
        return self.bars.alt_text()

    def data_uri(self) -> str:
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode("ascii")


# -- from the tables ----------------------------------------------------------------------------


def _column(table: Table, column: int, rows: list[list[Any]] | None = None) -> tuple[float, ...]:
    return tuple(float(row[column]) for row in (rows if rows is not None else table.rows))


def open_bars(table: Table) -> Bars:
    rows = [row for row in table.rows if row[0] != "All"]  # the total is the tile's number
    return Bars(
        key="open",
        title=table.title,
        labels=tuple(str(row[0]) for row in rows),
        series=(("Open now", _column(table, 1, rows)), ("Opened today", _column(table, 2, rows))),
        colors=(BLUE, PALE_BLUE),
        empty_text="No open tickets.",
    )


def sla_bars(table: Table) -> Bars:
    return Bars(
        key="sla",
        title=table.title,
        labels=tuple(str(row[0]) for row in table.rows),
        series=(("At risk", _column(table, 1)), ("Breached", _column(table, 2))),
        colors=(AMBER, RED),
        empty_text="No open ticket is at risk or breached.",
    )


def volume_bars(table: Table) -> Bars:
    return Bars(
        key="volume",
        title=table.title,
        labels=tuple(str(row[0]) for row in table.rows),
        series=(("Tickets", _column(table, 1)),),
        colors=(BLUE,),
        horizontal=True,
        empty_text="No tickets in the period.",
    )


def category_bars(table: Table) -> Bars:
    return Bars(
        key="categories",
        title=table.title,
        labels=tuple(str(row[0]) for row in table.rows),
        series=(("In the period", _column(table, 1)), ("Period before", _column(table, 2))),
        colors=(BLUE, PALE_BLUE),
        horizontal=True,
    )


def sla_attainment_bars(sla_rows: list[Metric], period_label: str) -> Bars:
    """First-response SLA attainment per tier, then per priority (``reports.charts``' series)."""
    series = sla_series([], sla_rows, period_label)
    return Bars(
        key="sla-attainment",
        title=series.title,
        labels=tuple(series.labels),
        series=(("Within SLA", tuple(series.values)),),
        colors=(BLUE,),
        horizontal=True,
        unit="%",
        target=series.target,
        target_text=series.target_text,
        missed_color=RED,
    )


# -- drawing ------------------------------------------------------------------------------------


def _has_legend(bars: Bars) -> bool:
    return len(bars.series) > 1 or bars.target is not None


def _height(bars: Bars) -> int:
    if not bars.horizontal:
        return HEIGHT_PX
    band = 18 * len(bars.series) + 12  # px per label: a bar per series and a gap
    legend = 30 if _has_legend(bars) else 0
    return max(120, 24 + legend + band * len(bars.labels))


def _missed(bars: Bars, value: float | None) -> bool:
    return bool(bars.missed_color) and value is not None and value < (bars.target or 0)


def _legend(bars: Bars) -> list[Any]:
    """Patches of the series' colours (a bar below target is drawn in another colour, so the
    handles are made here, not taken from the first bar), and the target's line."""
    if bars.target is None:
        return [
            Patch(color=color, label=name)
            for (name, _), color in zip(bars.series, bars.colors, strict=True)
        ]
    values = [v for _, vs in bars.series for v in vs]
    handles: list[Any] = [Patch(color=bars.colors[0], label="Met")]
    if any(_missed(bars, v) for v in values):
        handles.append(Patch(color=bars.missed_color, label="Missed"))
    target = f"Target {bars.target:g}{bars.unit}"
    handles.append(Line2D([], [], color=GREY, linestyle="--", linewidth=1, label=target))
    return handles


def _label(bars: Bars, value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value:.0f}%" if bars.unit == "%" else f"{value:g}"


def _draw(bars: Bars, figure: Figure) -> None:
    """Bars with their value printed at the end, so the value axis is left out."""
    axes = figure.add_subplot()
    count = len(bars.series)
    thickness = 0.8 / count
    positions = list(range(len(bars.labels)))
    top = max([v or 0.0 for _, values in bars.series for v in values] + [1.0])
    for n, (_name, values) in enumerate(bars.series):
        offset = (n - (count - 1) / 2) * thickness
        where = [p + offset for p in positions]
        heights = [v or 0.0 for v in values]
        colors = [bars.missed_color if _missed(bars, v) else bars.colors[n] for v in values]
        if bars.horizontal:
            drawn = axes.barh(where, heights, height=thickness, color=colors)
        else:
            drawn = axes.bar(where, heights, width=thickness, color=colors)
        texts = [_label(bars, v) for v in values]
        written = axes.bar_label(drawn, labels=texts, padding=2, fontsize=FONT_PT, color="#1d2433")
        if bars.target is not None:  # readable where a value sits on the target's line
            for text in written:
                text.set_bbox({"facecolor": "white", "edgecolor": "none", "pad": 0.6})
    limit = 118.0 if bars.unit == "%" else top * 1.2
    axes.spines[["top", "right", "bottom" if bars.horizontal else "left"]].set_visible(False)
    axes.tick_params(length=0)
    if bars.horizontal:
        axes.set_yticks(positions, bars.labels)
        axes.invert_yaxis()  # the first row of the table on top
        axes.set_xlim(0, limit)
        axes.set_xticks([])
        if bars.target is not None:
            axes.axvline(bars.target, color=GREY, linestyle="--", linewidth=1)
    else:
        axes.set_xticks(positions, bars.labels)
        axes.set_ylim(0, limit)
        axes.set_yticks([])
    if _has_legend(bars):
        figure.legend(
            handles=_legend(bars),
            loc="outside upper left",
            ncols=3,
            frameon=False,
            handlelength=1.2,
            columnspacing=1.2,
        )


@lru_cache(maxsize=64)
def render(bars: Bars) -> Chart:
    """Draw ``bars`` as SVG, ``WIDTH_PX`` wide; identical figures give identical bytes."""
    height = _height(bars)
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(WIDTH_PX / DPI, height / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        _draw(bars, figure)
        buffer = io.BytesIO()
        figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    return Chart(bars=bars, svg=buffer.getvalue(), width=WIDTH_PX, height=height)


def chart(bars: Bars) -> Chart:
    return render(bars) if bars.has_data else Chart(bars=bars, svg=b"", width=0, height=0)


def dashboard_charts(board: Dashboard) -> dict[str, Chart]:
    """The charts of the page, by the name of the table each one stands above."""
    tables = board.tables
    charts = {
        "open": chart(open_bars(tables["open"])),
        "sla": chart(sla_bars(tables["sla"])),
        "volume": chart(volume_bars(tables["volume"])),
    }
    if tables["categories"].rows:
        charts["categories"] = chart(category_bars(tables["categories"]))
    if board.sla_rows:
        charts["sla_attainment"] = chart(sla_attainment_bars(board.sla_rows, board.period.label))
    return charts
