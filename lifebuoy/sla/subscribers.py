"""How the SLA app plugs into tickets: what its clocks do when a ticket changes, and the list's
SLA sort and filter.

Reacts to every ticket event that can move a clock: a new ticket (start its clocks), a message
(answer or start response clocks; not for unverified mail, which moves nothing), every status
change whatever its cause (pause, resume, stop; auto-close included, and a merge's close, which
stops the source's clocks), a priority change (new deadlines). Not to assignment, nor to
``TicketMerged``: the merged target keeps its clocks as they were. Around a bulk change, it locks
the clocks of all its tickets at once (``sla_batch``).

It also gives the ticket list its "next deadline" sort and its SLA-state filter.
"""

from __future__ import annotations

from lifebuoy.core.cursors import key_datetime, key_optional
from lifebuoy.sla.selectors import deadline_cursor_key, ticket_filter_sla, ticket_order_by_deadline
from lifebuoy.sla.services import (
    sla_batch,
    sla_on_message,
    sla_on_priority_change,
    sla_on_status_change,
    sla_on_ticket_created,
)
from lifebuoy.tickets import events
from lifebuoy.tickets.selectors import ListSort, ticket_list_extend
from lifebuoy.tickets.services import ticket_bulk_extend


def on_ticket_created(event: events.TicketCreated) -> None:
    sla_on_ticket_created(ticket=event.ticket, now=event.now)


def on_message_added(event: events.MessageAdded) -> None:
    if event.unverified:
        return
    message = event.message
    sla_on_message(
        ticket=message.ticket,
        author=message.author,
        is_internal=message.is_internal,
        is_automatic=event.is_automatic,
        now=event.now,
    )


def on_status_changed(event: events.StatusChanged) -> None:
    sla_on_status_change(
        ticket_id=event.ticket_id, old=event.old, new=event.new, now=event.now, ticket=event.ticket
    )


def on_priority_changed(event: events.PriorityChanged) -> None:
    sla_on_priority_change(ticket=event.ticket, now=event.now)


def register() -> None:
    ticket_list_extend(
        sorts={
            "deadline": ListSort(
                order=ticket_order_by_deadline,
                cursor_key=deadline_cursor_key,
                parse_key=key_optional(key_datetime),
            )
        },
        filters={
            "sla": lambda qs, user, state, now: ticket_filter_sla(
                qs, user=user, state=state, now=now
            )
        },
        related=("sla_summary",),
    )
    ticket_bulk_extend(scope=sla_batch)  # one locking query for a bulk change's clocks
    order = events.ORDER_SLA
    events.subscribe(events.TicketCreated, on_ticket_created, order=order)
    events.subscribe(events.MessageAdded, on_message_added, order=order)
    events.subscribe(events.StatusChanged, on_status_changed, order=order)
    events.subscribe(events.PriorityChanged, on_priority_changed, order=order)
