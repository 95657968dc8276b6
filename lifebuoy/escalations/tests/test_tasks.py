"""The scheduled sweeps are thin: named, time-limited, one service each."""

from __future__ import annotations

import pytest

from lifebuoy.escalations import tasks

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("task", "name"),
    [
        (tasks.rules_sweep, "lifebuoy.escalations.rules_sweep"),
        (tasks.followup_sweep, "lifebuoy.escalations.followup_sweep"),
        (tasks.page_sweep, "lifebuoy.escalations.page_sweep"),
    ],
)
def test_tasks_are_named_and_time_limited(task, name):
    assert task.name == name
    assert task.time_limit
    assert task.soft_time_limit


def test_task_bodies_run_on_an_empty_desk():
    assert tasks.rules_sweep() == 0
    assert tasks.page_sweep() == 0
    assert tasks.followup_sweep() == {
        "checkins": 0,
        "update_warnings": 0,
        "final_notices": 0,
        "closed": 0,
    }
