"""Slack's periodic work: the sweep for events a stopped worker or a lost task left. The task
that processes one event is defined beside the code that queues it (``inbound.py``)."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.utils import timezone

from lifebuoy.integrations.slack import inbound


@shared_task(name="lifebuoy.slack.slack_event_retry", time_limit=120, soft_time_limit=100)
def slack_event_retry(batch_size: int = 200) -> int:
    """Queue events still unprocessed a minute after they arrived."""
    due = inbound.slack_event_retry(
        now=timezone.now(), older_than=timedelta(minutes=1), batch_size=batch_size
    )
    for event_id in due:
        inbound.slack_event_process_task.delay(event_id)
    return len(due)
