"""Warnings to the people who run the desk about the desk itself: the scheduler fell silent.

Sent through the outbox, so the bulk workers deliver them even while the scheduler (and so the
outbox sweep) is down: an email to every active lead and admin, and the Slack alert channel
when one is set up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.links import absolute_url
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue, slack_target
from lifebuoy.notifications.staff.services import staff_email_payload


def _text(seen_at: datetime | None) -> str:
    last = f"since {seen_at:%Y-%m-%d %H:%M} UTC" if seen_at else "since the workers started"
    return (
        f"Lifebuoy's scheduler has been silent {last}. Until it runs again, SLA breach scans, "
        "escalation follow-ups, on-call paging and the outbox sweep do not run. Restart the "
        "process that runs `lifebuoy worker --beat` (or `lifebuoy serve`).\n\n"
        f"Background processes: {absolute_url(reverse('reports:dashboard'))}#background"
    )


def scheduler_silence_alert(*, seen_at: datetime | None, now: datetime, **_: Any) -> None:
    subject = "Lifebuoy's scheduler is not running"
    text = _text(seen_at)
    cause = f"ops:scheduler-silent:{now:%Y%m%d%H%M%S}"
    with transaction.atomic():
        people = User.objects.filter(is_active=True, role__in=[Role.LEAD, Role.ADMIN])
        for person in people.order_by("id"):
            delivery_enqueue(
                kind=DeliveryKind.EMAIL,
                key=f"{cause}:{person.id}",
                ticket=None,
                target=person.email,
                payload=staff_email_payload(subject=subject, text=text),
                now=now,
            )
        if slack_target():
            delivery_enqueue(
                kind=DeliveryKind.SLACK,
                key=f"{cause}:slack",
                ticket=None,
                target=slack_target(),
                payload={"text": f":warning: *{subject}*\n{text}"},
                now=now,
            )
