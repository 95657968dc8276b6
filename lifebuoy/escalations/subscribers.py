"""When escalation rules and on-call paging look at a ticket again.

Reacts to: a new ticket, a message (not unverified mail, which moves nothing), and every staff
save of a ticket's properties. Each queues one follow-up task after the commit
(``escalations_on_ticket_event``); a new ticket or a staff save that leaves an open P1 from a
covered tier also writes the intent to page with it (``escalations_on_ticket_saved``), for the
page sweep to act on if the task is lost. A new ticket queues its follow-up only when it has a
page due or an active rule holds for it (``escalations_on_ticket_created``).

Not to status changes on their own (a confirmation, an escalation hand-off or an auto-close gives
the rules nothing new), nor to priority or assignment changes apart from the save that made them,
nor to a merge (``TicketMerged``; the notice a merge posts on each source is a message like any
other). And to every SLA event, after its commit: a breach or an at-risk warning may match a rule
(``escalations_on_sla_event``).
"""

from __future__ import annotations

from lifebuoy.escalations.hooks import (
    escalations_on_sla_event,
    escalations_on_ticket_created,
    escalations_on_ticket_event,
    escalations_on_ticket_saved,
)
from lifebuoy.sla.events import sla_event_subscribe
from lifebuoy.tickets import events


def on_ticket_created(event: events.TicketCreated) -> None:
    escalations_on_ticket_created(ticket=event.ticket, now=event.now)


def on_message_added(event: events.MessageAdded) -> None:
    if not event.unverified:
        escalations_on_ticket_event(ticket_id=event.message.ticket_id, now=event.now)


def on_ticket_updated(event: events.TicketUpdated) -> None:
    escalations_on_ticket_saved(ticket=event.ticket, now=event.now)


def register() -> None:
    sla_event_subscribe(escalations_on_sla_event)
    order = events.ORDER_ESCALATIONS
    events.subscribe(events.TicketCreated, on_ticket_created, order=order)
    events.subscribe(events.MessageAdded, on_message_added, order=order)
    events.subscribe(events.TicketUpdated, on_ticket_updated, order=order)
