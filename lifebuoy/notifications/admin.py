from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from lifebuoy.core.errors import ValidationFailed

from .models import (
    Delivery,
    InboundEmail,
    MessageTemplate,
    Notification,
    NotificationPreference,
    TicketCc,
    TicketFollower,
    WebhookEndpoint,
)
from .services.templates import template_validate


class MessageTemplateForm(forms.ModelForm[MessageTemplate]):
    class Meta:
        model = MessageTemplate
        fields = ("key", "name", "subject", "body")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        try:
            template_validate(subject=data.get("subject", ""), body=data.get("body", ""))
        except ValidationFailed as exc:
            raise ValidationError(exc.extra["fields"]) from exc
        return data


@admin.register(MessageTemplate)
class MessageTemplateAdmin(admin.ModelAdmin[MessageTemplate]):
    form = MessageTemplateForm
    list_display = ("name", "key", "subject", "updated_at", "updated_by")


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("id", "kind", "status", "target", "attempts", "next_attempt_at", "sent_at")
    list_filter = ("kind", "status")
    search_fields = ("idempotency_key", "target", "message_id")
    readonly_fields = ("idempotency_key", "message_id", "claim_token", "claimed_at", "sent_at")


@admin.register(InboundEmail)
class InboundEmailAdmin(admin.ModelAdmin[InboundEmail]):
    list_display = ("id", "message_id", "envelope_from", "status", "reason", "received_at")
    list_filter = ("status",)
    search_fields = ("message_id", "envelope_from")
    exclude = ("raw",)


@admin.register(WebhookEndpoint)
class WebhookEndpointAdmin(admin.ModelAdmin[WebhookEndpoint]):
    list_display = ("url", "organization", "is_active")
    list_filter = ("is_active",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("id", "recipient", "kind", "ticket", "email_state", "created_at", "read_at")
    list_filter = ("kind", "email_state")
    search_fields = ("key", "recipient__email", "text")
    raw_id_fields = ("recipient", "ticket", "actor")


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(admin.ModelAdmin[NotificationPreference]):
    list_display = ("user", "kind", "email")
    list_filter = ("kind", "email")
    raw_id_fields = ("user",)


@admin.register(TicketFollower)
class TicketFollowerAdmin(admin.ModelAdmin[TicketFollower]):
    list_display = ("ticket", "user", "created_at")
    raw_id_fields = ("ticket", "user")


@admin.register(TicketCc)
class TicketCcAdmin(admin.ModelAdmin[TicketCc]):
    list_display = ("ticket", "user", "added_by", "created_at")
    raw_id_fields = ("ticket", "user", "added_by")
