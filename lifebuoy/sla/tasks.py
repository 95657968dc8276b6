"""Background work for SLAs: the periodic sweep. Tasks call one service and return a summary."""

from celery import shared_task
from django.utils import timezone


@shared_task(name="lifebuoy.sla.sla_breach_scan", time_limit=120, soft_time_limit=100)
def sla_breach_scan(batch_size: int = 500) -> dict[str, int]:
    from lifebuoy.sla.services import sla_breach_scan as run

    result = run(now=timezone.now(), batch_size=batch_size)
    return {"at_risk": result.at_risk, "breached": result.breached}
