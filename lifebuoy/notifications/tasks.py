"""Background work for the outbox. Tasks load by id, call one service, return a small summary."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone


@shared_task(name="lifebuoy.notifications.delivery_send", time_limit=60, soft_time_limit=45)
def delivery_send(delivery_id: int) -> str:
    """Send one delivery; on a retryable failure, come back after the backoff."""
    from lifebuoy.notifications.services.delivery import delivery_attempt

    attempt = delivery_attempt(delivery_id=delivery_id, now=timezone.now())
    if attempt.retry_in is not None:
        delivery_send.apply_async((delivery_id,), countdown=attempt.retry_in)
    return attempt.outcome


@shared_task(name="lifebuoy.notifications.outbox_sweep", time_limit=120, soft_time_limit=100)
def outbox_sweep(batch_size: int = 500) -> int:
    """Re-queue due and stuck deliveries (e.g. after the broker or a worker was down)."""
    from lifebuoy.notifications.services.delivery import outbox_sweep as sweep

    due = sweep(now=timezone.now(), batch_size=batch_size)
    for delivery_id in due:
        delivery_send.delay(delivery_id)
    return len(due)


@shared_task(name="lifebuoy.notifications.imap_poll", time_limit=300, soft_time_limit=240)
def imap_poll() -> int:
    """Fetch new mail from the configured IMAP mailbox, if there is one."""
    from django.conf import settings

    from lifebuoy.notifications.inbound.imap import Mailbox
    from lifebuoy.notifications.inbound.imap import imap_poll as poll
    from lifebuoy.notifications.inbound.services import inbound_email_receive

    if not settings.LIFEBUOY_IMAP_HOST:
        return 0
    box = Mailbox(
        host=settings.LIFEBUOY_IMAP_HOST,
        port=settings.LIFEBUOY_IMAP_PORT,
        user=settings.LIFEBUOY_IMAP_USER,
        password=settings.LIFEBUOY_IMAP_PASSWORD,
        use_ssl=settings.LIFEBUOY_IMAP_SSL,
        folder=settings.LIFEBUOY_IMAP_FOLDER,
        delete_after=settings.LIFEBUOY_IMAP_DELETE,
    )

    def receive(raw: bytes) -> str:
        return inbound_email_receive(raw=raw, envelope_from=None, now=timezone.now()).status

    return poll(box=box, receive=receive)


@shared_task(name="lifebuoy.notifications.inbound_retry", time_limit=300, soft_time_limit=240)
def inbound_retry(batch_size: int = 200) -> int:
    """Process mail a stopped gateway stored but never processed (failures wait for an
    operator: ``manage.py outbox_retry``)."""
    from lifebuoy.notifications.inbound.services import inbound_email_retry

    return inbound_email_retry(now=timezone.now(), include_failed=False, batch_size=batch_size)


@shared_task(name="lifebuoy.notifications.inbound_log_purge", time_limit=300, soft_time_limit=240)
def inbound_log_purge() -> int:
    """Forget the raw bytes of refused, ignored and duplicate mail past the log's window."""
    from lifebuoy.notifications.inbound.services import inbound_log_purge as purge

    return purge(now=timezone.now())
