from django.contrib import admin

from .models import Deployment, ModelPrice, Problem


@admin.register(Deployment)
class DeploymentAdmin(admin.ModelAdmin[Deployment]):
    list_display = ("name", "organization", "has_read_consent", "last_polled_at", "next_poll_at")
    list_filter = ("has_read_consent", "is_active")
    search_fields = ("name", "repository", "organization__name")
    readonly_fields = (
        "consent_by",
        "mirror_path",
        "last_polled_at",
        "last_polled_commit",
        "last_refs_digest",
        "last_full_run_at",
        "last_poll_error",
        "usage_token_prefix",
        "usage_token_hash",
    )


@admin.register(ModelPrice)
class ModelPriceAdmin(admin.ModelAdmin[ModelPrice]):
    """The editable price table: per million input and output tokens."""

    list_display = ("model", "input_per_million", "output_per_million", "updated_at")
    list_editable = ("input_per_million", "output_per_million")
    search_fields = ("model",)


@admin.register(Problem)
class ProblemAdmin(admin.ModelAdmin[Problem]):
    list_display = ("deployment", "kind", "severity", "opened_at", "cleared_at", "ticket")
    list_filter = ("kind", "severity")
    readonly_fields = ("deployment", "kind", "severity", "summary", "ticket", "opened_at")
