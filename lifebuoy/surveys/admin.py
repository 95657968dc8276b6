from django.contrib import admin
from django.http import HttpRequest

from .models import FollowUpTask, Survey


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin[Survey]):
    list_display = (
        "id",
        "kind",
        "contact",
        "organization",
        "ticket",
        "period_label",
        "sent_at",
        "rating",
        "answered_at",
    )
    list_filter = ("kind",)
    search_fields = ("contact__email", "ticket__id")
    raw_id_fields = ("contact", "organization", "ticket")
    exclude = ("token_hash",)
    readonly_fields = ("rating", "comment", "answered_at")

    def has_add_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False  # surveys are sent by the sweeps, each with its own secret link


@admin.register(FollowUpTask)
class FollowUpTaskAdmin(admin.ModelAdmin[FollowUpTask]):
    list_display = ("id", "survey", "status", "created_at", "done_at", "done_by")
    list_filter = ("status",)
    raw_id_fields = ("survey", "done_by")
