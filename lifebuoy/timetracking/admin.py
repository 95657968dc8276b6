from django.contrib import admin

from .models import TimeEntry


@admin.register(TimeEntry)
class TimeEntryAdmin(admin.ModelAdmin[TimeEntry]):
    list_display = ("id", "ticket", "agent", "kind", "worked_on", "seconds", "stopped_at")
    list_filter = ("kind",)
    raw_id_fields = ("ticket", "agent")
    date_hierarchy = "worked_on"
