"""The customer portal: the tickets a customer may see, searching them, a new ticket, replies,
resolving, reopening, and CC'ing colleagues. Every ticket page goes through the ticket gate."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import customer_required, signed_in_user
from lifebuoy.core.views import ServiceCall
from lifebuoy.kb.views import kb_record_submitted
from lifebuoy.notifications.staff.following import ticket_cc_add, ticket_cc_remove
from lifebuoy.tickets import selectors, services
from lifebuoy.tickets.forms import ReplyForm, TicketCreateForm
from lifebuoy.tickets.models import Status, Ticket

from .forms import CcAddForm, TicketSearchForm
from .selectors import portal_ticket_facts, portal_ticket_page


def _upload_limit() -> dict[str, int]:
    limit: int = settings.LIFEBUOY_MAX_ATTACHMENT_BYTES
    return {"max_bytes": limit, "max_mb": limit // (1024 * 1024)}


@customer_required
def ticket_list_view(request: WSGIRequest) -> HttpResponse:
    form = TicketSearchForm(request.GET)
    page = None
    with ServiceCall(request, form) as call:
        if form.is_valid():
            page = portal_ticket_page(
                user=signed_in_user(request),
                text=form.cleaned_data["q"],
                show=form.cleaned_data["show"] or "open",
                cursor=request.GET.get("cursor"),
            )
    context = {"form": form, "page": page, "show": request.GET.get("show") or "open"}
    status = 200 if page is not None and not call.failed else 400
    return render(request, "portal/list.html", context, status=status)


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
    context = {"form": form, **_upload_limit()}
    return render(request, "portal/create.html", context, status=call.status(200))


def _detail(
    request: WSGIRequest,
    ticket_id: int,
    *,
    reply_form: ReplyForm | None = None,
    cc_form: forms.Form | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    context = {
        "ticket": ticket,
        "conversation": selectors.message_list_for_user(user=user, ticket=ticket),
        "facts": portal_ticket_facts(user=user, ticket=ticket, now=timezone.now()),
        "reply_form": reply_form or ReplyForm(),
        "cc_form": cc_form or CcAddForm(),
        "reopen_days": settings.LIFEBUOY_REOPEN_DAYS,
        "autoclose_days": settings.LIFEBUOY_AUTOCLOSE_DAYS,
        **_upload_limit(),
    }
    return render(request, "portal/detail.html", context, status=status)


@customer_required
def ticket_detail_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    return _detail(request, ticket_id)


@customer_required
@require_POST
def ticket_reply_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = ReplyForm(request.POST, request.FILES)
    call = ServiceCall(request, form)
    if form.is_valid():
        with call:
            reply = services.ticket_reply(
                ticket=ticket,
                author=user,
                body=form.cleaned_data["body"],
                files=form.cleaned_data["attachments"],
                now=timezone.now(),
            )
            messages.success(request, _reply_sent_text(ticket, reply))
            return redirect("portal:detail", ticket_id=reply.ticket.id)
    return _detail(request, ticket_id, reply_form=form, status=call.status(400))


def _reply_sent_text(ticket: Ticket, reply: services.Reply) -> str:
    if not reply.is_follow_up:
        return "Reply sent."
    days = settings.LIFEBUOY_REOPEN_DAYS
    did = "opened" if reply.created else "was added to"
    return (
        f"Ticket {ticket.number} was resolved more than {days} days ago, so your reply {did} "
        f"ticket {reply.ticket.number}, which follows up on it."
    )


@customer_required
@require_POST
def ticket_confirm_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        ticket = services.ticket_confirm_resolved(ticket=ticket, actor=user, now=timezone.now())
        if ticket.status == Status.CLOSED:
            messages.success(request, "Thank you. The ticket is closed.")
        else:
            messages.success(request, "Thank you. The ticket is resolved.")
    return redirect("portal:detail", ticket_id=ticket.id)


@customer_required
@require_POST
def ticket_reopen_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        services.ticket_reopen(ticket=ticket, actor=user, now=timezone.now())
        messages.success(request, "The ticket is open again. We will get back to you here.")
    return redirect("portal:detail", ticket_id=ticket.id)


@customer_required
@require_POST
def ticket_cc_add_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = CcAddForm(request.POST)
    call = ServiceCall(request, form)
    if form.is_valid():
        with call:
            email = form.cleaned_data["email"]
            ticket_cc_add(ticket=ticket, actor=user, email=email, now=timezone.now())
            messages.success(request, f"{email} is CC'd and gets this ticket's replies by email.")
            return redirect("portal:detail", ticket_id=ticket.id)
    return _detail(request, ticket_id, cc_form=form, status=400)


@customer_required
@require_POST
def ticket_cc_remove_view(request: WSGIRequest, ticket_id: int, user_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        ticket_cc_remove(ticket=ticket, actor=user, user_id=user_id)
        messages.success(request, "No longer CC'd on this ticket.")
    return redirect("portal:detail", ticket_id=ticket.id)
