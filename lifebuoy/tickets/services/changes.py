"""Changes staff and customers make to a ticket: status, priority, category, assignee and
tags; escalation; the customer's confirmation; and closing quiet resolved tickets."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from lifebuoy.accounts.models import Queue, User
from lifebuoy.core.errors import InvalidState, PermissionDenied, ValidationFailed
from lifebuoy.tickets import events
from lifebuoy.tickets.events import StatusCause
from lifebuoy.tickets.models import (
    Category,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)

from .common import _check_choice, _check_status, _event, _locked, _set_tags, _status_to

# Staff may move a ticket between these statuses; closing needs a resolved ticket first,
# because the playbook closes only after the customer confirms the fix.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ESCALATED, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ESCALATED, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ESCALATED, Status.RESOLVED}),
    Status.ESCALATED: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


@dataclass(frozen=True)
class TicketChanges:
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assignee_id: int | None = None
    unassign: bool = False
    tags: tuple[str, ...] | None = None


def ticket_changes_validate(*, changes: TicketChanges) -> User | None:
    """Check every field of ``changes`` at once; the new assignee, if one is named."""
    errors: dict[str, str] = {}
    if changes.priority is not None:
        _check_choice(errors, "priority", changes.priority, Priority)
    if changes.category is not None:
        _check_choice(errors, "category", changes.category, Category)
    if changes.status is not None:
        _check_status(errors, changes.status)
    assignee = None
    if changes.assignee_id is not None:
        assignee = User.objects.filter(id=changes.assignee_id, is_active=True).first()
        if assignee is None or not assignee.is_support_staff:
            errors["assignee_id"] = "Assign the ticket to an active member of the support staff."
    if errors:
        raise ValidationFailed.for_fields(errors)
    return assignee


def _change_status(ticket: Ticket, actor: User, new: str, now: datetime, fields: list[str]) -> None:
    if new not in TRANSITIONS[ticket.status]:
        raise InvalidState(
            "invalid_transition",
            f"A {ticket.get_status_display().lower()} ticket cannot become "
            f"{Status(new).label.lower()}.",
            {"allowed": sorted(TRANSITIONS[ticket.status])},
        )
    _status_to(ticket, actor, new, now, fields, cause=StatusCause.STAFF_UPDATE)


def ticket_field_values(ticket: Ticket, *, tagged: bool = True) -> dict[str, str]:
    """The values a form shows and sends back as what the agent saw (``seen``).
    ``tagged=False``: the caller knows the ticket has no tags, so they are not read."""
    return {
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "assignee": str(ticket.assignee_id or ""),
        "tags": ",".join(sorted(t.name for t in ticket.tags.all())) if tagged else "",
    }


def _wanted_values(changes: TicketChanges) -> dict[str, str]:
    wanted = {
        name: value
        for name in ("status", "priority", "category")
        if (value := getattr(changes, name)) is not None
    }
    if changes.assignee_id is not None or changes.unassign:
        wanted["assignee"] = str(changes.assignee_id or "")
    if changes.tags is not None:
        wanted["tags"] = ",".join(
            sorted({t.strip().lower()[:50] for t in changes.tags if t.strip()})
        )
    return wanted


def _check_not_stale(ticket: Ticket, changes: TicketChanges, seen: Mapping[str, str]) -> None:
    """Refuse a change to a field someone else changed since the agent looked (unless both
    chose the same value). Fields the agent did not touch are not in ``changes`` at all."""
    current = ticket_field_values(ticket)
    clashes = [
        name
        for name, value in _wanted_values(changes).items()
        if name in seen and current[name] != seen[name] and current[name] != value
    ]
    _refuse_clashes(ticket, current, clashes)


def _check_not_changed_since(
    ticket: Ticket, changes: TicketChanges, since: datetime, actor: User
) -> None:
    """The API's form of the same rule: ``since`` is the version (``updated_at``) the client
    read; a field it sends that someone else changed after that is a conflict."""
    current = ticket_field_values(ticket)
    wanted = _wanted_values(changes)
    touched = set(
        TicketEvent.objects.filter(ticket=ticket, created_at__gt=since, field__in=list(wanted))
        .exclude(actor=actor)
        .values_list("field", flat=True)
    )
    clashes = [name for name in wanted if name in touched and current[name] != wanted[name]]
    _refuse_clashes(ticket, current, clashes)


def _refuse_clashes(ticket: Ticket, current: dict[str, str], clashes: list[str]) -> None:
    if not clashes:
        return
    said = []
    for name in clashes:
        last = (
            TicketEvent.objects.filter(ticket=ticket, field=name)
            .select_related("actor")
            .order_by("-created_at", "-id")
            .first()
        )
        who = last.actor.display_name if last is not None and last.actor else "Someone"
        value = current[name] or "none"
        if name == "assignee":
            value = User.objects.get(id=int(value)).display_name if current[name] else "nobody"
        said.append(f"{who} changed {name} to {value}")
    raise InvalidState(
        "edit_conflict",
        "While you were editing, " + "; ".join(said) + ". Nothing was saved: check and save again.",
        {"fields": {name: current[name] for name in clashes}, "current": current},
    )


@transaction.atomic
def ticket_update(
    *,
    ticket: Ticket,
    actor: User,
    changes: TicketChanges,
    now: datetime,
    seen: Mapping[str, str] | None = None,
    version: datetime | None = None,
) -> Ticket:
    """Staff change status, priority, category, assignee or tags; each change is audited.

    ``seen`` holds the values the agent's form showed (``ticket_field_values``): a field the
    agent changes that someone else changed meanwhile is a conflict, refused whole. ``version``
    (the ``updated_at`` the client read) does the same for API clients."""
    _check_staff(actor)
    assignee = ticket_changes_validate(changes=changes)
    ticket = _locked(ticket)
    if seen is not None:
        _check_not_stale(ticket, changes, seen)
    if version is not None and version.tzinfo is None:
        raise ValidationFailed.for_fields(
            {"version": "Send the version back as the API gave it, with its time zone."}
        )
    if version is not None and ticket.updated_at > version:
        _check_not_changed_since(ticket, changes, version, actor)
    _apply(ticket, actor, changes, assignee, now)
    ticket.refresh_from_db()
    return ticket


@transaction.atomic(savepoint=False)
def ticket_update_locked(
    *, ticket: Ticket, actor: User, changes: TicketChanges, assignee: User | None, now: datetime
) -> None:
    """``ticket_update`` for a caller that holds the ticket's row lock in its own transaction
    and read it with its organization (``ticket_bulk_update``): the same checks, audit entries
    and events, without a second lock, a re-read or a savepoint. ``assignee`` is what
    ``ticket_changes_validate`` returned for ``changes``.

    A refusal leaves the caller's transaction unusable (no savepoint to roll back to), so the
    caller must let it undo everything; the instance is left as saved, not re-read."""
    _check_staff(actor)
    _apply(ticket, actor, changes, assignee, now)


def _check_staff(actor: User) -> None:
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can change a ticket.")


def _apply(
    ticket: Ticket, actor: User, changes: TicketChanges, assignee: User | None, now: datetime
) -> None:
    """Make the changes on the locked ``ticket``: audit each, save, announce them."""
    old_priority = ticket.priority
    fields: list[str] = ["updated_at"]
    for name in ("priority", "category"):
        value = getattr(changes, name)
        if value is not None and value != getattr(ticket, name):
            _event(ticket, actor, "changed", now, field=name, old=getattr(ticket, name), new=value)
            setattr(ticket, name, value)
            fields.append(name)
    old_assignee = _change_assignee(
        ticket, actor, now, fields, assignee=assignee, unassign=changes.unassign
    )
    if changes.status is not None and changes.status != ticket.status:
        _change_status(ticket, actor, changes.status, now, fields)
    if changes.tags is not None:
        _change_tags(ticket, actor, changes.tags, now)
    if len(fields) > 1:
        ticket.last_activity_at = now
        fields.append("last_activity_at")
    ticket.save(update_fields=fields)
    _announce(ticket, fields, old_priority, old_assignee, now)


def _announce(
    ticket: Ticket, fields: list[str], old_priority: str, old_assignee: User | None, now: datetime
) -> None:
    if "priority" in fields:
        events.publish(
            events.PriorityChanged(ticket=ticket, old=old_priority, new=ticket.priority, now=now)
        )
    if "assignee" in fields:
        events.publish(
            events.AssignmentChanged(
                ticket=ticket, old_assignee=old_assignee, new_assignee=ticket.assignee, now=now
            )
        )
    events.publish(events.TicketUpdated(ticket=ticket, changed=frozenset(fields), now=now))


def _change_assignee(
    ticket: Ticket,
    actor: User,
    now: datetime,
    fields: list[str],
    *,
    assignee: User | None,
    unassign: bool,
) -> User | None:
    """Assign or unassign; the previous assignee, read only when it changes."""
    if assignee is not None and assignee.id != ticket.assignee_id:
        old = ticket.assignee
        _event(ticket, actor, "changed", now, field="assignee", old=old, new=assignee)
        ticket.assignee = assignee
        fields.append("assignee")
        return old
    if unassign and ticket.assignee_id is not None:
        old = ticket.assignee
        _event(ticket, actor, "changed", now, field="assignee", old=old)
        ticket.assignee = None
        fields.append("assignee")
        return old
    return None


def _change_tags(ticket: Ticket, actor: User, tags: tuple[str, ...], now: datetime) -> None:
    old_tags = sorted(t.name for t in ticket.tags.all())
    new_tags = _set_tags(ticket, tags)
    if new_tags != old_tags:
        _event(
            ticket,
            actor,
            "changed",
            now,
            field="tags",
            old=",".join(old_tags),
            new=",".join(new_tags),
        )


@transaction.atomic
def ticket_escalate_to(
    *, ticket: Ticket, actor: User | None, queue: Queue | None, assignee: User | None, now: datetime
) -> Ticket:
    """Escalation (lifebuoy.escalations) hands the ticket to the next level: status Escalated,
    the level's queue and person. The owner stays; each change is audited like any other."""
    ticket = _locked(ticket)
    if not ticket.is_open:
        raise InvalidState("ticket_closed", f"Ticket {ticket.number} is not open.")
    fields = ["updated_at", "last_activity_at"]
    ticket.last_activity_at = now
    if queue is not None and queue.id != ticket.queue_id:
        _event(ticket, actor, "changed", now, field="queue", old=ticket.queue, new=queue)
        ticket.queue = queue
        fields.append("queue")
    if (assignee.id if assignee else None) != ticket.assignee_id:
        # Nobody at the level had room: the ticket waits in the level's queue, unassigned.
        _event(ticket, actor, "changed", now, field="assignee", old=ticket.assignee, new=assignee)
        ticket.assignee = assignee
        fields.append("assignee")
    if ticket.status != Status.ESCALATED:
        _status_to(ticket, actor, Status.ESCALATED, now, fields, cause=StatusCause.ESCALATION)
    ticket.save(update_fields=fields)
    return ticket


@transaction.atomic
def ticket_confirm_resolved(*, ticket: Ticket, actor: User, now: datetime) -> Ticket:
    """The customer says the problem is solved.

    On a ticket the desk resolved, that is the confirmation the playbook closes on. On one the
    desk is still working (open, pending, escalated) the customer's word resolves it but does
    not close it: the agents see it resolved by the customer, either side can reopen it, and it
    closes on a second confirmation or when it stays quiet. A member of staff recording the
    customer's confirmation (by phone or mail) closes it at once, as before."""
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidState("ticket_closed", f"Ticket {ticket.number} is already closed.")
    fields = ["updated_at", "last_activity_at"]
    ticket.last_activity_at = now
    was_resolved = ticket.status == Status.RESOLVED
    if not was_resolved:
        _status_to(ticket, actor, Status.RESOLVED, now, fields, cause=StatusCause.CONFIRMATION)
    if was_resolved or actor.is_support_staff:
        _status_to(ticket, actor, Status.CLOSED, now, fields, cause=StatusCause.CONFIRMATION)
    ticket.save(update_fields=list(dict.fromkeys(fields)))
    return ticket


def ticket_autoclose_sweep(*, now: datetime, quiet_days: int, batch_size: int = 500) -> int:
    """Close resolved tickets that stayed quiet for ``quiet_days``. Safe with several workers:
    each ticket closes only if it is still resolved and quiet at the moment of the update."""
    cutoff = now - timedelta(days=quiet_days)
    closed = 0
    ids = list(
        Ticket.objects.filter(status=Status.RESOLVED, last_activity_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )
    for ticket_id in ids:
        with transaction.atomic():
            won = Ticket.objects.filter(
                id=ticket_id, status=Status.RESOLVED, last_activity_at__lt=cutoff
            ).update(status=Status.CLOSED, closed_at=now, updated_at=now)
            if won == 1:
                TicketEvent.objects.create(
                    ticket_id=ticket_id,
                    actor=None,
                    action="closed_automatically",
                    field="status",
                    old_value=Status.RESOLVED,
                    new_value=Status.CLOSED,
                    created_at=now,
                )
                events.publish(
                    events.StatusChanged(
                        ticket_id=ticket_id,
                        old=Status.RESOLVED,
                        new=Status.CLOSED,
                        cause=StatusCause.AUTOCLOSE,
                        now=now,
                    )
                )
                closed += 1
    return closed
