"""Reads for tickets. ``ticket_get_for_user`` is the one gate every ticket read goes through."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from lifebuoy.accounts.models import PLAN_TIER, User
from lifebuoy.core.cursors import (
    Cursor,
    KeyParser,
    cursor_decode,
    cursor_encode,
    key_choice,
    key_datetime,
    key_none,
    key_optional,
)
from lifebuoy.core.errors import NotFound, ValidationFailed
from lifebuoy.core.parsing import parse_id
from lifebuoy.sla.selectors import deadline_cursor_key, ticket_filter_sla, ticket_order_by_deadline

from .models import Attachment, Message, Priority, Ticket, TicketEvent

PAGE_SIZE_MAX = 100
# Each sort order and how its cursor's key reads back.
SORT_KEYS: dict[str, KeyParser] = {
    "newest": key_none,
    "oldest": key_none,
    "priority": key_choice(Priority.values),
    "activity": key_datetime,
    "deadline": key_optional(key_datetime),
}
SORTS = tuple(SORT_KEYS)


def ticket_visible(*, user: User) -> QuerySet[Ticket]:
    """Every ticket ``user`` may see: staff all of them, a customer their organization's."""
    if not user.is_active:
        return Ticket.objects.none()
    if user.is_support_staff:
        return Ticket.objects.all()
    if user.organization_id is None:
        return Ticket.objects.none()
    return Ticket.objects.filter(organization_id=user.organization_id)


def ticket_get_for_user(*, user: User, ticket_id: int) -> Ticket:
    """The gate: a ticket that does not exist and one that is not yours are the same 404."""
    ticket = (
        ticket_visible(user=user)
        .select_related("organization", "requester", "assignee", "owner", "queue")
        .filter(id=ticket_id)
        .first()
    )
    if ticket is None:
        raise NotFound("ticket_not_found", f"Ticket #{ticket_id} was not found.")
    return ticket


def message_list_for_user(*, user: User, ticket: Ticket) -> QuerySet[Message]:
    """The conversation as ``user`` may see it: customers never get internal notes."""
    messages = ticket.messages.select_related("author").prefetch_related("attachments")
    if not user.is_support_staff:
        messages = messages.filter(is_internal=False)
    return messages


def attachment_get_for_user(*, user: User, attachment_id: int) -> Attachment:
    attachment = (
        Attachment.objects.select_related("message__ticket")
        .filter(id=attachment_id, message__ticket__in=ticket_visible(user=user))
        .first()
    )
    if attachment is None or (attachment.message.is_internal and not user.is_support_staff):
        raise NotFound("attachment_not_found", f"Attachment {attachment_id} was not found.")
    return attachment


def event_list_for_user(*, user: User, ticket: Ticket) -> QuerySet[TicketEvent]:
    """The audit trail is for staff; customers see their conversation instead."""
    if not user.is_support_staff:
        return TicketEvent.objects.none()
    return ticket.events.select_related("actor")


@dataclass(frozen=True)
class TicketFilters:
    status: tuple[str, ...] = ()
    priority: tuple[str, ...] = ()
    tier: tuple[int, ...] = ()
    category: tuple[str, ...] = ()
    assignee: str = ""  # "me", "none" or a user id
    organization: int | None = None
    text: str = ""
    sla: str = ""  # "at_risk" or "breached" (staff only)
    sort: str = "newest"


@dataclass
class TicketPage:
    items: list[Ticket]
    next_cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def _apply_filters(qs: QuerySet[Ticket], *, user: User, f: TicketFilters) -> QuerySet[Ticket]:
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.priority:
        qs = qs.filter(priority__in=f.priority)
    if f.category:
        qs = qs.filter(category__in=f.category)
    if f.tier:
        plans = [plan for plan, tier in PLAN_TIER.items() if tier in f.tier]
        qs = qs.filter(organization__plan__in=plans)
    if f.assignee == "me":
        qs = qs.filter(assignee=user)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif (assignee_id := parse_id(f.assignee)) is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    text = f.text.strip()
    if text:
        number = parse_id(text.lstrip("#"))
        match = Q(subject__icontains=text) | Q(description__icontains=text)
        if number is not None:
            match |= Q(id=number)
        qs = qs.filter(match)
    if f.sla:
        qs = ticket_filter_sla(qs, user=user, state=f.sla)
    return qs


def _apply_sort(qs: QuerySet[Ticket], sort: str, cursor: str | None) -> QuerySet[Ticket]:
    after: Cursor | None = None
    if cursor is not None:
        after = cursor_decode(cursor, sort=sort, parse_key=SORT_KEYS[sort])
    if sort == "oldest":
        if after:
            qs = qs.filter(id__gt=after.id)
        return qs.order_by("id")
    if sort == "priority":
        if after:
            qs = qs.filter(Q(priority__gt=after.key) | Q(priority=after.key, id__lt=after.id))
        return qs.order_by("priority", "-id")
    if sort == "activity":
        if after:
            at = after.key
            qs = qs.filter(Q(last_activity_at__lt=at) | Q(last_activity_at=at, id__lt=after.id))
        return qs.order_by("-last_activity_at", "-id")
    if sort == "deadline":
        return ticket_order_by_deadline(qs, (after.key, after.id) if after else None)
    if after:
        qs = qs.filter(id__lt=after.id)
    return qs.order_by("-id")


def _cursor_for(ticket: Ticket, sort: str) -> str:
    key: Any = None
    if sort == "priority":
        key = ticket.priority
    elif sort == "activity":
        key = ticket.last_activity_at.isoformat()
    elif sort == "deadline":
        key = deadline_cursor_key(ticket)
    return cursor_encode(sort=sort, key=key, row_id=ticket.id)


def ticket_list_for_user(
    *, user: User, filters: TicketFilters, cursor: str | None = None, limit: int = 50
) -> TicketPage:
    """One page of the queue, keyset-paginated so page 1,000 costs what page 1 does."""
    if filters.sort not in SORTS:
        raise ValidationFailed.for_fields({"sort": f"Sort by one of: {', '.join(SORTS)}."})
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    qs = _apply_filters(ticket_visible(user=user), user=user, f=filters)
    qs = _apply_sort(qs, filters.sort, cursor)
    qs = qs.select_related("organization", "requester", "assignee", "sla_summary")
    rows = list(qs.prefetch_related("tags")[: limit + 1])
    next_cursor = _cursor_for(rows[limit - 1], filters.sort) if len(rows) > limit else None
    return TicketPage(items=rows[:limit], next_cursor=next_cursor)
