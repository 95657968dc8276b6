"""Background work for staff notifications (found by ``config/celery.py``)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from lifebuoy.notifications.staff.digest import notification_digest_send as run_digest


@shared_task(
    name="lifebuoy.notifications.notification_digest_send", time_limit=300, soft_time_limit=240
)
def notification_digest_send(batch_size: int = 200) -> int:
    """Email the hourly digests; the number of emails queued."""
    return run_digest(now=timezone.now(), batch_size=batch_size)
