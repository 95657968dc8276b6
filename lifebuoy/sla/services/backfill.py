"""Clocks for tickets that predate the SLA engine (an existing desk switching it on).

Each ticket without any clock gets its first-response and resolution clocks as if the engine had
run from the ticket's creation, rebuilt from what the ticket row knows: the first response time,
when it was resolved or closed, and (for a ticket pending now) its last activity as the start of
the wait. Deadlines already missed are recorded as breaches quietly: no audit entry, no event,
so switching the engine on does not page anyone for old tickets.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lifebuoy.sla.models import Clock, ClockKind, ClockState
from lifebuoy.tickets.models import Status, Ticket

from .clocks import _pause, _start, _stop, _summary_save
from .policies import sla_policy_for_org


def sla_backfill(*, now: datetime, after_id: int = 0, batch_size: int = 500) -> int | None:
    """Give clocks to the next ``batch_size`` tickets (by id, after ``after_id``) that have none.

    Returns the last ticket id looked at, to pass as ``after_id`` next time; None when done.
    (A ticket whose policy has no target keeps no clock, so progress goes by id.)
    """
    tickets = list(
        Ticket.objects.filter(sla_clocks__isnull=True, id__gt=after_id)
        .select_related("organization")
        .order_by("id")[:batch_size]
    )
    for ticket in tickets:
        _backfill_one(ticket, now)
    return tickets[-1].id if tickets else None


@transaction.atomic
def _backfill_one(ticket: Ticket, now: datetime) -> None:
    org = ticket.organization
    policy = sla_policy_for_org(org=org)
    clocks = [
        clock
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION)
        if (clock := _start(ticket, kind, ticket.created_at, policy)) is not None
    ]
    for clock in clocks:
        if clock.kind == ClockKind.FIRST_RESPONSE:
            if ticket.first_response_at is not None:
                _stop(clock, org, ticket.first_response_at)
            elif ticket.status in (Status.RESOLVED, Status.CLOSED):
                _stop(clock, org, ticket.resolved_at or ticket.closed_at or now)
            continue
        resolved = ticket.resolved_at or ticket.closed_at
        if ticket.status == Status.PENDING:
            _pause(clock, org, max(ticket.last_activity_at, ticket.created_at))
        elif ticket.status in (Status.RESOLVED, Status.CLOSED) and resolved is not None:
            _pause(clock, org, resolved)
            if ticket.status == Status.CLOSED:
                _stop(clock, org, ticket.closed_at or resolved)
    for clock in clocks:
        _breach_quietly(clock, now)
    _summary_save(ticket.id, clocks)


def _breach_quietly(clock: Clock, now: datetime) -> None:
    if clock.state != ClockState.RUNNING or clock.is_goal or clock.due_at is None:
        return
    if clock.due_at >= now:
        return
    clock.state = ClockState.BREACHED
    clock.breached_at = clock.due_at
    clock.next_check_at = None
    clock.save(update_fields=["state", "breached_at", "next_check_at"])
