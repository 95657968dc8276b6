"""Background work for SLAs: the periodic sweeps. Tasks call one service.

The task that delivers freshly emitted SLA events, ``lifebuoy.sla.sla_events_deliver``, is in
``events.py`` beside the emitter that queues it.
"""

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from lifebuoy.sla.events import sla_events_deliver_pending
from lifebuoy.sla.services import breaches


@shared_task(name="lifebuoy.sla.sla_breach_scan", time_limit=120, soft_time_limit=100)
def sla_breach_scan(batch_size: int = 500) -> dict[str, int]:
    result = breaches.sla_breach_scan(now=timezone.now(), batch_size=batch_size)
    return {"at_risk": result.at_risk, "breached": result.breached}


# A pending event older than this lost its task (or its worker): the sweep delivers it.
REDELIVER_AFTER = timedelta(seconds=60)


@shared_task(name="lifebuoy.sla.sla_events_redeliver", time_limit=600, soft_time_limit=540)
def sla_events_redeliver() -> int:
    return sla_events_deliver_pending(older_than=timezone.now() - REDELIVER_AFTER)
