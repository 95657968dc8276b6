"""Internal messages to staff (reminders, warnings, pages) through the notifications outbox."""

from __future__ import annotations

import html
from datetime import datetime

from django.conf import settings

from lifebuoy.accounts.models import User
from lifebuoy.core.links import desk_ticket_url
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.tickets.models import Ticket


def staff_email(
    *, key: str, user: User, ticket: Ticket, subject: str, text: str, now: datetime
) -> bool:
    """Queue one email to a staff member; False if ``key`` was queued before."""
    body = f"{text}\n\n{desk_ticket_url(ticket.id)}\n"
    payload = {
        "subject": subject,
        "text": body,
        "html": "<p>" + html.escape(body).replace("\n", "<br>") + "</p>",
        "headers": {"Auto-Submitted": "auto-generated"},
    }
    delivery = delivery_enqueue(
        kind=DeliveryKind.EMAIL, key=key, ticket=ticket, target=user.email, payload=payload, now=now
    )
    return delivery is not None


def slack_alert(*, key: str, ticket: Ticket, text: str, now: datetime) -> None:
    """Post to the team's Slack channel when one is configured."""
    url: str = settings.LIFEBUOY_SLACK_WEBHOOK_URL
    if url:
        delivery_enqueue(
            kind=DeliveryKind.SLACK,
            key=key,
            ticket=ticket,
            target=url,
            payload={"text": text},
            now=now,
        )
