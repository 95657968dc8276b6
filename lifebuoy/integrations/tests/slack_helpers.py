"""Doing a worker's part in the Slack tests: processing received events, sending Slack posts."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from lifebuoy.integrations.slack.inbound import slack_event_process
from lifebuoy.integrations.slack.models import EventStatus, SlackEvent
from lifebuoy.notifications.models import Delivery, DeliveryKind, DeliveryStatus
from lifebuoy.notifications.services.delivery import delivery_attempt

SECRET = "test-signing-secret"
CHANNEL = "CACME0001"


def process_events(now: datetime | None = None) -> list[str]:
    """What a worker does with the events received so far (oldest first)."""
    ids = SlackEvent.objects.filter(status=EventStatus.RECEIVED).order_by("id")
    return [
        slack_event_process(event_id=event_id, now=now or timezone.now()).status
        for event_id in list(ids.values_list("id", flat=True))
    ]


def deliver_slack(now: datetime | None = None) -> list[str]:
    """What the outbox's worker does with the Slack posts due by ``now``."""
    due = Delivery.objects.filter(
        kind=DeliveryKind.SLACK,
        status=DeliveryStatus.PENDING,
        next_attempt_at__lte=now or timezone.now(),
    ).order_by("id")
    return [
        delivery_attempt(delivery_id=d, now=now or timezone.now()).outcome
        for d in list(due.values_list("id", flat=True))
    ]
