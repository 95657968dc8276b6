from django.contrib import admin

from .models import WeeklyReport


@admin.register(WeeklyReport)
class WeeklyReportAdmin(admin.ModelAdmin[WeeklyReport]):
    """Stored as generated; the desk page shows the report with current figures."""

    list_display = ("week", "starts_at", "generated_at")
    readonly_fields = ("week", "starts_at", "ends_at", "data", "markdown", "generated_at")
