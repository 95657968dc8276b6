"""The desk's notification pages: the list, opening one, "mark all read", the bell's count,
each person's email choices; following a ticket and CC'ing customers on it."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.accounts.models import User
from lifebuoy.core.parsing import parse_id
from lifebuoy.core.views import ServiceCall
from lifebuoy.notifications.models import EmailChoice
from lifebuoy.notifications.staff import following, selectors, services
from lifebuoy.notifications.staff.forms import CcForm, FollowForm, PreferencesForm
from lifebuoy.tickets.selectors import ticket_get_for_user

PAGE = 50
STOP_POLLING = 286  # htmx stops an ``every 30s`` trigger on this status


@staff_required
def notification_list_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    notifications = selectors.notification_list_for_user(user=user)
    before = parse_id(request.GET.get("before", ""))
    if before is not None:
        notifications = notifications.filter(id__lt=before)
    page = list(notifications[: PAGE + 1])
    context = {
        "notifications": page[:PAGE],
        "older": page[PAGE - 1].id if len(page) > PAGE else None,
        "unread": selectors.notification_unread_count(user=user),
    }
    return render(request, "notifications/staff/list.html", context)


@staff_required
def notification_open_view(request: WSGIRequest, notification_id: int) -> HttpResponse:
    """Opening a notification marks it read and goes to its ticket."""
    user = signed_in_user(request)
    notification = selectors.notification_get_for_user(user=user, notification_id=notification_id)
    services.notification_mark_read(notification=notification, now=timezone.now())
    return redirect("desk:detail", ticket_id=notification.ticket_id)


@staff_required
@require_POST
def notification_read_all_view(request: WSGIRequest) -> HttpResponse:
    marked = services.notification_mark_all_read(user=signed_in_user(request), now=timezone.now())
    messages.success(request, "All read." if marked else "Nothing was unread.")
    return redirect("staff_notifications:list")


def notification_bell_view(request: WSGIRequest) -> HttpResponse:
    """The bell, refreshed in place by the top bar every 30 s. Signed out (or not staff), the
    bell goes away and the polling stops, rather than swapping a sign-in page into the bar."""
    user = request.user
    if not isinstance(user, User) or not user.is_support_staff:
        return HttpResponse("", status=STOP_POLLING)
    unread = selectors.notification_unread_count(user=user)
    return render(request, "notifications/staff/_bell.html", {"unread": unread})


@staff_required
def notification_preferences_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    current = selectors.notification_preferences_for_user(user=user)
    form = PreferencesForm(request.POST or None, initial_choices=current)
    call = ServiceCall(request, form)
    if request.method == "POST" and form.is_valid():
        with call:
            services.notification_preferences_save(user=user, choices=form.cleaned_data)
            messages.success(request, "Your notification choices are saved.")
            return redirect("staff_notifications:preferences")
    context = {"form": form, "choices": EmailChoice.choices}
    status = 400 if form.errors else 200
    return render(request, "notifications/staff/preferences.html", context, status=status)


@staff_required
@require_POST
def ticket_follow_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = FollowForm(request.POST)
    if form.is_valid() and form.cleaned_data["follow"]:
        following.ticket_follow(ticket=ticket, user=user, now=timezone.now())
        messages.success(request, f"You follow {ticket.number}: you hear of customers' replies.")
    else:
        following.ticket_unfollow(ticket=ticket, user=user)
        messages.success(request, f"You no longer follow {ticket.number}.")
    return redirect("desk:detail", ticket_id=ticket.id)


@staff_required
@require_POST
def ticket_cc_add_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    form = CcForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not CC'd: enter the customer's email address.")
        return redirect("desk:detail", ticket_id=ticket.id)
    with ServiceCall(request):
        email = form.cleaned_data["email"]
        following.ticket_cc_add(ticket=ticket, actor=user, email=email, now=timezone.now())
        messages.success(request, f"{email} is CC'd on {ticket.number}.")
    return redirect("desk:detail", ticket_id=ticket.id)


@staff_required
@require_POST
def ticket_cc_remove_view(request: WSGIRequest, ticket_id: int, user_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    following.ticket_cc_remove(ticket=ticket, actor=user, user_id=user_id)
    messages.success(request, "The CC is removed.")
    return redirect("desk:detail", ticket_id=ticket.id)
