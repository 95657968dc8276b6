"""The customer portal: the organization's tickets, public replies, and the customer's actions."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import customer_required, signed_in_user
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.views import ServiceCall
from lifebuoy.kb.views import kb_record_submitted
from lifebuoy.sla.selectors import sla_clock_list_for_user
from lifebuoy.tickets import selectors, services
from lifebuoy.tickets.forms import ReplyForm, TicketCreateForm
from lifebuoy.tickets.models import OPEN_STATUSES


@customer_required
def ticket_list_view(request: WSGIRequest) -> HttpResponse:
    show = request.GET.get("show", "open")
    statuses = tuple(OPEN_STATUSES) if show == "open" else ()
    try:
        page = selectors.ticket_list_for_user(
            user=signed_in_user(request),
            filters=selectors.TicketFilters(status=statuses, sort="activity"),
            cursor=request.GET.get("cursor"),
        )
    except ValidationFailed as exc:
        for message in exc.extra["fields"].values():
            messages.error(request, message)
        empty = selectors.TicketPage(items=[], next_cursor=None)
        return render(request, "portal/list.html", {"page": empty, "show": show}, status=400)
    return render(request, "portal/list.html", {"page": page, "show": show})


@customer_required
def ticket_create_view(request: WSGIRequest) -> HttpResponse:
    form = TicketCreateForm(request.POST or None, request.FILES or None)
    call = ServiceCall(request, form)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with call:
            ticket = services.ticket_create(
                actor=signed_in_user(request),
                now=timezone.now(),
                files=data["attachments"],
                data=services.NewTicket(
                    subject=data["subject"],
                    description=data["description"],
                    priority=data["priority"],
                    category=data["category"],
                    channel="portal",
                    deployment_url=data["deployment_url"],
                ),
            )
            kb_record_submitted(request, ticket)
            messages.success(request, f"Ticket {ticket.number} is open. We will reply here.")
            return redirect("portal:detail", ticket_id=ticket.id)
    return render(request, "portal/create.html", {"form": form}, status=call.status(200))


def _detail(
    request: WSGIRequest, ticket_id: int, form: ReplyForm, status: int = 200
) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    conversation = selectors.message_list_for_user(user=user, ticket=ticket)
    targets = sla_clock_list_for_user(user=user, ticket=ticket, now=timezone.now())
    return render(
        request,
        "portal/detail.html",
        {"ticket": ticket, "conversation": conversation, "reply_form": form, "targets": targets},
        status=status,
    )


@customer_required
def ticket_detail_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    return _detail(request, ticket_id, ReplyForm())


@customer_required
@require_POST
def ticket_reply_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    call = ServiceCall(request, form)
    if form.is_valid():
        with call:
            services.message_add(
                ticket=ticket,
                author=user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
                now=timezone.now(),
            )
            messages.success(request, "Reply sent.")
            return redirect("portal:detail", ticket_id=ticket.id)
    return _detail(request, ticket_id, form, status=call.status(400))


@customer_required
@require_POST
def ticket_confirm_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        services.ticket_confirm_resolved(ticket=ticket, actor=user, now=timezone.now())
        messages.success(request, "Thank you. The ticket is closed.")
    return redirect("portal:detail", ticket_id=ticket.id)
