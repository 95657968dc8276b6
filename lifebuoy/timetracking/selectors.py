"""Reads for time tracking. ``time_ticket_get_for_user`` is the gate: a ticket's time is for
support staff only, so for anyone else it does not exist (the same 404 as a missing ticket)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Sum

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.selectors import ticket_get_for_user

from .models import EntryKind, TimeEntry


def time_ticket_get_for_user(*, user: User, ticket_id: int) -> Ticket:
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    if not user.is_support_staff:
        raise NotFound("ticket_not_found", f"Ticket #{ticket_id} was not found.")
    return ticket


def time_entry_get_for_user(*, user: User, ticket_id: int, entry_id: int) -> TimeEntry:
    """An entry of a ticket the user may see the time of; a missing entry, one of another
    ticket, and any entry asked for by a customer are the same 404."""
    ticket = time_ticket_get_for_user(user=user, ticket_id=ticket_id)
    entry = (
        TimeEntry.objects.filter(id=entry_id, ticket=ticket)
        .select_related("agent", "ticket")
        .first()
    )
    if entry is None:
        raise NotFound("time_entry_not_found", f"Time entry {entry_id} was not found.")
    return entry


def time_running_for_agent(*, agent: User) -> TimeEntry | None:
    return (
        TimeEntry.objects.filter(agent=agent, kind=EntryKind.TIMER, stopped_at__isnull=True)
        .select_related("ticket")
        .first()
    )


@dataclass(frozen=True)
class TicketTime:
    """A ticket's time as the desk shows it. ``logged_seconds`` counts stopped timers and
    manual entries, not running timers (as the handle-time metric does)."""

    ticket: Ticket
    logged_seconds: int
    entries: list[TimeEntry]
    entry_count: int
    running: TimeEntry | None  # the viewer's running timer, on this ticket or another
    now: datetime

    @property
    def running_here(self) -> bool:
        return self.running is not None and self.running.ticket_id == self.ticket.id

    @property
    def running_seconds(self) -> int:
        if self.running is None or self.running.started_at is None:
            return 0
        return max(0, int((self.now - self.running.started_at).total_seconds()))


def time_for_ticket(
    *, ticket: Ticket, viewer: User, now: datetime, limit: int | None = None, stored: bool = True
) -> TicketTime:
    """Three queries: the total, the latest entries (``limit``; not read when the total says
    there are none, as on most tickets), the viewer's running timer. ``stored=False``: the
    caller knows there are no entries and no running timer, so none are read."""
    if not stored:
        return TicketTime(ticket, 0, [], 0, None, now)
    entries = TimeEntry.objects.filter(ticket=ticket)
    totals = entries.aggregate(seconds=Sum("seconds"), n=Count("id"))
    listed = entries.select_related("agent").order_by("-created_at", "-id")
    return TicketTime(
        ticket=ticket,
        logged_seconds=totals["seconds"] or 0,
        entries=list(listed[:limit] if limit is not None else listed) if totals["n"] else [],
        entry_count=totals["n"] or 0,
        running=time_running_for_agent(agent=viewer),
        now=now,
    )


def duration_text(seconds: int) -> str:
    """``1 h 05 min``, ``12 min``, ``40 s``."""
    if seconds < 60:
        return f"{seconds} s"
    hours, minutes = divmod(seconds // 60, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"
