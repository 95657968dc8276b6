"""Time tracking on the desk: start and stop the timer, log time by hand, and the ticket's time
log. Same gate and services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.views import ServiceCall

from . import selectors, services
from .forms import TimeEntryForm


@staff_required
def ticket_time_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    """GET: the ticket's whole time log. POST: log time by hand; a refusal shows each field's
    error here, as a 400."""
    user, now = signed_in_user(request), timezone.now()
    ticket = selectors.time_ticket_get_for_user(user=user, ticket_id=ticket_id)
    posted = request.method == "POST"
    form = TimeEntryForm(request.POST if posted else None, initial={"worked_on": now.date()})
    if posted and form.is_valid():
        data = services.ManualTime(**form.cleaned_data)
        with ServiceCall(request, form):
            services.time_entry_add(ticket=ticket, agent=user, data=data, now=now)
            messages.success(request, f"{data.minutes} min logged.")
            return redirect("desk:detail", ticket_id=ticket.id)
    time = selectors.time_for_ticket(ticket=ticket, viewer=user, now=now)
    status = 400 if form.is_bound else 200
    return render(
        request, "timetracking/ticket_time.html", {"time": time, "form": form}, status=status
    )


@staff_required
@require_POST
def time_timer_start_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.time_ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        services.time_timer_start(ticket=ticket, agent=user, now=timezone.now())
        messages.success(request, f"Timer running on {ticket.number}.")
    return redirect("desk:detail", ticket_id=ticket.id)


@staff_required
@require_POST
def time_timer_stop_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = selectors.time_ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        entry = services.time_timer_stop(ticket=ticket, agent=user, now=timezone.now())
        messages.success(request, f"Timer stopped: {selectors.duration_text(entry.seconds or 0)}.")
    return redirect("desk:detail", ticket_id=ticket.id)


@staff_required
@require_POST
def time_entry_remove_view(request: WSGIRequest, ticket_id: int, entry_id: int) -> HttpResponse:
    user = signed_in_user(request)
    entry = selectors.time_entry_get_for_user(user=user, ticket_id=ticket_id, entry_id=entry_id)
    with ServiceCall(request):
        services.time_entry_remove(entry=entry, actor=user, now=timezone.now())
        messages.success(request, "Time entry removed.")
    return redirect("desk:detail", ticket_id=ticket_id)
