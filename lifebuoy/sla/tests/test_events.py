"""SLA events reach every subscriber once, even when their task is lost or a subscriber fails."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest

from lifebuoy.notifications.models import Delivery
from lifebuoy.sla import events as sla_events
from lifebuoy.sla.events import (
    SlaEvent,
    SlaEventKind,
    sla_event_subscribe,
    sla_event_unsubscribe,
    sla_events_deliver,
    sla_events_deliver_pending,
    sla_events_emit,
)
from lifebuoy.sla.models import PendingEvent
from lifebuoy.sla.tasks import REDELIVER_AFTER

pytestmark = pytest.mark.django_db


@pytest.fixture
def only(request):
    """Replace the subscribers with the given ones for the test."""
    saved = list(sla_events._subscribers)

    def use(*subscribers):
        sla_events._subscribers[:] = []
        for subscriber in subscribers:
            sla_event_subscribe(subscriber)

    yield use
    sla_events._subscribers[:] = saved


def event(now, kind=SlaEventKind.BREACHED, ticket_id=1):
    return SlaEvent(kind, ticket_id, 2, "first_response", now, now)


def test_emitting_writes_the_events_and_queues_one_task_after_commit(
    django_capture_on_commit_callbacks, now
):
    with (
        mock.patch.object(sla_events_deliver, "delay") as delay,
        django_capture_on_commit_callbacks(execute=True),
    ):
        sla_events_emit([event(now), event(now, SlaEventKind.AT_RISK)])
        delay.assert_not_called()
    ids = list(PendingEvent.objects.order_by("id").values_list("id", flat=True))
    delay.assert_called_once_with(ids)


def test_the_task_delivers_its_events_once_to_every_subscriber(only, now):
    got: list[SlaEvent] = []
    only(got.append, got.append)  # subscribing twice is once
    sla_events_emit([event(now)])
    ids = list(PendingEvent.objects.values_list("id", flat=True))
    assert sla_events_deliver(ids) == 1
    assert got == [event(now)]
    assert sla_events_deliver(ids) == 0  # a repeated task finds nothing left
    assert got == [event(now)]
    sla_event_unsubscribe(got.append)


def test_an_event_whose_task_was_lost_is_delivered_by_the_sweep(only, now):
    got: list[SlaEvent] = []
    only(got.append)
    sla_events_emit([event(now)])  # its task never runs
    assert sla_events_deliver_pending(older_than=now) == 0  # too fresh: its task may yet run
    assert sla_events_deliver_pending(older_than=now + REDELIVER_AFTER) == 1
    assert got == [event(now)]
    assert sla_events_deliver_pending(older_than=now + 2 * REDELIVER_AFTER) == 0
    assert not PendingEvent.objects.exists()


def test_a_failing_subscriber_loses_only_its_own_writes(only, alice, now):
    from lifebuoy.notifications.services.outbox import delivery_enqueue

    got: list[SlaEvent] = []

    def writes_then_fails(e: SlaEvent) -> None:
        delivery_enqueue(
            kind="slack", key=f"half:{e.ticket_id}", ticket=None, target="#x", payload={}, now=now
        )
        raise RuntimeError("boom")

    only(writes_then_fails, got.append)
    sla_events_emit([event(now)])
    assert sla_events_deliver_pending(older_than=now + timedelta(days=1)) == 1
    assert got == [event(now)]
    assert not Delivery.objects.filter(idempotency_key__startswith="half:").exists()
    assert not PendingEvent.objects.exists()
