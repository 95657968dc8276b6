"""The dashboard's charts: made from the tables under them, drawn the same way every time, with
alt texts that state their numbers and legends that do not leave meaning to colour."""

from __future__ import annotations

from lifebuoy.reports.dashboard.build import Cell, Table
from lifebuoy.reports.dashboard.charts import (
    category_bars,
    chart,
    open_bars,
    render,
    sla_attainment_bars,
    sla_bars,
    volume_bars,
)
from lifebuoy.reports.selectors.common import sla_metric

OPEN = Table(
    "open",
    "Open tickets by priority",
    ["Priority", "Open now", "Opened today"],
    [["P1 · Critical", 2, 1], ["P2 · High", 0, 0], ["All", 2, 1]],
)


def test_a_chart_shows_its_table_without_the_total_row():
    bars = open_bars(OPEN)
    assert bars.labels == ("P1 · Critical", "P2 · High")
    assert bars.series == (("Open now", (2.0, 0.0)), ("Opened today", (1.0, 0.0)))
    assert bars.alt_text() == (
        "Open tickets by priority. P1 · Critical: Open now 2, Opened today 1; "
        "P2 · High: Open now 0, Opened today 0."
    )


def test_the_same_figures_draw_the_same_svg_with_its_text_kept_as_text():
    first = render(open_bars(OPEN))
    render.cache_clear()
    again = render(open_bars(OPEN))
    assert first is not again
    assert first.svg == again.svg
    svg = first.svg.decode()
    for words in ("P1 · Critical", "Open now", "Opened today"):
        assert words in svg
    assert "<script" not in svg
    assert first.data_uri().startswith("data:image/svg+xml;base64,")
    assert (first.width, first.height) == (420, 250)


def _categories(rows: list[list[Cell]]) -> Table:
    return Table("categories", "Tickets by category", ["Category", "In", "Before"], rows)


def test_horizontal_charts_grow_with_their_rows():
    rows: list[list[Cell]] = [[f"Category {n}", n, n + 1] for n in range(8)]
    tall = render(category_bars(_categories(rows)))
    short = render(category_bars(_categories(rows[:2])))
    assert tall.height > short.height


def test_counts_all_zero_are_not_drawn_and_the_page_says_so_in_words():
    quiet = Table("sla", "SLA at risk and breached", ["Priority", "At risk", "Breached"], [])
    drawn = chart(sla_bars(quiet))
    assert drawn.svg == b""
    assert drawn.bars.empty_text == "No open ticket is at risk or breached."
    volume = Table("volume", "Volume in the period", ["Measure", "Tickets"], [["Created", 0]])
    assert not volume_bars(volume).has_data


def test_a_share_of_zero_is_data():
    bars = sla_attainment_bars([sla_metric("p1", "SLA first response, P1", 0, 2)], "W48")
    assert bars.has_data
    assert bars.alt_text() == (
        "First-response SLA attainment, W48. P1: Within SLA 0.0%. Target: at least 95%."
    )


def test_the_attainment_legend_names_the_colour_of_a_miss_and_the_target():
    rows = [
        sla_metric("t2", "SLA first response, Standard", 3, 4),
        sla_metric("p1", "SLA first response, P1", 2, 2),
    ]
    svg = render(sla_attainment_bars(rows, "W48")).svg.decode()
    for words in ("Met", "Missed", "Target 95%", "75%", "100%", "Standard", "P1"):
        assert words in svg
    all_met = render(sla_attainment_bars(rows[1:], "W48")).svg.decode()
    assert "Missed" not in all_met


def test_categories_are_compared_with_the_period_before():
    bars = category_bars(_categories([["Bug", 3, 1]]))
    assert bars.horizontal
    assert bars.alt_text() == "Tickets by category. Bug: In the period 3, Period before 1."
