"""The sweeps are scheduled, and their tasks call the services."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.conf import settings

from config.celery import app
from lifebuoy.surveys import tasks

from .conftest import resolved_ticket

pytestmark = pytest.mark.django_db


def test_both_sweeps_are_on_the_beat_schedule():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {"lifebuoy.surveys.csat_sweep", "lifebuoy.surveys.nps_sweep"} <= scheduled
    app.loader.import_default_modules()
    assert {"lifebuoy.surveys.csat_sweep", "lifebuoy.surveys.nps_sweep"} <= set(app.tasks)


def test_the_csat_task_sends_what_is_due(alice, ted, now):
    resolved_ticket(alice, ted, now - timedelta(days=2))
    with time_machine.travel(now, tick=False):
        assert tasks.csat_sweep() == 1
        assert tasks.csat_sweep() == 0
        assert tasks.nps_sweep() == 0  # alice's ticket is from this quarter
