"""Inbound mail's background work: polling an IMAP mailbox, processing what a stopped gateway
left, and forgetting the raw bytes of logged mail past its window. Task names keep the
``lifebuoy.notifications.`` prefix the schedule and queued messages use.
"""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from lifebuoy.notifications.inbound import imap, services


@shared_task(name="lifebuoy.notifications.imap_poll", time_limit=300, soft_time_limit=240)
def imap_poll() -> int:
    """Fetch new mail from the configured IMAP mailbox, if there is one."""
    if not settings.LIFEBUOY_IMAP_HOST:
        return 0
    box = imap.Mailbox(
        host=settings.LIFEBUOY_IMAP_HOST,
        port=settings.LIFEBUOY_IMAP_PORT,
        user=settings.LIFEBUOY_IMAP_USER,
        password=settings.LIFEBUOY_IMAP_PASSWORD,
        use_ssl=settings.LIFEBUOY_IMAP_SSL,
        folder=settings.LIFEBUOY_IMAP_FOLDER,
        delete_after=settings.LIFEBUOY_IMAP_DELETE,
    )

    def receive(raw: bytes) -> str:
        return services.inbound_email_receive(
            raw=raw, envelope_from=None, now=timezone.now()
        ).status

    return imap.imap_poll(box=box, receive=receive)


@shared_task(name="lifebuoy.notifications.inbound_retry", time_limit=300, soft_time_limit=240)
def inbound_retry(batch_size: int = 200) -> int:
    """Process mail a stopped gateway stored but never processed (failures wait for an
    operator: ``manage.py outbox_retry``)."""
    return services.inbound_email_retry(
        now=timezone.now(), include_failed=False, batch_size=batch_size
    )


@shared_task(name="lifebuoy.notifications.inbound_log_purge", time_limit=300, soft_time_limit=240)
def inbound_log_purge() -> int:
    """Forget the raw bytes of refused, ignored and duplicate mail past the log's window."""
    return services.inbound_log_purge(now=timezone.now())
