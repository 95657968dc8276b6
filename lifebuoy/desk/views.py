"""The agent desk: the queue, a ticket, replies and changes. Same gates and services as the API."""

from __future__ import annotations

from datetime import datetime

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.accounts.models import User
from lifebuoy.accounts.selectors import customer_get, organization_list_for_user
from lifebuoy.core.errors import NotFound, ValidationFailed
from lifebuoy.core.parsing import parse_id
from lifebuoy.core.views import ServiceCall
from lifebuoy.sla.selectors import sla_clock_list_for_ticket
from lifebuoy.tickets import selectors, services
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import BULK_MAX

from . import selectors as desk_selectors
from .forms import (
    BulkForm,
    QueueFilterForm,
    StaffReplyForm,
    StaffTicketCreateForm,
    TicketUpdateForm,
)
from .paging import page_links, trail_parse
from .selectors import QueueView

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
        total = selectors.ticket_count_for_user(
            user=user, filters=filters, cap=desk_selectors.COUNT_CAP
        )
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
        "view": view,
        "views": _views_with_counts(user, now),
        "page": page,
        "total": total,
        "links": links,
        "end": links.start + len(page.items) - 1,
        "sort": filters.sort,
        "filters_in_use": _filters_in_use(request),
        "sort_links": _sort_links(request, filters.sort),
        "organizations": organization_list_for_user(user=user),
        "bulk_form": BulkForm(initial={"query": request.GET.urlencode()}),
        "now": now,
    }
    return render(request, "desk/queue.html", context, status=status)


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
    return redirect(back)


@staff_required
def search_view(request: WSGIRequest) -> HttpResponse:
    """The desk's search box: ``#123`` (or ``123``) opens that ticket; other text lists the
    tickets it matches, in every view."""
    text = request.GET.get("q", "").strip()
    number = parse_id(text.removeprefix("#"))
    if number is not None:
        user = signed_in_user(request)
        if selectors.ticket_visible(user=user).filter(id=number).exists():
            return redirect("desk:detail", ticket_id=number)
    query = QueryDict(mutable=True)
    query.update({"view": "all", "q": text})
    return redirect(reverse("desk:queue") + f"?{query.urlencode()}")


@staff_required
def view_counts_view(request: WSGIRequest) -> HttpResponse:
    """The views and their counts, for the queue to refresh in place."""
    user = signed_in_user(request)
    view = desk_selectors.queue_view_get(request.GET.get("view", ""))
    context = {"view": view, "views": _views_with_counts(user, timezone.now())}
    return render(request, "desk/_views_nav.html", context)


def _views_with_counts(user: User, now: datetime) -> list[tuple[QueueView, int]]:
    counts = desk_selectors.queue_view_counts(user=user, now=now)
    return [(view, counts[view.slug]) for view in desk_selectors.VIEWS]


def _filters_in_use(request: WSGIRequest) -> int:
    """How many filters the agent set (the view, the order and the page are not filters)."""
    skip = {"view", "sort", "cursor", "trail"}
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


def _detail_context(user: User, ticket: Ticket) -> dict[str, object]:
    return {
        "ticket": ticket,
        "conversation": selectors.message_list_for_user(user=user, ticket=ticket),
        "events": selectors.event_list_for_user(user=user, ticket=ticket),
        "sla_clocks": sla_clock_list_for_ticket(ticket=ticket, now=timezone.now()),
    }


@staff_required
def ticket_detail_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    update_form = TicketUpdateForm(
        initial={
            "status": ticket.status,
            "priority": ticket.priority,
            "category": ticket.category,
            "assignee": ticket.assignee_id,
            "tags": ", ".join(t.name for t in ticket.tags.all()),
        }
    )
    context = _detail_context(user, ticket)
    context.update(reply_form=StaffReplyForm(), update_form=update_form)
    return render(request, "desk/detail.html", context)


@staff_required
@require_POST
def ticket_reply_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = StaffReplyForm(request.POST, request.FILES)
    call = ServiceCall(request, form)
    if form.is_valid():
        with call:
            services.message_add(
                ticket=ticket,
                author=user,
                body=form.cleaned_data["body"],
                is_internal=form.cleaned_data["is_internal"],
                files=form.cleaned_data["attachments"],
                now=timezone.now(),
            )
            messages.success(
                request, "Note added." if form.cleaned_data["is_internal"] else "Reply sent."
            )
            return redirect("desk:detail", ticket_id=ticket.id)
    context = _detail_context(user, ticket)
    context.update(reply_form=form, update_form=TicketUpdateForm(initial={"status": ticket.status}))
    return render(request, "desk/detail.html", context, status=call.status(400))


@staff_required
@require_POST
def ticket_update_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = TicketUpdateForm(request.POST)
    if form.is_valid():
        assignee = form.cleaned_data["assignee"]
        changes = services.TicketChanges(
            status=form.cleaned_data["status"],
            priority=form.cleaned_data["priority"],
            category=form.cleaned_data["category"],
            assignee_id=assignee.id if assignee else None,
            unassign=assignee is None,
            tags=form.tag_list(),
        )
        with ServiceCall(request):
            services.ticket_update(ticket=ticket, actor=user, changes=changes, now=timezone.now())
            messages.success(request, "Ticket updated.")
    else:
        messages.error(request, "The change was not saved: " + form.errors.as_text())
    return redirect("desk:detail", ticket_id=ticket.id)


@staff_required
def ticket_create_view(request: WSGIRequest) -> HttpResponse:
    form = StaffTicketCreateForm(request.POST or None, request.FILES or None)
    call = ServiceCall(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with call:
            requester = _requester(data["requester_email"])
            ticket = services.ticket_create(
                actor=signed_in_user(request),
                requester=requester,
                now=timezone.now(),
                files=data["attachments"],
                data=services.NewTicket(
                    subject=data["subject"],
                    description=data["description"],
                    priority=data["priority"],
                    category=data["category"],
                    channel=data["channel"],
                    deployment_url=data["deployment_url"],
                ),
            )
            return redirect("desk:detail", ticket_id=ticket.id)
    return render(request, "desk/create.html", {"form": form}, status=call.status(200))


def _requester(email: str) -> User:
    try:
        return customer_get(email=email)
    except NotFound:
        message = "No customer has this email address."
        raise ValidationFailed.for_fields({"requester_email": message}) from None
