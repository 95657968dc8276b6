from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus
from unittest import mock

import pytest
from django.db import OperationalError

from lifebuoy.core.heartbeats import SCHEDULER, heartbeat_record

pytestmark = pytest.mark.django_db


def test_health_reports_ok_with_the_database_vendor(client, now):
    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=now)
    heartbeat_record(name="bulk.1@host", kind="worker", queues="celery", now=now)
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(seconds=60)):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK
    body = response.json()
    assert body["status"] == "ok"
    assert body["scheduler"] == {"state": "ok", "seen_at": now.isoformat()}
    assert body["workers"] == {"ok": 1, "silent": 0}


def test_a_silent_scheduler_makes_the_health_degraded_but_the_web_still_serves(client, now):
    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=now)
    heartbeat_record(
        name="bulk.1@host", kind="worker", queues="celery", now=now + timedelta(hours=1)
    )
    with mock.patch("django.utils.timezone.now", return_value=now + timedelta(hours=1)):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.OK  # load balancers keep sending requests
    assert response.json()["status"] == "degraded"
    assert response.json()["scheduler"]["state"] == "silent"


def test_health_is_503_when_the_database_is_unreachable(client):
    with mock.patch("django.db.backends.utils.CursorWrapper.execute", side_effect=OperationalError):
        response = client.get("/healthz")
    assert response.status_code == HTTPStatus.SERVICE_UNAVAILABLE
    assert response.json()["database"] == "unreachable"
