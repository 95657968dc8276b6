"""The reopening window: how long after its resolution a customer may reopen a ticket
(``LIFEBUOY_REOPEN_DAYS``); past it, a customer's reply opens a follow-up (``reopening.py``)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings

from lifebuoy.core.errors import InvalidState
from lifebuoy.tickets.models import Status, Ticket

SOLVED = frozenset({Status.RESOLVED, Status.CLOSED})


def ticket_reopen_until(ticket: Ticket) -> datetime | None:
    """Until when a customer may reopen ``ticket``; None when it is not solved, was merged
    into another ticket (it continues there), or its resolution time is unknown."""
    solved_at = ticket.resolved_at or ticket.closed_at
    if ticket.status not in SOLVED or solved_at is None or ticket.merged_into_id is not None:
        return None
    return solved_at + timedelta(days=settings.LIFEBUOY_REOPEN_DAYS)


def ticket_may_reopen(*, ticket: Ticket, now: datetime) -> bool:
    """A customer may still reopen ``ticket`` (by the button or by replying) at ``now``. A
    solved ticket without a recorded resolution time (an imported one) counts as within."""
    if ticket.status not in SOLVED or ticket.merged_into_id is not None:
        return False
    until = ticket_reopen_until(ticket)
    return until is None or now <= until


def ticket_needs_follow_up(*, ticket: Ticket, now: datetime) -> bool:
    """A customer's reply to ``ticket`` would open a follow-up: it is solved and past the
    reopening window (or merged away)."""
    return ticket.status in SOLVED and not ticket_may_reopen(ticket=ticket, now=now)


def window_passed_error(ticket: Ticket) -> InvalidState:
    days = settings.LIFEBUOY_REOPEN_DAYS
    return InvalidState(
        "reopen_window_passed",
        f"Ticket {ticket.number} was resolved more than {days} days ago and can no longer be "
        "reopened; please open a new ticket.",
        {"reopen_days": days},
    )
