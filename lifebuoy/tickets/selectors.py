"""Reads for tickets. ``ticket_get_for_user`` is the one gate every ticket read goes through."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from lifebuoy.accounts.models import PLAN_TIER, User
from lifebuoy.accounts.selectors import organization_shares_tickets
from lifebuoy.core.cursors import (
    Cursor,
    KeyParser,
    cursor_decode,
    cursor_encode,
    key_choice,
    key_datetime,
    key_none,
)
from lifebuoy.core.errors import NotFound, ValidationFailed
from lifebuoy.core.parsing import parse_id

from .models import Attachment, Message, Priority, Ticket, TicketEvent
from .search import ticket_text_match
from .staff_read import ticket_with_relations

PAGE_SIZE_MAX = 100
# Each built-in sort order and how its cursor's key reads back.
SORT_KEYS: dict[str, KeyParser] = {
    "newest": key_none,
    "oldest": key_none,
    "priority": key_choice(Priority.values),
    "activity": key_datetime,
}


@dataclass(frozen=True)
class ListSort:
    """A sort order an app above ``tickets`` adds to the list (the SLA app: next deadline).

    ``order`` sorts the queryset and continues after ``(key, id)`` when given; ``cursor_key``
    reads that key from a ticket of the page; ``parse_key`` checks it when it comes back.
    """

    order: Callable[[QuerySet[Ticket], tuple[Any, int] | None], QuerySet[Ticket]]
    cursor_key: Callable[[Ticket], Any]
    parse_key: KeyParser


# (queryset, user, value) -> queryset; raises ValidationFailed for a bad value.
ListFilter = Callable[[QuerySet[Ticket], User, str, datetime], QuerySet[Ticket]]
"""``(tickets, viewer, value, now)`` → the tickets that pass."""

_extra_sorts: dict[str, ListSort] = {}
_extra_filters: dict[str, ListFilter] = {}
_extra_related: list[str] = []
# (customer) -> the tickets of their organization shared with them beyond their own (CCs).
_shared_with: list[Callable[[User], Q]] = []


def ticket_list_extend(
    *,
    sorts: Mapping[str, ListSort] | None = None,
    filters: Mapping[str, ListFilter] | None = None,
    related: tuple[str, ...] = (),
) -> None:
    """Called from an app's ``ready()``: sort orders and filters of its own, and the relations
    its list columns read (fetched with each page)."""
    _extra_sorts.update(sorts or {})
    _extra_filters.update(filters or {})
    _extra_related.extend(name for name in related if name not in _extra_related)


def ticket_visible_extend(*, shared: Callable[[User], Q]) -> None:
    """Called from an app's ``ready()``: tickets of a customer's organization that are
    shared with them although they did not request them (``notifications``: CCs)."""
    if shared not in _shared_with:
        _shared_with.append(shared)


def ticket_sorts() -> tuple[str, ...]:
    return (*SORT_KEYS, *_extra_sorts)


def ticket_visible(*, user: User) -> QuerySet[Ticket]:
    """Every ticket ``user`` may see, the one rule every ticket read goes through.

    Staff: all of them. A customer: only their organization's, and of those, all of them
    when they are its admin or its members see all of its tickets
    (``Organization.members_see_all_tickets``: by plan unless it chose), else the ones they
    requested and those shared with them (CC'd). Inactive people see none.
    """
    if not user.is_active:
        return Ticket.objects.none()
    if user.is_support_staff:
        return Ticket.objects.all()
    if user.organization_id is None:
        return Ticket.objects.none()
    tickets = Ticket.objects.filter(organization_id=user.organization_id)
    if user.administers_organization:
        return tickets
    # Read in the same query (no look-up of the organization first).
    mine = organization_shares_tickets(prefix="organization__") | Q(requester_id=user.id)
    for shared in _shared_with:
        mine |= shared(user)
    return tickets.filter(mine)


def ticket_get_for_user(*, user: User, ticket_id: int) -> Ticket:
    """The gate: a ticket that does not exist and one that is not yours are the same 404.
    Staff see every ticket (``ticket_visible``): theirs is read by a statement planned once."""
    if user.is_active and user.is_support_staff:
        ticket = ticket_with_relations(ticket_id=ticket_id)
    else:
        ticket = (
            ticket_visible(user=user)
            .select_related("organization", "requester", "assignee", "owner", "queue")
            .filter(id=ticket_id)
            .first()
        )
    if ticket is None:
        raise NotFound("ticket_not_found", f"Ticket #{ticket_id} was not found.")
    return ticket


def ticket_id_get_for_user(*, user: User, ticket_id: int) -> int:
    """The gate for requests that need only to know the ticket is ``user``'s to see (a poll
    every few seconds): the same rule and the same 404 as ``ticket_get_for_user``, without
    reading the ticket and its relations."""
    if not ticket_visible(user=user).filter(id=ticket_id).exists():
        raise NotFound("ticket_not_found", f"Ticket #{ticket_id} was not found.")
    return ticket_id


def message_list_for_user(
    *, user: User, ticket: Ticket, attachments: bool = True
) -> QuerySet[Message]:
    """The conversation as ``user`` may see it: customers never get internal notes.
    ``attachments=False``: the caller knows no message has any, so none are read (each message
    still answers ``attachments.all()``, with nothing)."""
    listed = Attachment.objects.all() if attachments else Attachment.objects.none()
    messages = ticket.messages.select_related("author").prefetch_related(
        Prefetch("attachments", queryset=listed)
    )
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
    channel: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()  # any of them
    assignee: str = ""  # "me", "none" or a user id
    assignees: tuple[int, ...] = ()  # any of these users
    assignee_any: tuple[str, ...] = ()  # any of: "me" (assignee or owner), "none", user ids
    mine: bool = False  # assigned to the viewer, or owned by them
    nobodys: bool = False  # neither assigned nor owned
    organization: int | None = None
    organizations: tuple[int, ...] = ()  # any of these
    waiting_on_us: bool = False  # the newest public message is the customer's
    created_from: datetime | None = None
    created_before: datetime | None = None
    updated_from: datetime | None = None
    updated_before: datetime | None = None
    text: str = ""
    extra: Mapping[str, str] = field(default_factory=dict)  # filters added by other apps
    sort: str = "newest"
    now: datetime | None = None  # the instant relative filters (e.g. "due within an hour") use


@dataclass
class TicketPage:
    items: list[Ticket]
    next_cursor: str | None
    extra: dict[str, Any] = field(default_factory=dict)


def _any_assignee(picked: tuple[str, ...], user: User) -> Q:
    """Tickets matching any of the picks; a pick that is no id matches nothing."""
    match = Q(pk__in=[])
    ids = [n for n in (parse_id(p) for p in picked) if n is not None]
    if ids:
        match |= Q(assignee_id__in=ids)
    if "me" in picked:
        match |= Q(assignee=user) | Q(owner=user)
    if "none" in picked:
        match |= Q(assignee__isnull=True)
    return match


def _storable(values: tuple[str, ...]) -> tuple[str, ...]:
    """The values a stored text could equal: PostgreSQL refuses to compare a text holding a NUL
    (an error, not "no match"), and no stored text holds one."""
    return tuple(value for value in values if "\x00" not in value)


def _apply_filters(qs: QuerySet[Ticket], *, user: User, f: TicketFilters) -> QuerySet[Ticket]:
    for values in (f.status, f.priority, f.category, f.channel, f.tags):
        if values and not _storable(values):
            return qs.none()  # asked for values no ticket can have
    if f.status:
        qs = qs.filter(status__in=_storable(f.status))
    if f.priority:
        qs = qs.filter(priority__in=_storable(f.priority))
    if f.category:
        qs = qs.filter(category__in=_storable(f.category))
    if f.tier:
        plans = [plan for plan, tier in PLAN_TIER.items() if tier in f.tier]
        qs = qs.filter(organization__plan__in=plans)
    if f.assignee == "me":
        qs = qs.filter(assignee=user)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif (assignee_id := parse_id(f.assignee)) is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if f.assignees:
        qs = qs.filter(assignee_id__in=f.assignees)
    if f.assignee_any:
        qs = qs.filter(_any_assignee(f.assignee_any, user))
    if f.mine:
        qs = qs.filter(Q(assignee=user) | Q(owner=user))
    if f.nobodys:
        qs = qs.filter(assignee__isnull=True, owner__isnull=True)
    if f.organization is not None:
        qs = qs.filter(organization_id=f.organization)
    if f.organizations:
        qs = qs.filter(organization_id__in=f.organizations)
    if f.channel:
        qs = qs.filter(channel__in=_storable(f.channel))
    if f.tags:
        tags = _storable(f.tags)
        tagged = Ticket.tags.through.objects.filter(tag__name__in=tags).values("ticket_id")
        qs = qs.filter(id__in=tagged)
    if f.waiting_on_us:
        qs = qs.filter(waiting_on_us=True)
    for lookup, bound in (
        ("created_at__gte", f.created_from),
        ("created_at__lt", f.created_before),
        ("last_activity_at__gte", f.updated_from),
        ("last_activity_at__lt", f.updated_before),
    ):
        if bound is not None:
            qs = qs.filter(**{lookup: bound})
    if f.text.strip():
        qs = qs.filter(ticket_text_match(user=user, text=f.text))
    for name, value in f.extra.items():
        if not value:
            continue
        if name not in _extra_filters:
            raise ValidationFailed.for_fields({name: "This list cannot be filtered by that."})
        qs = _extra_filters[name](qs, user, value, f.now or timezone.now())
    return qs


def _apply_sort(qs: QuerySet[Ticket], sort: str, cursor: str | None) -> QuerySet[Ticket]:
    after: Cursor | None = None
    extra = _extra_sorts.get(sort)
    if cursor is not None:
        parse_key = extra.parse_key if extra else SORT_KEYS[sort]
        after = cursor_decode(cursor, sort=sort, parse_key=parse_key)
    if extra is not None:
        return extra.order(qs, (after.key, after.id) if after else None)
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
    if after:
        qs = qs.filter(id__lt=after.id)
    return qs.order_by("-id")


def _cursor_for(ticket: Ticket, sort: str) -> str:
    key: Any = None
    if sort == "priority":
        key = ticket.priority
    elif sort == "activity":
        key = ticket.last_activity_at.isoformat()
    elif sort in _extra_sorts:
        key = _extra_sorts[sort].cursor_key(ticket)
    return cursor_encode(sort=sort, key=key, row_id=ticket.id)


def ticket_count_for_user(*, user: User, filters: TicketFilters, cap: int) -> int:
    """How many tickets pass ``filters``, counted up to ``cap + 1`` (so "more than cap" shows
    without counting a million rows)."""
    qs = _apply_filters(ticket_visible(user=user), user=user, f=filters)
    return qs.order_by().values("id")[: cap + 1].count()


def ticket_ids_for_user(*, user: User, filters: TicketFilters, limit: int) -> list[int]:
    """The ids of the tickets that pass ``filters`` (at most ``limit``), in id order."""
    qs = _apply_filters(ticket_visible(user=user), user=user, f=filters)
    return list(qs.order_by("id").values_list("id", flat=True)[:limit])


def ticket_list_for_user(
    *, user: User, filters: TicketFilters, cursor: str | None = None, limit: int = 50
) -> TicketPage:
    """One page of the queue, keyset-paginated so page 1,000 costs what page 1 does."""
    sorts = ticket_sorts()
    if filters.sort not in sorts:
        raise ValidationFailed.for_fields({"sort": f"Sort by one of: {', '.join(sorts)}."})
    limit = max(1, min(limit, PAGE_SIZE_MAX))
    qs = _apply_filters(ticket_visible(user=user), user=user, f=filters)
    qs = _apply_sort(qs, filters.sort, cursor)
    qs = qs.select_related("organization", "requester", "assignee", *_extra_related)
    rows = list(qs.prefetch_related("tags")[: limit + 1])
    next_cursor = _cursor_for(rows[limit - 1], filters.sort) if len(rows) > limit else None
    return TicketPage(items=rows[:limit], next_cursor=next_cursor)
