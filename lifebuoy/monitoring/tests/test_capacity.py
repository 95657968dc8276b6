"""Capacity trends: weekly values and the straight-line projection of a threshold crossing."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from lifebuoy.monitoring.capacity import capacity_trends, projected_crossing
from lifebuoy.monitoring.models import DoctorRun, UsageRecord

from .conftest import T0, make_deployment

MONDAYS = [date(2026, 11, 2) + timedelta(weeks=i) for i in range(4)]


def test_a_steady_rise_is_projected_to_the_week_it_crosses():
    # 10, 20, 30, 40 per week: 100 is reached 6 weeks after the last point (index 9).
    assert projected_crossing(MONDAYS, [10, 20, 30, 40], 100) == MONDAYS[0] + timedelta(weeks=9)


def test_no_projection_when_flat_falling_short_or_without_threshold():
    assert projected_crossing(MONDAYS, [5, 5, 5, 5], 100) is None
    assert projected_crossing(MONDAYS, [40, 30, 20, 10], 100) is None
    assert projected_crossing(MONDAYS, [None, None, 10, 20], 100) is None
    assert projected_crossing(MONDAYS, [10, 20, 30, 40], None) is None


def test_an_already_crossed_trend_reports_the_latest_week():
    assert projected_crossing(MONDAYS, [10, 20, 30, 40], 25) == MONDAYS[-1]


@pytest.mark.django_db
def test_weekly_trends_from_runs_and_usage(acme, alice, customer_repo):
    deployment = make_deployment(acme, alice, customer_repo.path, budget="520")
    for week in range(4):
        at = T0 - timedelta(weeks=3 - week)
        DoctorRun.objects.create(
            deployment=deployment,
            created_at=at,
            new_commits=100 * (week + 1),
            git_size_bytes=(week + 1) * 200_000_000,
            consolidation_seconds=600 * (week + 1),
        )
        UsageRecord.objects.create(
            deployment=deployment,
            day=at.date(),
            model="m",
            cost=Decimal(30 * (week + 1)),
            source="api",
            updated_at=at,
        )
    trends = {t.metric: t for t in capacity_trends(deployment=deployment, now=T0, weeks=4)}
    size = trends["repository_size"]
    assert size.values == [2e8, 4e8, 6e8, 8e8]
    assert size.threshold == 1e9
    assert size.crossing == size.weeks[0] + timedelta(weeks=4)  # 1 GB at index 4 (rounded)
    assert trends["commit_volume"].values == [None, 200, 300, 400]  # the first run is history
    assert trends["consolidation_time"].values == [10, 20, 30, 40]
    assert trends["consolidation_time"].threshold == 30
    assert trends["cost"].values == [30, 60, 90, 120]
    assert trends["cost"].threshold == 120  # 520 a month is 120 a week
