"""The desk's queue views: the built-in lists agents work from, and their counts.

A view narrows the ticket list before the agent's own filters do; the filters then narrow it
further (a status ticked in the filters keeps only the view's tickets with that status). Counts
are exact up to ``COUNT_CAP`` and cached per agent for ``COUNT_TTL`` seconds, so a desk full of
agents refreshing their counts costs the database one capped count per view and agent at most
every half minute.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.cache import cache

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.accounts.selectors import organization_search_for_user, person_search_for_user
from lifebuoy.core.errors import NotFound
from lifebuoy.core.parsing import parse_id
from lifebuoy.kb.models import Article
from lifebuoy.kb.selectors import kb_restriction_for, kb_search
from lifebuoy.sla.selectors import sla_breached_ticket_count
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.search.selectors import TicketHit, ticket_search_for_user
from lifebuoy.tickets.selectors import TicketFilters, ticket_count_for_user, ticket_visible

from .models import Audience, SavedView, TicketSeen

COUNT_CAP = 10_000
COUNT_TTL = 30  # seconds
RECENTLY = timedelta(days=7)
COUNTS_GENERATION = "desk:counts-generation"
SEARCH_TICKETS = 20  # tickets on the search page; the queue lists every match
SEARCH_OTHERS = 5  # people, organizations and articles each

UNSOLVED = (Status.NEW, Status.OPEN, Status.PENDING, Status.ESCALATED)
SOLVED = (Status.RESOLVED, Status.CLOSED)
# A status no ticket has: what a view's statuses and the agent's ticked ones leave in common
# when they have nothing in common.
_NO_STATUS = ("-",)


@dataclass(frozen=True)
class QueueView:
    slug: str
    label: str
    narrow: Callable[[TicketFilters, datetime], TicketFilters]
    sort: str = "deadline"  # the order the view opens in; the agent may pick another
    # A cheaper way to count the view when no filter is added (the same number).
    count: Callable[[int], int] | None = None


def _statuses(*statuses: str) -> Callable[[TicketFilters, datetime], TicketFilters]:
    def narrow(f: TicketFilters, now: datetime) -> TicketFilters:
        return dataclasses.replace(f, status=_both(statuses, f.status))

    return narrow


def _mine(f: TicketFilters, now: datetime) -> TicketFilters:
    return dataclasses.replace(f, status=_both(UNSOLVED, f.status), mine=True)


def _unassigned(f: TicketFilters, now: datetime) -> TicketFilters:
    return dataclasses.replace(f, status=_both(UNSOLVED, f.status), nobodys=True)


def _waiting(f: TicketFilters, now: datetime) -> TicketFilters:
    return dataclasses.replace(f, status=_both(UNSOLVED, f.status), waiting_on_us=True)


def _sla(state: str) -> Callable[[TicketFilters, datetime], TicketFilters]:
    def narrow(f: TicketFilters, now: datetime) -> TicketFilters:
        extra = {**f.extra, "sla": state}
        return dataclasses.replace(f, status=_both(UNSOLVED, f.status), extra=extra)

    return narrow


def _recently_solved(f: TicketFilters, now: datetime) -> TicketFilters:
    since = max(f.updated_from or now - RECENTLY, now - RECENTLY)
    return dataclasses.replace(f, status=_both(SOLVED, f.status), updated_from=since)


def _everything(f: TicketFilters, now: datetime) -> TicketFilters:
    return f


def _both(view: tuple[str, ...], ticked: tuple[str, ...]) -> tuple[str, ...]:
    if not ticked:
        return view
    common = tuple(s for s in view if s in ticked)
    return common or _NO_STATUS


VIEWS: tuple[QueueView, ...] = (
    QueueView("mine", "My unsolved", _mine),
    QueueView("unassigned", "Unassigned", _unassigned),  # nobody assigned, nobody owns it
    QueueView("unsolved", "All unsolved", _statuses(*UNSOLVED)),
    QueueView("breaching", "Breaching within 1 hour", _sla("due_1h")),
    QueueView(
        "breached",
        "Breached",
        _sla("breached"),
        count=lambda cap: sla_breached_ticket_count(cap=cap),
    ),
    QueueView("waiting", "Customer replied", _waiting),
    QueueView("escalated", "Escalated", _statuses(Status.ESCALATED)),
    QueueView("solved", "Recently solved", _recently_solved, sort="activity"),
    QueueView("all", "All tickets", _everything, sort="newest"),
)
DEFAULT_VIEW = "unsolved"
_BY_SLUG = {view.slug: view for view in VIEWS}


def queue_view_get(slug: str) -> QueueView:
    """The view named ``slug``; the default one for an empty or unknown name."""
    return _BY_SLUG.get(slug) or _BY_SLUG[DEFAULT_VIEW]


def queue_filters(*, view: QueueView, filters: TicketFilters, now: datetime) -> TicketFilters:
    """The agent's filters within ``view``; the view's own order unless the agent chose one."""
    narrowed = view.narrow(dataclasses.replace(filters, now=now), now)
    return narrowed if filters.sort else dataclasses.replace(narrowed, sort=view.sort)


def count_key(*, user: User, name: str) -> str:
    """The cache key of one of ``user``'s counts; the agent's own bulk changes start a new
    generation of keys (``queue_counts_forget``), so they see them at once."""
    generation = cache.get(f"{COUNTS_GENERATION}:{user.id}", 0)
    return f"desk:{name}:{user.id}:{generation}"


def queue_view_counts(*, user: User, now: datetime) -> dict[str, int]:
    """How many tickets each built-in view holds for ``user`` (at most ``COUNT_CAP + 1``)."""
    key = count_key(user=user, name="view-counts")
    counts: dict[str, int] | None = cache.get(key)
    if counts is None:
        counts = {view.slug: _view_count(user, view, now) for view in VIEWS}
        cache.set(key, counts, COUNT_TTL)
    return counts


def queue_list_count(*, user: User, filters: TicketFilters, query: str) -> int:
    """How many tickets a filtered list holds, counted once per ``COUNT_TTL`` for the same
    filters (``query``: the list's query string without its page, order and columns), however
    many of its pages the agent turns."""
    digest = hashlib.sha256(query.encode()).hexdigest()[:32]
    key = count_key(user=user, name=f"list-count:{digest}")
    total: int | None = cache.get(key)
    if total is None:
        total = ticket_count_for_user(user=user, filters=filters, cap=COUNT_CAP)
        cache.set(key, total, COUNT_TTL)
    return total


def _view_count(user: User, view: QueueView, now: datetime) -> int:
    if view.count is not None and user.is_support_staff:
        return view.count(COUNT_CAP)
    return ticket_count_for_user(
        user=user,
        filters=queue_filters(view=view, filters=TicketFilters(sort=""), now=now),
        cap=COUNT_CAP,
    )


_TIER_AUDIENCE = {1: Audience.TIER_1, 2: Audience.TIER_2, 3: Audience.TIER_3}


def saved_view_list_for_user(*, user: User) -> tuple[list[SavedView], list[SavedView]]:
    """The views ``user`` saved, and those others shared with everyone or with their tier."""
    mine = list(SavedView.objects.filter(owner=user).order_by("position", "id"))
    audiences = [Audience.EVERYONE]
    if user.tier in _TIER_AUDIENCE:
        audiences.append(_TIER_AUDIENCE[user.tier])
    shared = list(
        SavedView.objects.filter(audience__in=audiences)
        .exclude(owner=user)
        .select_related("owner")
        .order_by("position", "id")
    )
    return mine, shared


def saved_view_get_for_editor(*, user: User, view_id: str | None) -> SavedView:
    """The gate for changing a view: its owner, or a lead or admin for a shared one. Anyone
    else, and a missing view, get the same 404."""
    number = parse_id(view_id)
    view = SavedView.objects.filter(id=number).first() if number is not None else None
    if view is None or not saved_view_editable(user=user, view=view):
        raise NotFound("view_not_found", "That view was not found.")
    return view


def saved_view_editable(*, user: User, view: SavedView) -> bool:
    return view.owner_id == user.id or (
        view.audience != Audience.PRIVATE and user.role in (Role.LEAD, Role.ADMIN)
    )


def ticket_unread_ids(*, user: User, tickets: Iterable[Ticket]) -> set[int]:
    """Which of ``tickets`` changed since ``user`` last opened them (or were never opened)."""
    tickets = list(tickets)
    seen = dict(
        TicketSeen.objects.filter(user=user, ticket_id__in=[t.id for t in tickets]).values_list(
            "ticket_id", "seen_at"
        )
    )
    return {t.id for t in tickets if t.id not in seen or t.last_activity_at > seen[t.id]}


@dataclass(frozen=True)
class SearchResults:
    """The desk's search page: what one query finds, grouped."""

    tickets: list[TicketHit]
    people: list[User]
    organizations: list[Organization]
    articles: list[Article]

    @property
    def is_empty(self) -> bool:
        return not (self.tickets or self.people or self.organizations or self.articles)


def desk_search(*, user: User, text: str, limit: int = SEARCH_TICKETS) -> SearchResults:
    """Tickets (ranked, with the passage that matched), people, organizations and
    knowledge-base articles for the search box; each group read through its own gate.
    Raises ValidationFailed (field ``q``) for a query that is too long."""
    tickets = ticket_search_for_user(user=user, text=text, limit=limit)
    return SearchResults(
        tickets=tickets,
        people=person_search_for_user(user=user, text=text, limit=SEARCH_OTHERS),
        organizations=organization_search_for_user(user=user, text=text, limit=SEARCH_OTHERS),
        articles=kb_search(
            user=user, text=text, restriction=kb_restriction_for(user=user), limit=SEARCH_OTHERS
        )
        if text.strip()
        else [],
    )


def ticket_number_opened(*, user: User, text: str) -> int | None:
    """The ticket the search box names by number alone (``#123`` or ``123``), when ``user``
    may open it; None otherwise (the text is searched instead)."""
    number = parse_id(text.strip().removeprefix("#"))
    if number is None or not ticket_visible(user=user).filter(id=number).exists():
        return None
    return number
