"""One change applied to many tickets at once, all or nothing.

Each ticket goes through ``ticket_update``, so every rule holds exactly as for a single change:
the status transitions, the assignee check, the audit entry per ticket and field, the events
(SLA clocks pause and resume, escalation follow-ups). One refusal undoes the whole batch and
names the ticket it came from. Rows are locked in id order, so two overlapping batches queue
behind each other instead of deadlocking.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import LifebuoyError, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.selectors import ticket_visible

from .changes import TicketChanges, ticket_update

BULK_MAX = 1_000


@dataclass(frozen=True)
class BulkChanges:
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assignee_id: int | None = None
    unassign: bool = False
    add_tags: tuple[str, ...] = ()
    remove_tags: tuple[str, ...] = ()

    def is_empty(self) -> bool:
        return self == BulkChanges()


@transaction.atomic
def ticket_bulk_update(
    *, actor: User, ticket_ids: Sequence[int], changes: BulkChanges, now: datetime
) -> int:
    """Apply ``changes`` to every ticket in ``ticket_ids``; the number of tickets changed."""
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can change tickets.")
    wanted = sorted(set(ticket_ids))
    if not wanted:
        raise ValidationFailed.for_fields({"ticket": "Select at least one ticket."})
    if len(wanted) > BULK_MAX:
        raise ValidationFailed.for_fields(
            {"ticket": f"Change at most {BULK_MAX:,} tickets at once; narrow the list first."}
        )
    if changes.is_empty():
        raise ValidationFailed.for_fields({"changes": "Choose at least one change to make."})
    visible = ticket_visible(user=actor).filter(id__in=wanted)  # the gate, per ticket
    tickets = list(visible.select_for_update().order_by("id").prefetch_related("tags"))
    missing = sorted(set(wanted) - {t.id for t in tickets})
    if missing:
        names = ", ".join(f"#{n}" for n in missing[:10])
        raise NotFound("ticket_not_found", f"These tickets were not found: {names}.")
    for ticket in tickets:
        try:
            ticket_update(ticket=ticket, actor=actor, changes=_for(ticket, changes), now=now)
        except LifebuoyError as exc:
            raise type(exc)(exc.code, f"{ticket.number}: {exc.message}", exc.extra) from exc
    return len(tickets)


def _for(ticket: Ticket, changes: BulkChanges) -> TicketChanges:
    tags = None
    if changes.add_tags or changes.remove_tags:
        current = {t.name for t in ticket.tags.all()}
        tags = tuple(sorted((current | set(changes.add_tags)) - set(changes.remove_tags)))
    return TicketChanges(
        status=changes.status,
        priority=changes.priority,
        category=changes.category,
        assignee_id=changes.assignee_id,
        unassign=changes.unassign,
        tags=tags,
    )
