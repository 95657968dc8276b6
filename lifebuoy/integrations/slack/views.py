"""The desk's Slack page (/desk/slack/, support leads and admins): connected channels, the
staff accounts linked to Slack, and the events that were ignored or failed, with why."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.views import ServiceCall
from lifebuoy.integrations.slack import selectors, services
from lifebuoy.integrations.slack.forms import (
    SlackChannelConnectForm,
    SlackChannelEditForm,
    SlackStaffLinkForm,
)
from lifebuoy.integrations.slack.models import EventStatus


def _page(
    request: WSGIRequest,
    connect: SlackChannelConnectForm | None = None,
    link: SlackStaffLinkForm | None = None,
    status: int = 200,
) -> HttpResponse:
    user = signed_in_user(request)
    shown = request.GET.get("status", "")
    shown = shown if shown in dict(EventStatus.choices) else ""
    context = {
        "channels": selectors.slack_channel_list_for_user(user=user),
        "links": selectors.slack_staff_link_list_for_user(user=user),
        "events": selectors.slack_event_log_for_user(user=user, status=shown),
        "statuses": [(s, EventStatus(s).label) for s in selectors.LOGGED],
        "shown": shown,
        "connect": connect
        or SlackChannelConnectForm(organizations=selectors.slack_organization_choices(user=user)),
        "link": link or SlackStaffLinkForm(staff=selectors.slack_staff_choices(user=user)),
    }
    return render(request, "slack/settings.html", context, status=status)


@staff_required
def slack_settings_view(request: WSGIRequest) -> HttpResponse:
    return _page(request)


@staff_required
@require_POST
def slack_channel_connect_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    organizations = selectors.slack_organization_choices(user=user)
    form = SlackChannelConnectForm(request.POST, organizations=organizations)
    if form.is_valid():
        with ServiceCall(request, form):
            channel = services.slack_channel_connect(
                actor=user, now=timezone.now(), **form.cleaned_data
            )
            messages.success(request, f"Connected {channel} to {channel.organization.name}.")
            return redirect("slack:settings")
    return _page(request, connect=form, status=400)


@staff_required
def slack_channel_edit_view(request: WSGIRequest, channel_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    channel = selectors.slack_channel_get_for_user(user=user, channel_pk=channel_pk)
    initial = {
        "name": channel.name,
        "resolve_emoji": channel.resolve_emoji,
        "is_active": channel.is_active,
    }
    form = SlackChannelEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form):
            services.slack_channel_update(actor=user, channel=channel, **form.cleaned_data)
            messages.success(request, f"Saved {channel}.")
            return redirect("slack:settings")
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "channel": channel}
    return render(request, "slack/channel_edit.html", context, status=status)


@staff_required
@require_POST
def slack_staff_link_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    form = SlackStaffLinkForm(request.POST, staff=selectors.slack_staff_choices(user=user))
    if form.is_valid():
        with ServiceCall(request, form):
            link = services.slack_staff_link(actor=user, now=timezone.now(), **form.cleaned_data)
            messages.success(
                request, f"{link.slack_user_id} now speaks for {link.user.display_name}."
            )
            return redirect("slack:settings")
    return _page(request, link=form, status=400)


@staff_required
@require_POST
def slack_staff_unlink_view(request: WSGIRequest, link_pk: int) -> HttpResponse:
    user = signed_in_user(request)
    link = selectors.slack_staff_link_get_for_user(user=user, link_pk=link_pk)
    services.slack_staff_unlink(actor=user, link=link)
    messages.success(request, f"Unlinked {link.slack_user_id}.")
    return redirect("slack:settings")
