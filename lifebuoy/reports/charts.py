"""The weekly report's charts, drawn on the server: PNG for email, PNG or SVG for the page.

Two steps, tested apart. ``*_series`` turns report figures into a ``Series`` (labels, values, an
optional target): that is what the tests check against the report. ``render`` draws a series
with matplotlib's Agg canvas (no display, no pyplot state shared between threads), at a fixed
size, with the fonts matplotlib ships, and without timestamps in the file, so the same series
gives the same bytes. Every chart carries an alt text that states its numbers.
"""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from lifebuoy.core.periods import Period, week_of
from lifebuoy.reports.csat_source import csat_for
from lifebuoy.reports.selectors.common import CSAT_TARGET, SLA_ATTAINMENT_TARGET, Metric

if TYPE_CHECKING:
    from lifebuoy.reports.weekly import Report

Format = Literal["png", "svg"]
FORMATS: tuple[Format, ...] = ("png", "svg")
WIDTH_PX = 640
HEIGHT_PX = 320
DPI = 100
CSAT_WEEKS = 8

_BAR = "#2f6f9f"
_MISSED = "#c0504d"
_TARGET = "#555555"
_STYLE: dict[Any, Any] = {
    "font.family": "DejaVu Sans",  # shipped inside matplotlib: nothing is looked up or fetched
    "font.size": 9,
    "svg.fonttype": "none",  # SVG text stays text: selectable, read by screen readers
    "svg.hashsalt": "lifebuoy",  # fixed element ids, so the same chart gives the same SVG
}


@dataclass(frozen=True)
class Series:
    """What a chart shows. ``values`` hold None where there is nothing to measure."""

    key: str
    title: str
    labels: list[str]
    values: list[float | None]
    unit: str = ""  # "%", "/5" or "" (a count)
    target: float | None = None
    target_text: str = ""
    counts: list[int | None] | None = None  # the cohort behind each value, for the alt text
    empty_text: str = "no data"

    @property
    def has_data(self) -> bool:
        return any(v is not None for v in self.values)

    def show(self, value: float | None) -> str:
        if value is None:
            return "no data"
        if self.unit == "%":
            return f"{value:.1f}%"
        if self.unit == "/5":
            return f"{value:.2f}/5"
        return f"{value:g}"

    def alt_text(self) -> str:
        """The chart in words: every label with its value, and the target."""
        if not self.has_data:
            return f"{self.title}: {self.empty_text}."
        points = []
        for n, (label, value) in enumerate(zip(self.labels, self.values, strict=True)):
            count = self.counts[n] if self.counts else None
            extra = f" ({count} decided)" if count is not None and value is not None else ""
            points.append(f"{label} {self.show(value)}{extra}")
        target = f" Target: {self.target_text}." if self.target_text else ""
        return f"{self.title}: {'; '.join(points)}.{target}"


@dataclass(frozen=True)
class Chart:
    series: Series
    fmt: Format
    content: bytes
    width: int = WIDTH_PX
    height: int = HEIGHT_PX

    @property
    def alt(self) -> str:
        return self.series.alt_text()

    @property
    def content_type(self) -> str:
        return "image/svg+xml" if self.fmt == "svg" else "image/png"

    @property
    def filename(self) -> str:
        return f"{self.series.key}.{self.fmt}"

    def data_uri(self) -> str:
        """For the desk page only: mail clients block data: images, email uses Content-ID."""
        encoded = base64.b64encode(self.content).decode("ascii")
        return f"data:{self.content_type};base64,{encoded}"


# -- data preparation ---------------------------------------------------------------------------


def tickets_per_day_series(period: Period, per_day: list[dict[str, object]]) -> Series:
    """Tickets created on each UTC day of the period; days without tickets count 0."""
    counts = {str(row["start"]): row["count"] for row in per_day}
    days = [period.start + timedelta(days=n) for n in range((period.end - period.start).days)]
    values: list[float | None] = []
    for day in days:
        count = counts.get(day.date().isoformat(), 0)
        values.append(float(count) if isinstance(count, int | float) else 0.0)
    return Series(
        key="tickets-per-day",
        title=f"Tickets created per day, {period.label}",
        labels=[f"{day:%a %d}" for day in days],
        values=values,
        empty_text="no tickets",
    )


def _short(metric: Metric) -> str:
    return metric.label.rpartition(", ")[2]


def sla_series(by_tier: list[Metric], by_priority: list[Metric], label: str) -> Series:
    """First-response SLA attainment per support tier, then per priority, in percent."""
    metrics = [*by_tier, *by_priority]
    return Series(
        key="sla-attainment",
        title=f"First-response SLA attainment, {label}",
        labels=[_short(m) for m in metrics],
        values=[None if m.value is None else m.value * 100 for m in metrics],
        unit="%",
        target=SLA_ATTAINMENT_TARGET * 100,
        target_text=f"at least {SLA_ATTAINMENT_TARGET * 100:.0f}%",
        counts=[m.count for m in metrics],
        empty_text="no first response was due",
    )


CsatSource = Callable[[Period], Metric]


def csat_trend_series(
    period: Period, *, weeks: int = CSAT_WEEKS, source: CsatSource | None = None
) -> Series:
    """Average CSAT of each of the ``weeks`` ISO weeks ending with ``period``'s week."""
    read = source or csat_for
    last = week_of(period.start)
    periods = [week_of(last.start - timedelta(weeks=n)) for n in range(weeks - 1, -1, -1)]
    return Series(
        key="csat-trend",
        title=f"Average CSAT (1-5) per week, {periods[0].label} to {last.label}",
        labels=[p.label for p in periods],
        values=[read(p).value for p in periods],
        unit="/5",
        target=CSAT_TARGET,
        target_text=f"above {CSAT_TARGET:g}/5",
        empty_text="no survey answers yet",
    )


def weekly_series(report: Report, *, csat_source: CsatSource | None = None) -> list[Series]:
    return [
        tickets_per_day_series(report.period, report.volume["per_day"]),
        sla_series(report.sla_by_tier, report.sla_by_priority, report.period.label),
        csat_trend_series(report.period, source=csat_source),
    ]


# -- drawing ------------------------------------------------------------------------------------


def _draw(series: Series, figure: Figure) -> None:
    axes = figure.add_subplot()
    axes.set_title(series.title, loc="left")
    axes.spines[["top", "right"]].set_visible(False)
    positions = list(range(len(series.labels)))
    heights = [v or 0.0 for v in series.values]
    if series.key == "csat-trend":
        points = [(x, v) for x, v in zip(positions, series.values, strict=True) if v is not None]
        if points:
            axes.plot([p[0] for p in points], [p[1] for p in points], marker="o", color=_BAR)
        axes.set_ylim(1, 5)
        axes.set_ylabel("average rating")
    else:
        missed = series.target is not None
        colors = [
            _MISSED if missed and v is not None and v < (series.target or 0) else _BAR
            for v in series.values
        ]
        bars = axes.bar(positions, heights, color=colors)
        axes.bar_label(bars, labels=[_point(series, v) for v in series.values], fontsize=8)
        if series.unit == "%":
            axes.set_ylim(0, 110)
            axes.set_ylabel("% within SLA")
        else:
            axes.yaxis.set_major_locator(MaxNLocator(integer=True))
            axes.set_ylim(0, max([*heights, 1.0]) * 1.15)
    if series.target is not None:
        axes.axhline(series.target, color=_TARGET, linestyle="--", linewidth=1)
        axes.set_title(f"- - target: {series.target_text}", loc="right", fontsize=8, color=_TARGET)
    # ISO weeks fit the axis as "W41"; the alt text keeps the year.
    axes.set_xticks(positions, [label.rpartition("-")[2] for label in series.labels])
    if not series.has_data:
        axes.text(0.5, 0.5, series.empty_text, transform=axes.transAxes, ha="center")


def _point(series: Series, value: float | None) -> str:
    if value is None:
        return "no data"
    return f"{value:.0f}%" if series.unit == "%" else f"{value:g}"


def render(series: Series, fmt: Format = "png") -> Chart:
    """Draw ``series`` at WIDTH_PX × HEIGHT_PX; identical input gives identical bytes."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown chart format “{fmt}”; use png or svg.")
    with matplotlib.rc_context(_STYLE):
        figure = Figure(figsize=(WIDTH_PX / DPI, HEIGHT_PX / DPI), dpi=DPI, layout="constrained")
        FigureCanvasAgg(figure)
        _draw(series, figure)
        buffer = io.BytesIO()
        metadata: dict[str, str | None] = (
            {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        )
        figure.savefig(buffer, format=fmt, dpi=DPI, metadata=metadata)
    return Chart(series=series, fmt=fmt, content=buffer.getvalue())


def weekly_charts(
    report: Report, *, fmt: Format = "png", csat_source: CsatSource | None = None
) -> list[Chart]:
    """The weekly report's three charts: tickets per day, SLA attainment, CSAT trend."""
    return [render(series, fmt) for series in weekly_series(report, csat_source=csat_source)]


@dataclass(frozen=True)
class StoredChart:
    """A chart drawn when its report was stored, as the page shows it."""

    key: str
    alt: str
    png: str  # base64
    width: int = WIDTH_PX
    height: int = HEIGHT_PX

    def data_uri(self) -> str:
        return f"data:image/png;base64,{self.png}"


def charts_for_storage(charts: list[Chart]) -> list[dict[str, str]]:
    """PNG charts as a stored report keeps them (JSON)."""
    return [
        {
            "key": c.series.key,
            "alt": c.alt,
            "png": base64.b64encode(c.content).decode("ascii"),
        }
        for c in charts
        if c.fmt == "png"
    ]


def charts_from_storage(rows: list[dict[str, str]]) -> list[StoredChart]:
    return [StoredChart(key=r["key"], alt=r["alt"], png=r["png"]) for r in rows]
