"""What customers and the team are told when a ticket changes.

Reacts to: a new ticket (the acknowledgement), a message (a public reply is mailed, CC'd, sent
to webhooks), a resolution set by staff (the customer is asked to confirm the fix; not a
resolution by the customer's own confirmation, nor an auto-close), a priority change (a P1
alert). Not to assignment, escalation hand-offs (the escalation app writes its own notice) or
plain saves. And to every SLA event, after its commit (at-risk and breach alerts).

Staff are notified (``staff/reactions.py``) of a customer's reply, a mention in an internal
note, an assignment (a change, or a new ticket routed to a named engineer) and each SLA event
on their tickets; an escalation's hand-off is notified by the escalations app, which calls
``notification_escalation_assigned`` itself.

Not to a merge either: a source closed by ``ticket_merge`` (``StatusCause.MERGE``) sends nothing
here, and nothing subscribes to ``TicketMerged``. Its requester is told once, by the public
notice the merge posts on the source, which arrives as a ``MessageAdded`` and is mailed like any
reply (marked ``Auto-Submitted``, as a notice).
"""

from __future__ import annotations

from lifebuoy.notifications.services.alerts import notifications_on_sla_event
from lifebuoy.notifications.services.outbox import (
    notifications_on_message_added,
    notifications_on_priority_change,
    notifications_on_resolved,
    notifications_on_ticket_created,
)
from lifebuoy.notifications.staff.reactions import (
    notifications_on_assignment,
    notifications_on_customer_reply,
    notifications_on_mentions,
    notifications_on_sla_staff,
)
from lifebuoy.sla.events import sla_event_subscribe
from lifebuoy.tickets import events
from lifebuoy.tickets.models import Status


def on_ticket_created(event: events.TicketCreated) -> None:
    notifications_on_ticket_created(ticket=event.ticket, now=event.now)
    notifications_on_assignment(
        ticket=event.ticket, assignee=event.ticket.assignee, now=event.now, on_creation=True
    )


def on_message_added(event: events.MessageAdded) -> None:
    notifications_on_message_added(
        message=event.message, now=event.now, is_automatic=event.is_automatic
    )
    notifications_on_customer_reply(message=event.message, now=event.now)
    notifications_on_mentions(message=event.message, now=event.now)


def on_assignment_changed(event: events.AssignmentChanged) -> None:
    notifications_on_assignment(ticket=event.ticket, assignee=event.new_assignee, now=event.now)


def on_status_changed(event: events.StatusChanged) -> None:
    # Only a staff resolution mails; a merge's close (cause MERGE) is a close, never this.
    resolved_by_staff = (
        event.new == Status.RESOLVED and event.cause == events.StatusCause.STAFF_UPDATE
    )
    if resolved_by_staff and event.ticket is not None:
        notifications_on_resolved(ticket=event.ticket, now=event.now)


def on_priority_changed(event: events.PriorityChanged) -> None:
    notifications_on_priority_change(ticket=event.ticket, now=event.now)


def register() -> None:
    sla_event_subscribe(notifications_on_sla_event)
    sla_event_subscribe(notifications_on_sla_staff)
    order = events.ORDER_NOTIFICATIONS
    events.subscribe(events.TicketCreated, on_ticket_created, order=order)
    events.subscribe(events.MessageAdded, on_message_added, order=order)
    events.subscribe(events.StatusChanged, on_status_changed, order=order)
    events.subscribe(events.PriorityChanged, on_priority_changed, order=order)
    events.subscribe(events.AssignmentChanged, on_assignment_changed, order=order)
