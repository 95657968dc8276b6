"""Background work for SLAs: the periodic sweep and event delivery. Tasks call one service."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="lifebuoy.sla.sla_breach_scan", time_limit=120, soft_time_limit=100)
def sla_breach_scan(batch_size: int = 500) -> dict[str, int]:
    from lifebuoy.sla.services import sla_breach_scan as run

    result = run(now=timezone.now(), batch_size=batch_size)
    return {"at_risk": result.at_risk, "breached": result.breached}


@shared_task(name="lifebuoy.sla.sla_events_deliver", time_limit=600, soft_time_limit=540)
def sla_events_deliver(events: list[dict[str, str | int]]) -> int:
    from lifebuoy.sla.events import SlaEvent
    from lifebuoy.sla.events import sla_events_deliver as run

    return run([SlaEvent.from_json(event) for event in events])
