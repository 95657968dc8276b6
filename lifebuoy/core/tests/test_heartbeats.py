"""The desk hears from its background processes and warns the leads once when the scheduler
falls silent."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.core.heartbeats import (
    SCHEDULER,
    background_health,
    heartbeat_record,
    scheduler_silence_check,
)
from lifebuoy.notifications.models import Delivery

pytestmark = pytest.mark.django_db


def _warnings() -> list[str]:
    return sorted(
        Delivery.objects.filter(idempotency_key__startswith="ops:scheduler-silent").values_list(
            "target", flat=True
        )
    )


def test_a_silent_scheduler_warns_every_lead_and_admin_once_per_silence(now, lena, ada, ted):
    heartbeat_record(name="bulk.1@host", kind="worker", queues="celery", now=now)
    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=now)
    assert not scheduler_silence_check(now=now + timedelta(seconds=60))  # within three periods
    assert _warnings() == []
    later = now + timedelta(minutes=5)
    heartbeat_record(name="bulk.1@host", kind="worker", queues="celery", now=later)
    assert scheduler_silence_check(now=later)
    assert _warnings() == sorted([lena.email, ada.email])  # not the tier-1 agent
    message = Delivery.objects.filter(target=lena.email).get().payload
    assert "scheduler" in message["subject"]
    assert "SLA breach scans" in message["text"]
    assert not scheduler_silence_check(now=later + timedelta(minutes=1))  # once per silence
    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=later + timedelta(minutes=2))
    assert scheduler_silence_check(now=later + timedelta(minutes=10))  # a new silence warns
    assert len(_warnings()) == 4


def test_a_scheduler_never_heard_from_warns_once_the_workers_ran_a_while(now, lena):
    heartbeat_record(name="bulk.1@host", kind="worker", now=now)
    assert not scheduler_silence_check(now=now + timedelta(seconds=30))  # just started
    assert scheduler_silence_check(now=now + timedelta(minutes=3))
    assert _warnings() == [lena.email]
    health = background_health(now=now + timedelta(minutes=3))
    assert health.scheduler.silent
    assert health.scheduler.seen_at is None


def test_the_health_lists_workers_and_forgets_the_ones_gone_for_an_hour(now):
    heartbeat_record(name="bulk.1@a", kind="worker", queues="celery", now=now)
    heartbeat_record(name="periodic.1@a", kind="worker", queues="periodic", now=now)
    heartbeat_record(name="bulk.9@b", kind="worker", queues="celery", now=now - timedelta(hours=2))
    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=now)
    health = background_health(now=now + timedelta(seconds=200))
    assert [(w.name, w.silent) for w in health.workers] == [
        ("bulk.1@a", True),
        ("periodic.1@a", True),
    ]
    assert not health.ok
    assert background_health(now=now + timedelta(seconds=20)).ok


def test_workers_gone_for_a_week_are_deleted_by_the_scheduler_s_beat(now):
    from lifebuoy.core.models import ProcessHeartbeat

    heartbeat_record(name="bulk.1@old", kind="worker", now=now - timedelta(days=8))
    heartbeat_record(name="bulk.2@new", kind="worker", now=now - timedelta(days=6))
    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=now)
    names = set(ProcessHeartbeat.objects.values_list("name", flat=True))
    assert names == {"bulk.2@new", SCHEDULER}
