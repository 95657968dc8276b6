"""Background work for tickets. Tasks load by id, call one service, return a small summary."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone


@shared_task(name="lifebuoy.tickets.ticket_autoclose_sweep", time_limit=300, soft_time_limit=240)
def ticket_autoclose_sweep(batch_size: int = 500) -> int:
    from lifebuoy.tickets.services import ticket_autoclose_sweep as run

    return run(
        now=timezone.now(), quiet_days=settings.LIFEBUOY_AUTOCLOSE_DAYS, batch_size=batch_size
    )
