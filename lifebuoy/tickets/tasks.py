"""Background work for tickets. Tasks load by id, call one service, return a small summary."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from lifebuoy.tickets.services import changes


@shared_task(name="lifebuoy.tickets.ticket_autoclose_sweep", time_limit=300, soft_time_limit=240)
def ticket_autoclose_sweep(batch_size: int = 500) -> int:
    return changes.ticket_autoclose_sweep(
        now=timezone.now(), quiet_days=settings.LIFEBUOY_AUTOCLOSE_DAYS, batch_size=batch_size
    )
