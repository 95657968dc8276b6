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
from lifebuoy.core.markdown import render_markdown
from lifebuoy.core.views import ServiceCall
from lifebuoy.desk.forms import (
    StaffReplyForm,
    StaffTicketCreateForm,
    TicketUpdateForm,
)
from lifebuoy.desk.panel_rows import panel_rows
from lifebuoy.desk.requester import requester_panel
from lifebuoy.desk.services import Reply, ticket_reply_send, tickets_seen
from lifebuoy.desk.timeline import Post, ticket_timeline
from lifebuoy.macros.selectors import macro_chosen_for_user
from lifebuoy.sla.selectors import sla_clock_list_for_ticket
from lifebuoy.tickets import selectors, services
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.search.selectors import similar_ticket_list_for_user


def _detail_context(
    user: User, ticket: Ticket, update_form: TicketUpdateForm | None = None
) -> dict[str, object]:
    """The ticket page's context; ``update_form`` by default shows the ticket's values."""
    now = timezone.now()
    panels = panel_rows(
        ticket_id=ticket.id, viewer_id=user.id, organization_id=ticket.organization_id
    )
    timeline = ticket_timeline(user=user, ticket=ticket, attachments=panels.attachments)
    return {
        "ticket": ticket,
        "panels": panels,
        "follow_ups": list(ticket.follow_ups.all()) if panels.follow_ups else [],
        "update_form": update_form
        or TicketUpdateForm.for_ticket(services.ticket_field_values(ticket, tagged=panels.tags)),
        "timeline": timeline,
        # The newest message on the page: presence reports any that arrive after it.
        "last_message_id": max((e.message.id for e in timeline if isinstance(e, Post)), default=0),
        "requester": requester_panel(
            user=user, ticket=ticket, now=now, deployments=panels.deployments
        ),
        "sla_clocks": sla_clock_list_for_ticket(ticket=ticket, now=now),
        "similar": similar_ticket_list_for_user(user=user, ticket=ticket),
    }


@staff_required
def ticket_detail_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    context = _detail_context(user, ticket)
    context.update(reply_form=StaffReplyForm())
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
        data = form.cleaned_data
        with call:
            ticket_reply_send(
                ticket=ticket,
                actor=user,
                reply=Reply(
                    body=data["body"],
                    is_internal=data["is_internal"],
                    files=data["attachments"],
                    then_status=data["then_status"],
                ),
                macro=macro_chosen_for_user(user=user, macro_id=request.POST.get("macro")),
                now=timezone.now(),
            )
            messages.success(request, _sent_words(data["is_internal"], data["then_status"]))
            return redirect("desk:detail", ticket_id=ticket.id)
    context = _detail_context(user, ticket)
    context.update(reply_form=form)
    return render(request, "desk/detail.html", context, status=call.status(400))


@staff_required
@require_POST
def ticket_update_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    """Save what the agent changed. A field someone else changed since the page loaded is a
    conflict: the page comes back with the agent's input and what the other person did."""
    user = signed_in_user(request)
    ticket = selectors.ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = TicketUpdateForm(request.POST)
    if not form.is_valid():
        messages.error(request, "The change was not saved: " + form.errors.as_text())
        return redirect("desk:detail", ticket_id=ticket.id)
    with ServiceCall(request) as call:
        services.ticket_update(
            ticket=ticket,
            actor=user,
            changes=form.changes(),
            seen=form.seen(),
            now=timezone.now(),
        )
        messages.success(request, "Ticket updated.")
        return redirect("desk:detail", ticket_id=ticket.id)
    # Keep the agent's input; what they saw is now what is there, so saving again is a choice.
    data = request.POST.copy()
    for name, value in services.ticket_field_values(ticket).items():
        data[f"seen_{name}"] = value
    context = _detail_context(user, ticket, TicketUpdateForm(data))
    context.update(reply_form=StaffReplyForm())
    status = call.error.http_status if call.error is not None else 409
    return render(request, "desk/detail.html", context, status=status)


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


def _sent_words(is_internal: bool, then_status: str) -> str:
    sent = "Note added" if is_internal else "Reply sent"
    if then_status:
        return f"{sent}; the ticket is now {Status(then_status).label.lower()}."
    return f"{sent}."


@staff_required
@require_POST
def reply_preview_view(request: WSGIRequest) -> HttpResponse:
    """The composer's text as it will read, rendered and sanitized as a sent message is."""
    html = render_markdown(request.POST.get("body", ""))
    return render(request, "desk/_preview.html", {"html": html})


def _requester(email: str) -> User:
    try:
        return customer_get(email=email)
    except NotFound:
        message = "No customer has this email address."
        raise ValidationFailed.for_fields({"requester_email": message}) from None
