"""Average handle time (docs/metrics.md) on hand-built time entries with known answers.

In 2026-W48 (the week of conftest.py): T1, T2, T3 and T5 are resolved in the week, T6 was too
(created the week before), T4 is still open.

T1: ted's timer 10:00-10:45 (45 min) and a manual 15 min by bob          -> 60 min
T2: a manual 2 h by ted, and bob's timer still running                   -> 120 min
T3: only a running timer (grace's)                                       -> not in the cohort
T5: nothing logged                                                       -> not in the cohort
T6: a manual 30 min                                                      -> 30 min
T4: a manual 8 h, but it is not resolved                                 -> not in the cohort
Average of 60, 120, 30 minutes = 70 min = 1.1667 h over 3 tickets.
"""

from __future__ import annotations

from datetime import date

import pytest

from lifebuoy.core.periods import iso_week
from lifebuoy.reports.selectors import average_handle_time
from lifebuoy.reports.selectors.common import Scope
from lifebuoy.timetracking.services import (
    ManualTime,
    time_entry_add,
    time_timer_start,
    time_timer_stop,
)

from .conftest import Week, at

pytestmark = pytest.mark.django_db


def _manual(ticket, agent, minutes):
    data = ManualTime(minutes=minutes, worked_on=date(2026, 11, 24))
    time_entry_add(ticket=ticket, agent=agent, data=data, now=at(27, 9))


@pytest.fixture
def logged(week: Week, ted, bob, grace) -> Week:
    t = week.tickets
    time_timer_start(ticket=t["T1"], agent=ted, now=at(23, 10))
    time_timer_stop(ticket=t["T1"], agent=ted, now=at(23, 10, 45))
    _manual(t["T1"], bob, 15)
    _manual(t["T2"], ted, 120)
    time_timer_start(ticket=t["T2"], agent=bob, now=at(26, 9))
    time_timer_start(ticket=t["T3"], agent=grace, now=at(25, 8))
    _manual(t["T6"], ted, 30)
    _manual(t["T4"], bob, 480)
    return week


def test_average_handle_time_over_resolved_tickets_with_time_logged(logged: Week):
    metric = average_handle_time(logged.period)
    assert metric.count == 3
    assert metric.value == pytest.approx(70 / 60)
    assert metric.show() == "1.2 h"
    assert metric.target is None
    assert metric.met is None


def test_a_stopped_timer_joins_the_average(logged: Week, grace):
    time_timer_stop(ticket=logged.tickets["T3"], agent=grace, now=at(25, 10))
    metric = average_handle_time(logged.period)
    assert metric.count == 4
    assert metric.value == pytest.approx((60 + 120 + 30 + 120) / 4 / 60)


def test_no_time_logged_is_no_data(week: Week):
    metric = average_handle_time(week.period)
    assert (metric.value, metric.count, metric.show()) == (
        None,
        0,
        "no target; shown for its trend",
    )


def test_another_week_has_its_own_cohort(logged: Week):
    assert average_handle_time(iso_week("2026-W47")).count == 0


def test_scoped_to_an_organization(logged: Week, acme, globex):
    # T2 is carol's (Acme too); every resolved ticket here is Acme's; Globex has only T4.
    assert average_handle_time(logged.period, Scope(organization_id=acme.id)).count == 3
    assert average_handle_time(logged.period, Scope(organization_id=globex.id)).count == 0
    assert average_handle_time(logged.period, Scope(tier=2)).value == pytest.approx(70 / 60)
    assert average_handle_time(logged.period, Scope(tier=3)).value is None
