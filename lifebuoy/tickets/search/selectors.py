"""Searching tickets and finding similar ones, through the one visibility rule.

``ticket_search_for_user`` ranks the tickets ``user`` may see (``selectors.ticket_visible``)
by how well their words match, newer first among equals, each with a highlighted passage. A
customer's search reads only the public document of each ticket, so an internal note's words
never match and never show. ``similar_ticket_list_for_user`` is for staff: earlier tickets
like this one, resolved ones first, each with the reply that resolved it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from django.core.cache import cache
from django.db import connection
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from lifebuoy.accounts.models import Role, User
from lifebuoy.tickets.models import Message, Status, Ticket
from lifebuoy.tickets.selectors import ticket_visible

from . import backend_for
from .base import MARK_END, MARK_START, Within
from .query import QUERY_MAX, TERMS_MAX, search_query_parse

__all__ = [
    "QUERY_MAX",
    "RESULTS_MAX",
    "TERMS_MAX",
    "SimilarTicket",
    "TicketHit",
    "similar_ticket_list_for_user",
    "ticket_search_for_user",
]

RESULTS_MAX = 50
SIMILAR_MAX = 5
SIMILAR_TTL = 600
_SOLVED = (Status.RESOLVED, Status.CLOSED)


@dataclass(frozen=True)
class TicketHit:
    ticket: Ticket
    snippet: SafeString  # the passage around the match, words in <mark>, the rest escaped


def _highlighted(passage: str) -> SafeString:
    text = escape(" ".join(passage.split()))
    return mark_safe(text.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>"))


def _within(tickets: QuerySet[Ticket]) -> Within | None:
    if not tickets.query.where:
        return None  # every ticket: no need to ask the engine to check
    sql, params = tickets.order_by().values("id").query.sql_with_params()
    return Within(sql=sql, params=tuple(params))


def ticket_search_for_user(
    *, user: User, text: str, statuses: tuple[str, ...] = (), limit: int = RESULTS_MAX
) -> list[TicketHit]:
    """The tickets ``user`` may see that match ``text`` (search syntax: words, ``"a phrase"``,
    ``or``, ``-word``), best first; ``#123`` or ``123`` also finds that ticket, first. Raises
    ValidationFailed (field ``q``) for a query that is too long."""
    query = search_query_parse(text)
    tickets = ticket_visible(user=user)
    if statuses:
        tickets = tickets.filter(status__in=statuses)
    if tickets.query.is_empty():
        return []  # nobody's tickets (an inactive account)
    limit = max(1, min(limit, RESULTS_MAX))
    public_only = not user.is_support_staff
    backend = backend_for(connection)
    ids: list[int] = []
    if query.number is not None and tickets.filter(id=query.number).exists():
        ids.append(query.number)
    if not query.is_empty:
        with connection.cursor() as cursor:
            hits = backend.search(
                cursor, query, public_only=public_only, within=_within(tickets), limit=limit
            )
        ids += [hit.ticket_id for hit in hits if hit.ticket_id not in ids]
    ids = ids[:limit]
    loaded = tickets.select_related("organization", "requester", "assignee", "owner").in_bulk(ids)
    snippets: dict[int, str] = {}
    if ids and not query.is_empty:
        with connection.cursor() as cursor:
            snippets = backend.snippets(cursor, query, public_only=public_only, ticket_ids=ids)
    return [
        TicketHit(ticket=loaded[i], snippet=_highlighted(snippets.get(i, "")))
        for i in ids
        if i in loaded
    ]


@dataclass(frozen=True)
class SimilarTicket:
    ticket: Ticket
    resolution: str  # the last public reply from staff before it was resolved, or ""


def _similar_ids(ticket: Ticket) -> list[int]:
    """The ids of the earlier tickets most like ``ticket``, resolved ones first (cached: the
    answer changes only when the ticket's words do, and the panel is shown on every view)."""
    text = " ".join(
        [
            ticket.subject,
            ticket.description,
            *Message.objects.filter(ticket=ticket, is_internal=False)
            .order_by("created_at", "id")
            .values_list("body", flat=True)[:2],
        ]
    )
    digest = hashlib.sha256(f"{ticket.category}\n{text}".encode()).hexdigest()[:24]
    key = f"search:similar:{ticket.id}:{digest}"
    cached: list[int] | None = cache.get(key)
    if cached is not None:
        return cached
    with connection.cursor() as cursor:
        hits = backend_for(connection).similar(
            cursor, ticket_id=ticket.id, text=text, limit=SIMILAR_MAX * 4
        )
    scores = {hit.ticket_id: hit.score for hit in hits}
    rows = Ticket.objects.filter(id__in=scores, merged_into__isnull=True).values_list(
        "id", "category", "status"
    )
    # Same category counts half as much again; then resolved ones first, best match first.
    ranked = sorted(
        rows,
        key=lambda row: (
            row[2] not in _SOLVED,
            -scores[row[0]] * (1.5 if row[1] == ticket.category else 1.0),
            -row[0],
        ),
    )
    ids = [row[0] for row in ranked[:SIMILAR_MAX]]
    cache.set(key, ids, SIMILAR_TTL)
    return ids


def similar_ticket_list_for_user(*, user: User, ticket: Ticket) -> list[SimilarTicket]:
    """Up to five earlier tickets like ``ticket``, for staff (customers get none): resolved
    ones first, each with how it was resolved."""
    if not user.is_support_staff:
        return []
    ids = _similar_ids(ticket)
    if not ids:
        return []
    last_reply = (
        Message.objects.filter(ticket_id=OuterRef("id"), is_internal=False)
        .exclude(author__role=Role.CUSTOMER)
        .filter(created_at__lte=OuterRef("resolved_at"))
        .order_by("-created_at", "-id")
        .values("body")[:1]
    )
    loaded = (
        ticket_visible(user=user)
        .filter(id__in=ids)
        .annotate(resolution=Subquery(last_reply))
        .in_bulk()
    )
    return [
        SimilarTicket(ticket=loaded[i], resolution=getattr(loaded[i], "resolution", None) or "")
        for i in ids
        if i in loaded
    ]
