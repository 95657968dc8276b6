"""Background work for the outbox. Tasks load by id, call one service, return a small summary.

Inbound mail's tasks (IMAP polling, retries, the log's clean-up) are in ``inbound/tasks.py``.
"""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from lifebuoy.notifications.services import delivery

RETRY_BY_TASK_SECONDS = 300


@shared_task(name="lifebuoy.notifications.delivery_send", time_limit=60, soft_time_limit=45)
def delivery_send(delivery_id: int) -> str:
    """Send one delivery; on a retryable failure, come back after the backoff."""
    attempt = delivery.delivery_attempt(delivery_id=delivery_id, now=timezone.now())
    if attempt.retry_in is not None and attempt.retry_in <= RETRY_BY_TASK_SECONDS:
        delivery_send.apply_async((delivery_id,), countdown=attempt.retry_in)
    # A longer wait is the outbox sweep's (the row holds its next attempt): a countdown task
    # held that long by a worker would outlive the broker's visibility timeout.
    return attempt.outcome


@shared_task(name="lifebuoy.notifications.outbox_sweep", time_limit=120, soft_time_limit=100)
def outbox_sweep(batch_size: int = 500) -> int:
    """Re-queue due and stuck deliveries (e.g. after the broker or a worker was down)."""
    due = delivery.outbox_sweep(now=timezone.now(), batch_size=batch_size)
    for delivery_id in due:
        delivery_send.delay(delivery_id)
    return len(due)
