"""The weekly report's charts: the series match the report's numbers; the images are produced
at the promised size and format; "no data" is said in the chart and its alt text."""

from __future__ import annotations

import struct
from datetime import UTC, datetime

import pytest

from lifebuoy.core.periods import iso_week
from lifebuoy.reports import charts
from lifebuoy.reports.selectors.common import Metric
from lifebuoy.reports.weekly import weekly_report_build

from .conftest import Week

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(content: bytes) -> tuple[int, int]:
    assert content.startswith(PNG_SIGNATURE)
    assert content[12:16] == b"IHDR"
    width, height = struct.unpack(">II", content[16:24])
    return width, height


def csat(value: float | None) -> Metric:
    return Metric(key="csat", label="CSAT", value=value, target=4.5, comparison=">", unit="/5")


@pytest.mark.django_db
def test_the_series_are_the_reports_numbers(week: Week):
    report = weekly_report_build(period=week.period)
    per_day, sla, trend = charts.weekly_series(report, csat_source=lambda p: csat(None))

    assert per_day.labels == ["Mon 23", "Tue 24", "Wed 25", "Thu 26", "Fri 27", "Sat 28", "Sun 29"]
    assert per_day.values == [2, 2, 1, 0, 0, 0, 0]
    assert sum(v or 0 for v in per_day.values) == report.summary["total"]

    expected = [*report.sla_by_tier, *report.sla_by_priority]
    assert sla.labels == ["Standard", "P1", "P2", "P3"]
    assert sla.values == [m.value * 100 for m in expected if m.value is not None]
    assert sla.values == [75.0, 100.0, 50.0, 100.0]
    assert sla.counts == [4, 1, 2, 1]
    assert sla.target == 95.0

    assert trend.labels[-1] == "2026-W48"
    assert len(trend.labels) == charts.CSAT_WEEKS


@pytest.mark.django_db
def test_alt_text_states_every_number_and_the_target(week: Week):
    report = weekly_report_build(period=week.period)
    per_day, sla, _ = charts.weekly_series(report, csat_source=lambda p: csat(None))
    assert per_day.alt_text() == (
        "Tickets created per day, 2026-W48: Mon 23 2; Tue 24 2; Wed 25 1; Thu 26 0; Fri 27 0; "
        "Sat 28 0; Sun 29 0."
    )
    assert sla.alt_text() == (
        "First-response SLA attainment, 2026-W48: Standard 75.0% (4 decided); "
        "P1 100.0% (1 decided); P2 50.0% (2 decided); P3 100.0% (1 decided). "
        "Target: at least 95%."
    )


def test_the_csat_trend_asks_its_source_for_each_of_the_eight_weeks_in_order():
    asked = []

    def source(period):
        asked.append(period.label)
        return csat({"2026-W46": 4.0, "2026-W48": 4.75}.get(period.label))

    trend = charts.csat_trend_series(iso_week("2026-W48"), source=source)
    assert asked == [f"2026-W{n}" for n in range(41, 49)]
    assert trend.values == [None, None, None, None, None, 4.0, None, 4.75]
    assert trend.has_data
    assert "2026-W46 4.00/5; 2026-W47 no data; 2026-W48 4.75/5." in trend.alt_text()
    assert trend.alt_text().endswith("Target: above 4.5/5.")


def test_a_chart_with_nothing_to_show_says_so():
    trend = charts.csat_trend_series(iso_week("2026-W48"), source=lambda p: csat(None))
    assert not trend.has_data
    assert trend.alt_text() == (
        "Average CSAT (1-5) per week, 2026-W41 to 2026-W48: no survey answers yet."
    )
    chart = charts.render(trend, "svg")
    assert b"no survey answers yet" in chart.content


def test_days_without_tickets_count_zero():
    week = iso_week("2026-W48")
    series = charts.tickets_per_day_series(week, [{"start": "2026-11-25", "count": 4}])
    assert series.values == [0, 0, 4, 0, 0, 0, 0]


def test_png_and_svg_are_produced_at_the_fixed_size_and_repeat_byte_for_byte():
    series = charts.tickets_per_day_series(
        iso_week("2026-W48"), [{"start": "2026-11-23", "count": 3}]
    )
    png = charts.render(series, "png")
    assert png.content_type == "image/png"
    assert png.filename == "tickets-per-day.png"
    assert png_size(png.content) == (charts.WIDTH_PX, charts.HEIGHT_PX)
    assert charts.render(series, "png").content == png.content

    svg = charts.render(series, "svg")
    assert svg.content_type == "image/svg+xml"
    assert svg.content.lstrip().startswith(b"<?xml")
    assert b'width="460.8pt" height="230.4pt"' in svg.content  # 640 × 320 px at 72 pt/inch
    assert charts.render(series, "svg").content == svg.content
    assert png.data_uri().startswith("data:image/png;base64,iVBORw0KGgo")


def test_an_unknown_format_is_refused():
    series = charts.tickets_per_day_series(iso_week("2026-W48"), [])
    with pytest.raises(ValueError, match="Unknown chart format"):
        charts.render(series, "gif")  # type: ignore[arg-type]


def test_the_report_week_need_not_start_the_trend_on_a_monday():
    mid_week = iso_week("2026-W48")
    shifted = type(mid_week)(
        start=datetime(2026, 11, 25, tzinfo=UTC), end=mid_week.end, label="custom"
    )
    trend = charts.csat_trend_series(shifted, source=lambda p: csat(None))
    assert trend.labels[-1] == "2026-W48"


@pytest.mark.django_db
def test_the_weekly_page_shows_the_three_charts_with_their_numbers(week: Week, lena):
    from django.test import Client

    client = Client()
    client.force_login(lena)
    body = client.get("/desk/reports/weekly/?week=2026-W48").content.decode()
    assert body.count('<img src="data:image/png;base64,') == 3
    assert 'alt="First-response SLA attainment, 2026-W48: Standard 75.0% (4 decided);' in body
