"""Slack Connect in the admin: channels and staff links (saved through the services' rules),
and the event log, read-only."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.forms import ModelForm
from django.http import HttpRequest
from django.utils import timezone

from lifebuoy.integrations.slack.models import SlackChannel, SlackEvent, SlackThread, SlackUser


@admin.register(SlackChannel)
class SlackChannelAdmin(admin.ModelAdmin[SlackChannel]):
    list_display = ("__str__", "channel_id", "organization", "resolve_emoji", "is_active")
    list_filter = ("is_active",)
    search_fields = ("channel_id", "name", "organization__name")
    readonly_fields = ("connected_by", "created_at")

    def save_model(
        self, request: HttpRequest, obj: SlackChannel, form: ModelForm[Any], change: bool
    ) -> None:
        if not change:
            obj.created_at = timezone.now()
            obj.connected_by = request.user  # type: ignore[assignment]  # the admin signs in Users
        obj.channel_id = obj.channel_id.strip().upper()
        obj.resolve_emoji = obj.resolve_emoji.strip().strip(":").lower()
        super().save_model(request, obj, form, change)


@admin.register(SlackUser)
class SlackUserAdmin(admin.ModelAdmin[SlackUser]):
    list_display = ("slack_user_id", "user", "email", "is_from_slack", "linked_by")
    search_fields = ("slack_user_id", "email", "user__email", "user__full_name")
    raw_id_fields = ("user",)
    readonly_fields = ("linked_by", "created_at", "is_from_slack")

    def save_model(
        self, request: HttpRequest, obj: SlackUser, form: ModelForm[Any], change: bool
    ) -> None:
        if not change:
            obj.created_at = timezone.now()
        if "user" in form.changed_data:
            obj.linked_by = request.user  # type: ignore[assignment]  # idem
        super().save_model(request, obj, form, change)


@admin.register(SlackThread)
class SlackThreadAdmin(admin.ModelAdmin[SlackThread]):
    list_display = ("ticket", "channel", "thread_ts", "created_at")
    raw_id_fields = ("ticket",)
    readonly_fields = ("channel", "thread_ts", "ticket", "permalink", "created_at")


@admin.register(SlackEvent)
class SlackEventAdmin(admin.ModelAdmin[SlackEvent]):
    list_display = (
        "event_id",
        "event_type",
        "channel_id",
        "status",
        "reason",
        "repeats",
        "received_at",
    )
    list_filter = ("status", "event_type")
    search_fields = ("event_id", "channel_id", "reason")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: SlackEvent | None = None) -> bool:
        return False
