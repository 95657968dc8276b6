"""The SLA event API: what other features (escalation, notifications) subscribe to.

    from lifebuoy.sla.events import SlaEvent, SlaEventKind, sla_event_subscribe

    def on_sla_event(event: SlaEvent) -> None:
        if event.kind == SlaEventKind.BREACHED:
            ...

    # in the subscribing app's AppConfig.ready():
    sla_event_subscribe(on_sla_event)

Each event is emitted exactly once per clock and kind: the producer's conditional update
decides who emits. Emitting never runs subscribers in the producer: the events are written
(``PendingEvent``) in the producing transaction, and after it commits one Celery task per batch
(``lifebuoy.sla.sla_events_deliver``) has a worker call every subscriber in turn, in one
transaction that also deletes the rows. So a slow subscriber never slows the sweep or an agent's
reply, a failed commit delivers nothing, and what subscribers write (notification deliveries,
escalations) is committed exactly when the event is used up: if the task is lost or the worker
dies, the event stays and the minute sweep (``lifebuoy.sla.sla_events_redeliver``) hands it
over. An exception in one subscriber is logged, its writes are rolled back, and the others still
run.

The delivery task is defined here, beside the emitter that queues it, rather than in
``tasks.py``: the producers import this module, and ``tasks.py`` imports the producers.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from celery import shared_task
from django.db import transaction

from lifebuoy.core.tasks import enqueue_on_commit
from lifebuoy.sla.models import PendingEvent

logger = logging.getLogger(__name__)


class SlaEventKind(StrEnum):
    AT_RISK = "at_risk"  # the configured share of the target is used up
    BREACHED = "breached"  # the deadline passed before the clock stopped


@dataclass(frozen=True, slots=True)
class SlaEvent:
    kind: SlaEventKind
    ticket_id: int
    clock_id: int
    clock_kind: str  # a ClockKind value
    due_at: datetime
    occurred_at: datetime  # when the producer noticed it (breaches happen at ``due_at``)

    def to_json(self) -> dict[str, str | int]:
        return {
            "kind": self.kind.value,
            "ticket_id": self.ticket_id,
            "clock_id": self.clock_id,
            "clock_kind": self.clock_kind,
            "due_at": self.due_at.isoformat(),
            "occurred_at": self.occurred_at.isoformat(),
        }

    @classmethod
    def from_json(cls, data: dict[str, str | int]) -> SlaEvent:
        return cls(
            kind=SlaEventKind(str(data["kind"])),
            ticket_id=int(data["ticket_id"]),
            clock_id=int(data["clock_id"]),
            clock_kind=str(data["clock_kind"]),
            due_at=datetime.fromisoformat(str(data["due_at"])),
            occurred_at=datetime.fromisoformat(str(data["occurred_at"])),
        )


Subscriber = Callable[[SlaEvent], None]
_subscribers: list[Subscriber] = []


def sla_event_subscribe(subscriber: Subscriber) -> Subscriber:
    """Receive every SLA event from now on. Usable as a decorator; subscribing twice is a no-op."""
    if subscriber not in _subscribers:
        _subscribers.append(subscriber)
    return subscriber


def sla_event_unsubscribe(subscriber: Subscriber) -> None:
    if subscriber in _subscribers:
        _subscribers.remove(subscriber)


def sla_events_emit(events: Sequence[SlaEvent]) -> None:
    """Write ``events`` in the current transaction; deliver them once it commits."""
    if not events:
        return
    rows = PendingEvent.objects.bulk_create(
        PendingEvent(payload=event.to_json(), created_at=event.occurred_at) for event in events
    )
    enqueue_on_commit(sla_events_deliver, [row.id for row in rows])


def sla_events_notify(events: Sequence[SlaEvent]) -> int:
    """Call every subscriber with each event, in order; the number of events delivered. Each
    subscriber's writes are undone when it fails, and the others still run."""
    for event in events:
        for subscriber in _subscribers:
            try:
                with transaction.atomic():
                    subscriber(event)
            except Exception:
                logger.exception("SLA event subscriber %r failed on %s", subscriber, event)
    return len(events)


def sla_events_deliver_pending(
    *, ids: Sequence[int] | None = None, older_than: datetime | None = None, limit: int = 500
) -> int:
    """Hand the pending events named by ``ids`` (or, for the sweep, those created before
    ``older_than``) to the subscribers and delete them, all in one transaction. Rows another
    worker is delivering are skipped; the number of events delivered."""
    with transaction.atomic():
        pending = PendingEvent.objects.select_for_update(skip_locked=True).order_by("id")
        if ids is not None:
            pending = pending.filter(id__in=list(ids))
        elif older_than is not None:
            pending = pending.filter(created_at__lt=older_than)
        rows = list(pending[:limit])
        delivered = sla_events_notify([SlaEvent.from_json(row.payload) for row in rows])
        PendingEvent.objects.filter(id__in=[row.id for row in rows]).delete()
    return delivered


@shared_task(name="lifebuoy.sla.sla_events_deliver", time_limit=600, soft_time_limit=540)
def sla_events_deliver(event_ids: list[int]) -> int:
    """Deliver the events one transaction emitted (by the ids of their pending rows)."""
    return sla_events_deliver_pending(ids=event_ids)
