"""The SLA event API: what other features (escalation, notifications) subscribe to.

    from lifebuoy.sla.events import SlaEvent, sla_event_subscribe

    @sla_event_subscribe
    def on_sla_event(event: SlaEvent) -> None:
        if event.kind == SlaEventKind.BREACHED:
            escalation_open_task.delay(ticket_id=event.ticket_id, clock_id=event.clock_id)

Register subscribers in the subscribing app's ``AppConfig.ready()``. Events are delivered after
the transaction that produced them commits, exactly once per clock and kind (the producer's
conditional update decides who emits), in the producing process. A subscriber must be quick and
should hand real work to a Celery task; an exception in one subscriber is logged and does not
stop the others.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from functools import partial

from django.db import transaction

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
    """Deliver ``events`` to every subscriber once the current transaction commits."""
    if events:
        transaction.on_commit(partial(_deliver, tuple(events)))


def _deliver(events: tuple[SlaEvent, ...]) -> None:
    for event in events:
        for subscriber in _subscribers:
            try:
                subscriber(event)
            except Exception:
                logger.exception("SLA event subscriber %r failed on %s", subscriber, event)
