"""Background work for SLAs: the periodic sweep and event delivery. Tasks call one service."""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone


@shared_task(name="lifebuoy.sla.sla_breach_scan", time_limit=120, soft_time_limit=100)
def sla_breach_scan(batch_size: int = 500) -> dict[str, int]:
    from lifebuoy.sla.services import sla_breach_scan as run

    result = run(now=timezone.now(), batch_size=batch_size)
    return {"at_risk": result.at_risk, "breached": result.breached}


@shared_task(name="lifebuoy.sla.sla_events_deliver", time_limit=600, soft_time_limit=540)
def sla_events_deliver(event_ids: list[int]) -> int:
    from lifebuoy.sla.events import sla_events_deliver_pending

    return sla_events_deliver_pending(ids=event_ids)


# A pending event older than this lost its task (or its worker): the sweep delivers it.
REDELIVER_AFTER = timedelta(seconds=60)


@shared_task(name="lifebuoy.sla.sla_events_redeliver", time_limit=600, soft_time_limit=540)
def sla_events_redeliver() -> int:
    from lifebuoy.sla.events import sla_events_deliver_pending

    return sla_events_deliver_pending(older_than=timezone.now() - REDELIVER_AFTER)
