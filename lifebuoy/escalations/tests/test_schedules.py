"""Overrides added by a support lead, from the desk and the API."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.escalations.models import Schedule, ScheduleOverride
from lifebuoy.escalations.selectors import oncall_at
from lifebuoy.escalations.services.schedules import schedule_override_add

pytestmark = pytest.mark.django_db
START = datetime(2026, 11, 24, 18, 0, tzinfo=UTC)


@pytest.fixture
def schedule():
    return Schedule.objects.create(name="Engineering")


def test_a_lead_adds_an_override(schedule, lena, grace):
    schedule_override_add(
        schedule=schedule,
        actor=lena,
        user_id=grace.id,
        starts_at=START,
        ends_at=START + timedelta(hours=8),
    )
    assert oncall_at(schedule=schedule, at=START + timedelta(hours=1)) == grace


def test_overrides_are_checked(schedule, lena, bob, grace, alice):
    with pytest.raises(PermissionDenied, match="Only support leads change on-call schedules"):
        schedule_override_add(
            schedule=schedule,
            actor=bob,
            user_id=grace.id,
            starts_at=START,
            ends_at=START + timedelta(hours=1),
        )
    with pytest.raises(ValidationFailed) as caught:
        schedule_override_add(
            schedule=schedule, actor=lena, user_id=alice.id, starts_at=START, ends_at=START
        )
    assert set(caught.value.extra["fields"]) == {"ends_at", "user_id"}


def test_from_the_oncall_page(schedule, lena, grace):
    client = Client()
    client.force_login(lena)
    page = client.get(reverse("escalations:oncall"))
    assert b"Add override" in page.content
    client.post(
        reverse("escalations:oncall"),
        {
            "schedule": schedule.id,
            "user": grace.id,
            "starts_at": "2026-11-24T18:00",
            "ends_at": "2026-11-25T02:00",
        },
    )
    override = ScheduleOverride.objects.get()
    assert (override.user, override.starts_at) == (grace, START)


def test_over_the_api_and_404_for_customers(api, schedule, lena, grace, charlie):
    body = json.dumps(
        {
            "user_id": grace.id,
            "starts_at": START.isoformat(),
            "ends_at": (START + timedelta(hours=2)).isoformat(),
        }
    )
    url = f"/api/escalations/schedules/{schedule.id}/overrides"
    created = api(lena).post(url, data=body, content_type="application/json")
    assert created.status_code == HTTPStatus.CREATED
    assert created.json()["user_id"] == grace.id
    denied = api(charlie).post(url, data=body, content_type="application/json")
    assert denied.status_code == HTTPStatus.NOT_FOUND
