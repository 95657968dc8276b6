"""Escalations' background work: three scheduled sweeps, and the follow-up a ticket change
queues. Each task reads the clock once (the follow-up gets the time it was queued at) and calls
the service of the same name."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone

from lifebuoy.escalations.services import followup, oncall, page_due, rules, ticket_events

RULES_SWEEP_CURSOR = "lifebuoy.escalations.rules_sweep.after"


@shared_task(name="lifebuoy.escalations.rules_sweep", time_limit=300, soft_time_limit=240)
def rules_sweep(batch_size: int = 200) -> int:
    after = cache.get(RULES_SWEEP_CURSOR, 0)
    result = rules.rules_sweep(now=timezone.now(), batch_size=batch_size, after=after)
    cache.set(RULES_SWEEP_CURSOR, result.resume_after, timeout=None)
    return result.made


@shared_task(name="lifebuoy.escalations.followup_sweep", time_limit=300, soft_time_limit=240)
def followup_sweep(batch_size: int = 200) -> dict[str, int]:
    result = followup.followup_sweep(now=timezone.now(), batch_size=batch_size)
    return {
        "checkins": result.checkins,
        "update_warnings": result.update_warnings,
        "final_notices": result.final_notices,
        "closed": result.closed,
    }


@shared_task(name="lifebuoy.escalations.page_sweep", time_limit=60, soft_time_limit=45)
def page_sweep(batch_size: int = 200) -> int:
    """Start the pages no follow-up task started, then move overdue pages on: pages started
    plus moves made."""
    now = timezone.now()
    started = page_due.page_due_sweep(now=now, batch_size=batch_size)
    return started + oncall.page_sweep(now=now, batch_size=batch_size)


@shared_task(name="lifebuoy.escalations.ticket_event_followup", time_limit=60, soft_time_limit=45)
def ticket_event_followup(ticket_id: int, at: str) -> None:
    ticket_events.ticket_event_followup(ticket_id=ticket_id, now=datetime.fromisoformat(at))
