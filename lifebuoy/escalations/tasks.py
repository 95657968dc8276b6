"""Scheduled sweeps. Each loads nothing itself: it reads the clock once and calls one service."""

from __future__ import annotations

from datetime import datetime

from celery import shared_task
from django.utils import timezone

RULES_SWEEP_CURSOR = "lifebuoy.escalations.rules_sweep.after"


@shared_task(name="lifebuoy.escalations.rules_sweep", time_limit=300, soft_time_limit=240)
def rules_sweep(batch_size: int = 200) -> int:
    from django.core.cache import cache

    from lifebuoy.escalations.services.rules import rules_sweep as run

    result = run(now=timezone.now(), batch_size=batch_size, after=cache.get(RULES_SWEEP_CURSOR, 0))
    cache.set(RULES_SWEEP_CURSOR, result.resume_after, timeout=None)
    return result.made


@shared_task(name="lifebuoy.escalations.followup_sweep", time_limit=300, soft_time_limit=240)
def followup_sweep(batch_size: int = 200) -> dict[str, int]:
    from lifebuoy.escalations.services.followup import followup_sweep as run

    result = run(now=timezone.now(), batch_size=batch_size)
    return {
        "checkins": result.checkins,
        "update_warnings": result.update_warnings,
        "final_notices": result.final_notices,
        "closed": result.closed,
    }


@shared_task(name="lifebuoy.escalations.page_sweep", time_limit=60, soft_time_limit=45)
def page_sweep(batch_size: int = 200) -> int:
    from lifebuoy.escalations.services.oncall import page_sweep as run

    return run(now=timezone.now(), batch_size=batch_size)


@shared_task(name="lifebuoy.escalations.ticket_event_followup", time_limit=60, soft_time_limit=45)
def ticket_event_followup(ticket_id: int, at: str) -> None:
    from lifebuoy.escalations.hooks import after_ticket_event

    after_ticket_event(ticket_id, datetime.fromisoformat(at))
