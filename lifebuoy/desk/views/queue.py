"""The queue: its views and counts, filters, pages, bulk changes and the search box."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.accounts.models import User
from lifebuoy.core.parsing import parse_id
from lifebuoy.core.views import ServiceCall
from lifebuoy.desk import selectors as desk_selectors
from lifebuoy.desk.forms import (
    BulkForm,
    QueueFilterForm,
    SaveViewForm,
)
from lifebuoy.desk.models import SavedView
from lifebuoy.desk.paging import page_links, trail_parse
from lifebuoy.desk.selectors import QueueView
from lifebuoy.desk.services import queue_counts_forget, tickets_seen
from lifebuoy.desk.views.saved import saved_view_url
from lifebuoy.tickets import selectors, services
from lifebuoy.tickets.services import BULK_MAX

PAGE_SIZE = 50


@staff_required
def queue_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    now = timezone.now()
    form, view, filters = _queue_of(request.GET, now)
    cursor = request.GET.get("cursor")  # an empty one is refused, as the API refuses it
    trail = trail_parse(request.GET.get("trail", ""))
    page, total = selectors.TicketPage(items=[], next_cursor=None), 0
    with ServiceCall(request, form) as call:
        page = selectors.ticket_list_for_user(
            user=user, filters=filters, cursor=cursor, limit=PAGE_SIZE
        )
        total = _total(request, user, view, filters, now)
    links = page_links(
        request.GET,
        cursor=cursor,
        next_cursor=page.next_cursor,
        trail=trail,
        page_size=PAGE_SIZE,
    )
    status = 400 if call.failed or (form.is_bound and not form.is_valid()) else 200
    context = {
        "form": form,
        **_nav(request, user, view, now),
        "save_form": SaveViewForm(initial={"query": request.GET.urlencode()}),
        "page": page,
        "unread": desk_selectors.ticket_unread_ids(user=user, tickets=page.items),
        "total": total,
        "links": links,
        "end": links.start + len(page.items) - 1,
        "sort": filters.sort,
        "columns": form.shown_columns(),
        "filters_in_use": _filters_in_use(request),
        "sort_links": _sort_links(request, filters.sort),
        "bulk_form": BulkForm(initial={"query": request.GET.urlencode()}, people=form.people),
        "now": now,
    }
    return render(request, "desk/queue.html", context, status=status)


def _total(
    request: WSGIRequest,
    user: User,
    view: QueueView,
    filters: selectors.TicketFilters,
    now: datetime,
) -> int:
    """How many tickets the list holds: a plain view's is the count beside it; a filtered
    list is counted once per ``COUNT_TTL`` for its filters, however many pages the agent
    turns."""
    if _filters_in_use(request) == 0:
        return desk_selectors.queue_view_counts(user=user, now=now)[view.slug]
    query = request.GET.copy()
    for name in ("cursor", "trail", "sort", "columns"):
        query.pop(name, None)
    return desk_selectors.queue_list_count(user=user, filters=filters, query=query.urlencode())


def _queue_of(
    params: QueryDict, now: datetime
) -> tuple[QueueFilterForm, QueueView, selectors.TicketFilters]:
    """The queue's filter form, view and ticket filters for these query parameters."""
    form = QueueFilterForm(params or None)
    view = desk_selectors.queue_view_get(form.data.get("view", ""))
    return (
        form,
        view,
        desk_selectors.queue_filters(view=view, filters=form.ticket_filters(), now=now),
    )


@staff_required
@require_POST
def bulk_update_view(request: WSGIRequest) -> HttpResponse:
    """Change the ticked tickets, or every ticket of the queue the agent was looking at."""
    user = signed_in_user(request)
    now = timezone.now()
    form = BulkForm(request.POST)
    query = QueryDict(request.POST.get("query", ""))
    back = reverse("desk:queue") + (f"?{query.urlencode()}" if query else "")
    if not form.is_valid():
        messages.error(request, "Nothing was changed: " + form.errors.as_text())
        return redirect(back)
    ids = form.cleaned_data["ticket"]
    if form.cleaned_data["all_matching"]:
        _, _, filters = _queue_of(query, now)
        ids = selectors.ticket_ids_for_user(user=user, filters=filters, limit=BULK_MAX + 1)
    with ServiceCall(request):
        changed = services.ticket_bulk_update(
            actor=user, ticket_ids=ids, changes=form.changes(), now=now
        )
        messages.success(request, f"Updated {changed:,} ticket{pluralize(changed)}.")
        tickets_seen(user=user, ticket_ids=ids, now=now)  # their own change is not news
        queue_counts_forget(user=user)  # and their counts show it at once
    return redirect(back)


@staff_required
def view_counts_view(request: WSGIRequest) -> HttpResponse:
    """The views and their counts, for the queue to refresh in place."""
    user = signed_in_user(request)
    view = desk_selectors.queue_view_get(request.GET.get("view", ""))
    context = _nav(request, user, view, timezone.now())
    return render(request, "desk/_views_nav.html", context)


def _nav(request: WSGIRequest, user: User, view: QueueView, now: datetime) -> dict[str, Any]:
    """The views beside the queue, each with its count, and which one is open."""
    counts = desk_selectors.queue_view_counts(user=user, now=now)
    mine, shared = desk_selectors.saved_view_list_for_user(user=user)
    saved = _saved_counts(user, [*mine, *shared], now)
    open_saved = parse_id(request.GET.get("saved"))
    opened = next((v for v in [*mine, *shared] if v.id == open_saved), None)
    return {
        "view": view,
        "nav_view": None if opened else view,
        "opened_saved": opened,
        "views": [(v, counts[v.slug]) for v in desk_selectors.VIEWS],
        "saved_mine": [(v, saved[v.id], saved_view_url(v)) for v in mine],
        "saved_shared": [(v, saved[v.id], saved_view_url(v)) for v in shared],
    }


def _saved_counts(user: User, views: list[SavedView], now: datetime) -> dict[int, int]:
    """Each saved view's count, cached like the built-in ones (a new view is counted at once)."""
    key = desk_selectors.count_key(user=user, name="saved-counts")
    counts: dict[int, int] = cache.get(key) or {}
    if any(v.id not in counts for v in views):
        counts = {
            v.id: selectors.ticket_count_for_user(
                user=user,
                filters=_queue_of(QueryDict(v.query), now)[2],
                cap=desk_selectors.COUNT_CAP,
            )
            for v in views
        }
        cache.set(key, counts, desk_selectors.COUNT_TTL)
    return counts


def _filters_in_use(request: WSGIRequest) -> int:
    """How many filters the agent set (the view, the order and the page are not filters)."""
    skip = {"view", "sort", "columns", "cursor", "trail"}
    return sum(1 for name, values in request.GET.lists() if name not in skip and any(values))


def _sort_links(request: WSGIRequest, current: str) -> dict[str, str]:
    """For each sortable column, the query that sorts by it (keeping the filters, from page 1)."""
    links = {}
    for key in ("newest", "priority", "activity", "deadline"):
        query = request.GET.copy()
        for name in ("cursor", "trail"):
            query.pop(name, None)
        query["sort"] = "oldest" if key == "newest" and current == "newest" else key
        links[key] = query.urlencode()
    return links
