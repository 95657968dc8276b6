"""The demo's month of history is written at once, not lived: the work each past event would
have left to the workers (its emails, its escalation follow-up) is settled here in bulk, so a
new desk does not start with thousands of tasks for things that happened weeks ago."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.db.models import F

from lifebuoy.core.tasks import enqueue_skipped
from lifebuoy.escalations.services.rules import rules_sweep
from lifebuoy.escalations.tasks import ticket_event_followup
from lifebuoy.notifications.models import Delivery, DeliveryStatus
from lifebuoy.notifications.tasks import delivery_send


@contextmanager
def history_written(*, now: datetime) -> Iterator[None]:
    """Around the loading of past events: no per-event tasks; afterwards the deliveries those
    events wrote count as sent when they were written, and the escalation rules look at the
    open tickets once (as their scheduled sweep would), paging nobody for the past."""
    first = (Delivery.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    with enqueue_skipped(delivery_send, ticket_event_followup):
        yield
    Delivery.objects.filter(id__gte=first, status=DeliveryStatus.PENDING).update(
        status=DeliveryStatus.SENT, sent_at=F("created_at"), attempts=1
    )
    rules_sweep(now=now)
