"""``lifebuoy oncall``."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.utils import timezone
from typer.testing import CliRunner

from lifebuoy.cli.app import build
from lifebuoy.cli.exit_status import ExitStatus
from lifebuoy.escalations.models import LayerMember, Schedule, ScheduleLayer

pytestmark = pytest.mark.django_db
runner = CliRunner()


@pytest.fixture
def schedule(grace):
    schedule = Schedule.objects.create(name="Engineering")
    layer = ScheduleLayer.objects.create(
        schedule=schedule, name="Weekly", rotation_start=timezone.now() - timedelta(hours=1)
    )
    LayerMember.objects.create(layer=layer, user=grace)
    return schedule


def test_it_shows_who_is_on_call(schedule, grace):
    result = runner.invoke(build(), ["oncall"])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    assert f"Engineering: Grace <{grace.email}>" in result.output


def test_it_speaks_json(schedule, grace):
    result = runner.invoke(build(), ["oncall", "--json"])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    data = json.loads(result.output)
    assert data["schedules"] == [
        {"name": "Engineering", "timezone": "UTC", "on_call": grace.email, "name_on_call": "Grace"}
    ]
    assert data["open_pages"] == []


def test_an_unknown_schedule_says_so(schedule):
    result = runner.invoke(build(), ["oncall", "--schedule", "Nope"])
    assert result.exit_code == ExitStatus.SUCCESS
    assert "No on-call schedule named Nope." in result.output
