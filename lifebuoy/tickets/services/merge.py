"""Merging duplicate tickets: the sources' conversations, descriptions and tags go to the target,
and each source closes with a public notice that points there (as Zendesk and Freshdesk do).

Invariants:
- staff only, and never across organizations: everyone who may read the target would read the
  merged conversation, so a ticket of another customer would leak theirs;
- all or nothing: one refusal, naming its ticket, leaves every ticket as it was;
- the target and the sources are locked together in id order, so two merges sharing a ticket
  queue behind each other instead of deadlocking, and the second sees the first's result;
- each source's requester is told once, by the public notice on the source, mailed like any
  reply; the close itself is ``StatusCause.MERGE``, for which notifications send nothing;
- the sources' SLA clocks stop with their close; the target's are left as they were.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.db import transaction

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.core.markdown import render_markdown
from lifebuoy.tickets import events
from lifebuoy.tickets.events import StatusCause
from lifebuoy.tickets.models import Message, Status, Tag, Ticket
from lifebuoy.tickets.selectors import ticket_visible

from .common import _event, _status_to
from .conversation import message_add

MERGE_NOTICE = "This request was merged into {target}, where we continue."


@transaction.atomic
def ticket_merge(
    *, actor: User, target: Ticket, sources: Sequence[Ticket] | Sequence[int], now: datetime
) -> Ticket:
    """Merge ``sources`` (tickets or their ids) into ``target``; the target, refreshed.

    Each source's messages move with their attachments and their own times, so the target's
    conversation stays in time order; its description becomes an internal note on the target;
    its tags are added to the target's. Then the source closes, linked by ``merged_into``, with
    a public notice to its requester. Audited on every ticket; ``TicketMerged`` comes last.
    """
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can merge tickets.")
    source_ids = _checked_source_ids(target, sources)
    tickets = _locked_in_id_order(actor, [target.id, *source_ids])
    target = tickets[target.id]
    merging = [tickets[source_id] for source_id in source_ids]
    _check_mergeable(target, merging)
    for source in merging:
        _merge_one(actor, target, source, now)
    _add_tags(actor, target, merging, now)
    target.last_activity_at = now
    target.save(update_fields=["last_activity_at", "updated_at"])
    events.publish(events.TicketMerged(target=target, source_ids=tuple(source_ids), now=now))
    target.refresh_from_db()
    return target


def _numbers(ids: Iterable[int]) -> str:
    return ", ".join(f"#{ticket_id}" for ticket_id in ids)


def _refused(code: str, message: str) -> ValidationFailed:
    return ValidationFailed(code, message, {"fields": {"sources": message}})


def _checked_source_ids(target: Ticket, sources: Sequence[Ticket] | Sequence[int]) -> list[int]:
    """The sources' ids in ascending order, once it is clear that they can be merged at all."""
    ids = [source if isinstance(source, int) else source.id for source in sources]
    if not ids:
        raise _refused(
            "merge_no_sources", f"Choose at least one ticket to merge into {target.number}."
        )
    repeated = sorted(ticket_id for ticket_id, count in Counter(ids).items() if count > 1)
    if repeated:
        raise _refused(
            "merge_repeated", f"Name each ticket once; listed more than once: {_numbers(repeated)}."
        )
    if target.id in ids:
        raise _refused("merge_into_itself", f"Ticket {target.number} cannot be merged into itself.")
    return sorted(ids)


def _locked_in_id_order(actor: User, ids: list[int]) -> dict[int, Ticket]:
    """The tickets, through the gate, locked in id order (no join: only ticket rows lock)."""
    rows = ticket_visible(user=actor).filter(id__in=ids).select_for_update().order_by("id")
    tickets = {ticket.id: ticket for ticket in rows}
    missing = sorted(set(ids) - set(tickets))
    if missing:
        raise NotFound("ticket_not_found", f"These tickets were not found: {_numbers(missing)}.")
    return tickets


def _check_mergeable(target: Ticket, sources: list[Ticket]) -> None:
    foreign = [s.id for s in sources if s.organization_id != target.organization_id]
    if foreign:
        verb = "belongs" if len(foreign) == 1 else "belong"
        raise _refused(
            "merge_other_organization",
            f"{_numbers(foreign)} {verb} to another organization than {target.number}; "
            "tickets of different customers are never merged.",
        )
    for ticket in (target, *sources):
        if ticket.merged_into_id is not None:
            raise InvalidState(
                "ticket_merged",
                f"Ticket {ticket.number} was already merged into #{ticket.merged_into_id}.",
            )
        if ticket.status == Status.CLOSED:
            raise InvalidState(
                "ticket_closed", f"Ticket {ticket.number} is closed; closed tickets are not merged."
            )


def _merge_one(actor: User, target: Ticket, source: Ticket, now: datetime) -> None:
    Message.objects.filter(ticket=source).update(ticket=target)
    # Dated when the source was opened, so it heads the source's messages in the target's
    # conversation; the audit trail records who merged it and when.
    note = f"Merged from {source.number}: {source.subject}\n\n{source.description}"
    Message.objects.create(
        ticket=target,
        author=actor,
        body=note,
        body_html=render_markdown(note),
        is_internal=True,
        created_at=source.created_at,
    )
    _event(target, actor, "merged", now, field="merged_from", new=source.number)
    _event(source, actor, "merged", now, field="merged_into", new=target.number)
    source.merged_into = target
    source.last_activity_at = now
    fields = ["merged_into", "last_activity_at", "updated_at"]
    _status_to(source, actor, Status.CLOSED, now, fields, cause=StatusCause.MERGE)
    source.save(update_fields=fields)
    # Closed first, so the mail carries no "confirm the fix" footer. Automatic: a notice is
    # nobody's response, for the SLA clocks or ``first_response_at``.
    message_add(
        ticket=source,
        author=actor,
        body=MERGE_NOTICE.format(target=target.number),
        now=now,
        is_automatic=True,
    )


def _add_tags(actor: User, target: Ticket, sources: list[Ticket], now: datetime) -> None:
    before = sorted(tag.name for tag in target.tags.all())
    added = list(Tag.objects.filter(tickets__in=sources).exclude(name__in=before).distinct())
    if not added:
        return
    target.tags.add(*added)
    after = sorted([*before, *(tag.name for tag in added)])
    _event(target, actor, "changed", now, field="tags", old=",".join(before), new=",".join(after))
