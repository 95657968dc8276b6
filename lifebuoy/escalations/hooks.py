"""What escalations do when something happens elsewhere: a ticket changed (through the ticket
events in ``subscribers.py``), or the SLA engine reports a clock at risk or breached."""

from __future__ import annotations

from datetime import datetime

from lifebuoy.core.tasks import enqueue_on_commit
from lifebuoy.escalations.services.new_tickets import rules_may_fire_on_new
from lifebuoy.escalations.services.page_due import page_due_record
from lifebuoy.escalations.services.rules import rules_evaluate_ticket
from lifebuoy.escalations.tasks import ticket_event_followup
from lifebuoy.sla.events import SlaEvent
from lifebuoy.tickets.models import Ticket


def escalations_on_ticket_event(*, ticket_id: int, now: datetime) -> None:
    """Call inside a ticket service's transaction: after the commit, a worker evaluates the rules
    for the ticket and pages on-call for a P1 from a 24/7 tier. Kept off the request so filing a
    ticket stays fast; a worker picks it up within moments, and the scheduled sweeps catch
    anything a lost task would miss (``rules_sweep``; ``page_sweep`` for a ticket whose intent
    to page was recorded by ``escalations_on_ticket_saved``)."""
    enqueue_on_commit(ticket_event_followup, ticket_id=ticket_id, at=now.isoformat())


def escalations_on_ticket_saved(*, ticket: Ticket, now: datetime) -> None:
    """``escalations_on_ticket_event`` for a ticket just created or whose properties changed: if
    it is now an open P1 from a covered tier, the intent to page is written in this transaction
    too, so it is paged even if the follow-up task never reaches a worker."""
    page_due_record(ticket=ticket, now=now)
    escalations_on_ticket_event(ticket_id=ticket.id, now=now)


def escalations_on_ticket_created(*, ticket: Ticket, now: datetime) -> None:
    """``escalations_on_ticket_saved`` for a new ticket, with the follow-up queued only when it
    has something to do: a page to send, or an active rule that holds for the ticket (decided
    here from the ticket in memory, ``rules_may_fire_on_new``). Most new tickets need neither,
    and their follow-up would have been a worker's task spent reading to do nothing."""
    due = page_due_record(ticket=ticket, now=now)
    if due or rules_may_fire_on_new(ticket=ticket, now=now):
        escalations_on_ticket_event(ticket_id=ticket.id, now=now)


def escalations_on_sla_event(event: SlaEvent) -> None:
    """At risk or breached: the "SLA at risk" rules get their chance right away."""
    rules_evaluate_ticket(ticket_id=event.ticket_id, now=event.occurred_at, sla_at_risk=True)
