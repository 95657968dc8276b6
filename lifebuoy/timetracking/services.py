"""Time tracking owns the time staff log on tickets: one running timer per person, and manual
entries. Only support staff log time; customers never see any of it.

Race safety: starting a timer locks the person's row, so two starts at once (two tabs, the API
and the desk) queue up; the second stops the first's timer and starts its own. The partial
unique constraint on running timers is the backstop. Stopping is a conditional UPDATE on a
running timer, so a timer stops exactly once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from django.db import transaction

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import InvalidState, PermissionDenied, ValidationFailed
from lifebuoy.tickets.models import Ticket, TicketEvent

from .models import EntryKind, TimeEntry

MAX_MANUAL_MINUTES = 24 * 60
NOTE_MAX = 300


def _require_staff(agent: User) -> None:
    if not agent.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff log time on tickets.")


def _stop(entry: TimeEntry, now: datetime) -> bool:
    """Stop ``entry`` if it still runs; False when someone else stopped it first."""
    assert entry.started_at is not None  # noqa: S101  # a timer always has its start
    seconds = max(0, int((now - entry.started_at).total_seconds()))
    won = TimeEntry.objects.filter(id=entry.id, stopped_at__isnull=True).update(
        stopped_at=now, seconds=seconds
    )
    if won == 1:
        entry.stopped_at, entry.seconds = now, seconds
    return won == 1


@transaction.atomic
def time_timer_start(*, ticket: Ticket, agent: User, now: datetime) -> TimeEntry:
    """Start ``agent``'s timer on ``ticket``, stopping the one running elsewhere. Starting it on
    the ticket it already runs on leaves it running and returns it."""
    _require_staff(agent)
    # One person's starts run one at a time: the lock is held until this transaction ends.
    User.objects.select_for_update().filter(id=agent.id).values_list("id").first()
    running = TimeEntry.objects.filter(
        agent=agent, kind=EntryKind.TIMER, stopped_at__isnull=True
    ).first()
    if running is not None:
        if running.ticket_id == ticket.id:
            return running
        _stop(running, now)
    return TimeEntry.objects.create(
        ticket=ticket,
        agent=agent,
        kind=EntryKind.TIMER,
        worked_on=now.date(),
        started_at=now,
        created_at=now,
    )


@transaction.atomic
def time_timer_stop(*, ticket: Ticket, agent: User, now: datetime) -> TimeEntry:
    """Stop ``agent``'s timer on ``ticket``; 409 when none runs there."""
    _require_staff(agent)
    running = TimeEntry.objects.filter(
        ticket=ticket, agent=agent, kind=EntryKind.TIMER, stopped_at__isnull=True
    ).first()
    if running is None or not _stop(running, now):
        raise InvalidState("timer_not_running", f"No timer of yours runs on {ticket.number}.")
    return running


@dataclass(frozen=True)
class ManualTime:
    minutes: int
    worked_on: date
    note: str = ""


def _manual_errors(data: ManualTime, today: date) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not 1 <= data.minutes <= MAX_MANUAL_MINUTES:
        errors["minutes"] = f"Give between 1 and {MAX_MANUAL_MINUTES} minutes (one day)."
    if data.worked_on > today:
        errors["worked_on"] = "The day cannot be in the future."
    if len(data.note) > NOTE_MAX:
        errors["note"] = f"Keep the note to {NOTE_MAX} characters."
    return errors


@transaction.atomic
def time_entry_add(*, ticket: Ticket, agent: User, data: ManualTime, now: datetime) -> TimeEntry:
    """Log time worked without the timer, e.g. a call taken away from the desk."""
    _require_staff(agent)
    errors = _manual_errors(data, now.date())
    if errors:
        raise ValidationFailed.for_fields(errors)
    return TimeEntry.objects.create(
        ticket=ticket,
        agent=agent,
        kind=EntryKind.MANUAL,
        worked_on=data.worked_on,
        seconds=data.minutes * 60,
        note=data.note.strip(),
        created_at=now,
    )


def time_entry_may_remove(*, entry: TimeEntry, actor: User) -> bool:
    """People remove their own entries; support leads and admins anyone's."""
    return entry.agent_id == actor.id or actor.role in (Role.LEAD, Role.ADMIN)


@transaction.atomic
def time_entry_remove(*, entry: TimeEntry, actor: User, now: datetime) -> None:
    """Remove a time entry logged by mistake (a running timer is cancelled), with a line in the
    ticket's audit trail saying whose time it was and how much."""
    _require_staff(actor)
    if not time_entry_may_remove(entry=entry, actor=actor):
        raise PermissionDenied(
            "not_allowed", "Only the person who logged this time, or a support lead, can remove it."
        )
    deleted, _ = TimeEntry.objects.filter(id=entry.id).delete()
    if not deleted:
        return  # removed meanwhile by someone else: nothing left to do
    running = entry.stopped_at is None and entry.kind == EntryKind.TIMER
    amount = "a running timer" if running else f"{(entry.seconds or 0) // 60} min"
    TicketEvent.objects.create(
        ticket_id=entry.ticket_id,
        actor=actor,
        action="time_removed",
        field="time",
        old_value=f"{amount} by {entry.agent.display_name} on {entry.worked_on:%Y-%m-%d}"[:300],
        created_at=now,
    )
