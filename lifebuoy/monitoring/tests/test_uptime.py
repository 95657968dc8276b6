"""Uptime per agent and period from status changes: exact arithmetic."""

from __future__ import annotations

from datetime import timedelta
from fractions import Fraction

import pytest

from lifebuoy.monitoring.models import AgentStatusChange
from lifebuoy.monitoring.selectors import (
    UPTIME_TARGET,
    uptime_daily,
    uptime_for_deployment,
    uptime_from_changes,
)

from .conftest import T0

DAY = timedelta(days=1)


def h(hours: float):
    return T0 + timedelta(hours=hours)


def test_a_day_with_one_outage_of_ninety_minutes():
    changes = [(h(-5), "online"), (h(3), "offline"), (h(4.5), "online")]
    up = uptime_from_changes(changes, agent="cloud/C1", start=T0, end=T0 + DAY)
    assert up.monitored_seconds == 86_400
    assert up.online_seconds == 86_400 - 5_400
    assert up.ratio == Fraction(81_000, 86_400) == Fraction(15, 16)
    assert up.meets_target is False


def test_time_before_monitoring_started_is_not_counted():
    changes = [(h(12), "online")]
    up = uptime_from_changes(changes, agent="cloud/C1", start=T0, end=T0 + DAY)
    assert (up.online_seconds, up.monitored_seconds) == (43_200, 43_200)
    assert up.ratio == 1


def test_changes_after_the_period_are_ignored():
    changes = [(h(-1), "offline"), (h(30), "online")]
    up = uptime_from_changes(changes, agent="cloud/C1", start=T0, end=T0 + DAY)
    assert (up.online_seconds, up.monitored_seconds) == (0, 86_400)


def test_no_history_means_no_ratio():
    up = uptime_from_changes([], agent="cloud/C1", start=T0, end=T0 + DAY)
    assert up.ratio is None
    assert up.meets_target is None


def test_the_managed_services_target_is_exactly_99_9_percent():
    month = timedelta(days=30)
    allowed = int(month.total_seconds() / 1000)  # 2,592 s of downtime in 30 days
    at_limit = [
        (T0, "online"),
        (T0 + DAY, "offline"),
        (T0 + DAY + timedelta(seconds=allowed), "online"),
    ]
    over = [
        (T0, "online"),
        (T0 + DAY, "offline"),
        (T0 + DAY + timedelta(seconds=allowed + 1), "online"),
    ]
    assert Fraction(999, 1000) == UPTIME_TARGET
    assert uptime_from_changes(at_limit, agent="a", start=T0, end=T0 + month).meets_target
    assert not uptime_from_changes(over, agent="a", start=T0, end=T0 + month).meets_target


def test_never_seen_counts_as_down():
    changes = [(T0, "never_seen"), (h(6), "online")]
    up = uptime_from_changes(changes, agent="a", start=T0, end=T0 + DAY)
    assert up.ratio == Fraction(3, 4)


@pytest.mark.django_db
def test_uptime_per_agent_from_the_database(deployment):
    rows = [
        ("cloud/C1", "", "online", h(-1)),
        ("cloud/C1", "online", "offline", h(6)),
        ("cloud/C1", "offline", "online", h(12)),
        ("cloud/C2", "", "online", h(0)),
    ]
    AgentStatusChange.objects.bulk_create(
        AgentStatusChange(
            deployment=deployment, agent=a, old_status=o, new_status=n, at=at, recorded_at=at
        )
        for a, o, n, at in rows
    )
    c1, c2 = uptime_for_deployment(deployment=deployment, start=T0, end=T0 + DAY)
    assert (c1.agent, c1.ratio) == ("cloud/C1", Fraction(3, 4))
    assert (c2.agent, c2.ratio) == ("cloud/C2", Fraction(1))
    # UTC days: Nov 24 (monitored from 09:00; offline 16:00-22:00) and Nov 25 up to 10:00.
    daily = uptime_daily(deployment=deployment, end=T0 + DAY, days=2)
    assert [d.ratio for d in daily["cloud/C1"]] == [Fraction(9, 15), Fraction(1)]
    assert daily["cloud/C1"][1].monitored_seconds == 10 * 3600
