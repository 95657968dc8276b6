"""Each metric of docs/metrics.md on the hand-built week in conftest.py, answers worked by hand."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from lifebuoy.core.periods import iso_week, previous_week
from lifebuoy.reports import selectors
from lifebuoy.sla.models import Clock, ClockKind, ClockState

from .conftest import Week, at

pytestmark = pytest.mark.django_db


def test_iso_weeks_run_monday_to_monday_in_utc():
    week = iso_week("2026-W48")
    assert (week.start, week.end) == (at(23, 0), at(30, 0))
    assert previous_week(datetime(2026, 12, 1, 6, tzinfo=UTC)).label == "2026-W48"
    for bad in ("2026-48", "2026-W54", "W48", ""):
        with pytest.raises(ValueError, match="week"):
            iso_week(bad)


def test_first_response_time_is_calendar_hours_by_priority(week: Week):
    # T1 0.5 h, T2 18 h (Wed 15:00 -> Thu 09:00), T3 24.5 h, T5 1 h; T6 answered the week before
    result = selectors.first_response_time(week.period)
    assert result["all"].value == pytest.approx((0.5 + 18 + 24.5 + 1) / 4)
    assert result["all"].count == 4
    assert result["P1"].value == pytest.approx(0.5)
    assert result["P2"].value == pytest.approx((18 + 24.5) / 2)
    assert result["P3"].value == pytest.approx(1.0)


def test_sla_attainment_counts_business_hours_through_the_clocks(week: Week):
    clocks = {
        c.ticket_id: c for c in Clock.objects.filter(kind=ClockKind.FIRST_RESPONSE, is_goal=False)
    }
    # T2: 18 calendar hours, but 1 business hour Wednesday + 1 Thursday of its 8: met.
    assert clocks[week.tickets["T2"].id].state == ClockState.MET
    # T3: 8 business hours ran out Monday 17:00 Berlin (16:00 UTC): breached then.
    assert clocks[week.tickets["T3"].id].breached_at == at(23, 16)

    sla = selectors.sla_attainment(week.period)
    # decided in the week: T1 met, T2 met, T3 breached, T5 met (T4 still running, T6 last week)
    assert (sla.overall.value, sla.overall.count, sla.overall.met) == (0.75, 4, False)
    assert [(m.label, m.value, m.met) for m in sla.by_tier] == [
        ("SLA first response, Standard", 0.75, False)
    ]
    assert [(m.label, m.value, m.count) for m in sla.by_priority] == [
        ("SLA first response, P1", 1.0, 1),
        ("SLA first response, P2", 0.5, 2),
        ("SLA first response, P3", 1.0, 1),
    ]
    assert [(m.label, m.value) for m in sla.by_tier_and_priority] == [
        ("SLA first response, Standard P1", 1.0),
        ("SLA first response, Standard P2", 0.5),
        ("SLA first response, Standard P3", 1.0),
    ]


def test_first_response_time_in_sla_hours_skips_nights_and_weekends(week: Week):
    result = selectors.first_response_sla_hours(week.period)
    # T1 P1 on calendar time: 30 min. T2: Wed 16-17 + Thu 9-10 Berlin = 2 business hours.
    # T3: Mon 9-17 + Tue 9:00-9:30 Berlin = 8.5 business hours. T5: Tue 13-14 Berlin = 1 hour.
    assert result["P1"].value == pytest.approx(0.5)
    assert result["P2"].value == pytest.approx((2 + 8.5) / 2)
    assert result["P3"].value == pytest.approx(1.0)
    assert result["all"].value == pytest.approx((0.5 + 2 + 8.5 + 1) / 4)
    assert result["all"].count == 4


def test_resolution_time_against_each_priority_target(week: Week):
    by = {m.key: m for m in selectors.resolution_time(week.period)}
    # P1 T1 2 h; P2 T2 20 h and T3 49 h from creation to its latest resolution; P3 T5 2 h;
    # P4 T6 72 h (created the week before, resolved in this one)
    assert (by["resolution_time_p1"].value, by["resolution_time_p1"].met) == (2.0, True)
    assert by["resolution_time_p2"].value == pytest.approx(34.5)
    assert by["resolution_time_p2"].met is False
    assert by["resolution_time_p2"].note == "50% resolved within target"
    assert (by["resolution_time_p3"].value, by["resolution_time_p3"].met) == (2.0, True)
    assert (by["resolution_time_p4"].value, by["resolution_time_p4"].target) == (72.0, 168)
    assert by["resolution_time_p4"].met is True


def test_reopen_rate_counts_the_reopened_ticket(week: Week):
    week.tickets["T3"].refresh_from_db()
    assert week.tickets["T3"].reopen_count == 1
    metric = selectors.reopen_rate(week.period)
    # created this week and resolved at least once: T1, T2, T3, T5; reopened: T3
    assert (metric.value, metric.count, metric.met) == (0.25, 4, False)


def test_satisfaction_without_survey_answers_is_no_data(week: Week):
    for metric in (selectors.csat(week.period), selectors.nps(week.period)):
        assert metric.value is None
        assert metric.met is None
        assert metric.show() == "no data"


def test_volume_by_day_week_month_and_dimension(week: Week):
    volume = selectors.volume(week.period)
    assert volume["total"] == 5
    assert volume["per_day"] == [
        {"start": "2026-11-23", "count": 2},
        {"start": "2026-11-24", "count": 2},
        {"start": "2026-11-25", "count": 1},
    ]
    assert volume["per_week"] == [{"start": "2026-11-23", "count": 5}]
    assert volume["per_month"] == [{"start": "2026-11-01", "count": 5}]

    def counts(rows):
        return {row["key"]: row["count"] for row in rows}

    assert counts(volume["by_priority"]) == {"P1": 1, "P2": 2, "P3": 2}
    assert counts(volume["by_category"]) == {"bug": 3, "performance": 2}
    assert counts(volume["by_channel"]) == {"email": 1, "portal": 2, "slack": 1, "phone": 1}
    assert counts(volume["by_organization"]) == {"Acme": 4, "Globex": 1}


def test_escalation_rate_and_destinations(week: Week):
    rate = selectors.escalation_rate(week.period)
    # 2 of the 5 tickets created this week climbed the ladder (T2, T4; T4 twice)
    assert (rate.value, rate.count, rate.met) == (0.4, 5, False)
    assert selectors.escalations(week.period) == {"total": 2, "engineering": 1, "product": 1}


def test_first_contact_resolution(week: Week):
    metric = selectors.first_contact_resolution(week.period)
    # resolved this week: T1 yes, T2 no (two agent replies), T3 no (reopened),
    # T5 yes (the internal note does not count), T6 yes
    assert (metric.value, metric.count, metric.met) == (0.6, 5, False)


def test_kb_deflection_reuses_the_suggestion_records(week: Week):
    metric = selectors.kb_deflection(week.period)
    assert (metric.value, metric.count, metric.met) == (0.75, 4, None)


def test_met_follows_the_comparison():
    assert selectors.Metric(key="k", label="k", value=0.04, target=0.05, comparison="<").met
    assert not selectors.Metric(key="k", label="k", value=0.05, target=0.05, comparison="<").met
    assert selectors.Metric(key="k", label="k", value=0.95, target=0.95, comparison=">=").met
    unknown = selectors.Metric(key="k", label="k", value=None, target=0.95, comparison=">=")
    assert unknown.met is None


def test_an_empty_week_has_no_data_rather_than_zero():
    period = iso_week("2026-W10")
    assert selectors.reopen_rate(period).value is None
    assert selectors.first_contact_resolution(period).met is None
    assert selectors.sla_attainment(period).overall.show() == "no data"
