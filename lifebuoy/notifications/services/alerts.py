"""Slack alerts for SLA events (at risk, breached), subscribed in NotificationsConfig.ready().

SLA events arrive after the SLA sweep's transaction committed, so the alert is written to the
outbox in a transaction of its own: a process that dies in between loses that one alert (the
breach itself is recorded on the ticket). Everything after that point is the outbox's usual
guarantee: delivered, retried, never lost.
"""

from __future__ import annotations

import logging

from django.db import transaction

from lifebuoy.core.links import desk_ticket_url
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue, slack_target
from lifebuoy.sla.events import SlaEvent, SlaEventKind
from lifebuoy.tickets.models import Ticket

logger = logging.getLogger(__name__)

_TEXT = {
    SlaEventKind.AT_RISK: (":hourglass_flowing_sand:", "SLA at risk"),
    SlaEventKind.BREACHED: (":fire:", "SLA breached"),
}


def notifications_on_sla_event(event: SlaEvent) -> None:
    url = slack_target()
    if not url or event.kind not in _TEXT:
        return
    ticket = Ticket.objects.select_related("organization").filter(id=event.ticket_id).first()
    if ticket is None:
        return
    icon, label = _TEXT[event.kind]
    link = desk_ticket_url(ticket.id)
    clock = event.clock_kind.replace("_", " ")
    due = event.due_at.strftime("%Y-%m-%d %H:%M UTC")
    text = (
        f"{icon} *{label}* ({clock}, due {due}): <{link}|{ticket.number}> {ticket.priority} "
        f"from *{ticket.organization.name}*\n{ticket.subject}"
    )
    with transaction.atomic():
        delivery_enqueue(
            kind=DeliveryKind.SLACK,
            key=f"slack:sla:{event.kind}:{event.clock_id}",
            ticket=ticket,
            target=url,
            payload={
                "text": f"{label}: {ticket.number} {ticket.subject} <{link}|Open in Lifebuoy>",
                "blocks": [{"type": "section", "text": {"type": "mrkdwn", "text": text}}],
            },
            now=event.occurred_at,
        )
