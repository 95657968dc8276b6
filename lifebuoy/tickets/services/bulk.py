"""One change applied to many tickets at once, all or nothing.

Each ticket goes through ``ticket_update_locked``, the body of ``ticket_update``, so every rule
holds exactly as for a single change: the staff check, the status transitions, the audit entry
per ticket and field, the events (SLA clocks pause, resume and move, escalation follow-ups).
One refusal undoes the whole batch and names the ticket it came from. Rows are locked in id
order, once for the batch (with their organizations, as a single change locks them), so two
overlapping batches queue behind each other instead of deadlocking; the per-ticket work needs
no second lock, no re-read and no savepoint, since any refusal rolls the whole batch back.

Apps above ``tickets`` that keep rows per ticket may lock and read them for the whole batch at
once: ``ticket_bulk_extend(scope=...)`` (from their ``AppConfig.ready()``) names a context
manager entered with the locked tickets before the first change and left after the last.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, ExitStack, contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import LifebuoyError, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.selectors import ticket_visible

from .changes import TicketChanges, ticket_changes_validate, ticket_update_locked

BULK_MAX = 1_000

BulkScope = Callable[[Sequence[Ticket]], AbstractContextManager[None]]
_scopes: list[BulkScope] = []


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
    tickets = _locked_batch(actor, wanted)
    with _naming(tickets[0]):  # a change no ticket can take is refused on the first, as before
        assignee = ticket_changes_validate(changes=_for(tickets[0], changes))
    with ExitStack() as scopes:
        for scope in _scopes:
            scopes.enter_context(scope(tickets))
        for ticket in tickets:
            with _naming(ticket):
                ticket_update_locked(
                    ticket=ticket,
                    actor=actor,
                    changes=_for(ticket, changes),
                    assignee=assignee,
                    now=now,
                )
    return len(tickets)


def ticket_bulk_extend(*, scope: BulkScope) -> None:
    """Enter ``scope(tickets)`` around every bulk change, once its tickets are locked and the
    changes checked; registering twice is a no-op."""
    if scope not in _scopes:
        _scopes.append(scope)


def _locked_batch(actor: User, wanted: list[int]) -> list[Ticket]:
    """The tickets, locked in id order with their organizations, read with what the changes
    and their events use; ``NotFound`` naming those ``actor`` cannot see or that do not exist."""
    visible = ticket_visible(user=actor).filter(id__in=wanted)  # the gate, per ticket
    tickets = list(
        visible.select_related("organization", "assignee")
        .select_for_update(of=("self", "organization"))
        .order_by("id")
        .prefetch_related("tags")
    )
    missing = sorted(set(wanted) - {t.id for t in tickets})
    if missing:
        names = ", ".join(f"#{n}" for n in missing[:10])
        raise NotFound("ticket_not_found", f"These tickets were not found: {names}.")
    return tickets


@contextmanager
def _naming(ticket: Ticket) -> Iterator[None]:
    """Put the ticket's number in front of a refusal's message."""
    try:
        yield
    except LifebuoyError as exc:
        raise type(exc)(exc.code, f"{ticket.number}: {exc.message}", exc.extra) from exc


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
