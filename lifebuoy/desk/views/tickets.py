"""A ticket on the desk: its page, replies and notes, changes, and logging a call."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.accounts.models import User
from lifebuoy.accounts.selectors import customer_get
from lifebuoy.core.errors import NotFound, ValidationFailed
from lifebuoy.core.views import ServiceCall
from lifebuoy.desk.forms import (
    StaffReplyForm,
    StaffTicketCreateForm,
    TicketUpdateForm,
)
from lifebuoy.desk.services import tickets_seen
from lifebuoy.sla.selectors import sla_clock_list_for_ticket
from lifebuoy.tickets import selectors, services
from lifebuoy.tickets.models import Ticket


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
    tickets_seen(user=user, ticket_ids=[ticket.id], now=timezone.now())
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
