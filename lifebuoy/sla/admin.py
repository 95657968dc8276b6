"""Admin for business calendars (weekly windows, custom holidays) and policies (targets).

Saving a policy bumps its version; open clocks pick the change up at their next event.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import F
from django.forms import ModelForm
from django.http import HttpRequest

from lifebuoy.core.config_cache import config_cache_clear

from .models import Calendar, CalendarWindow, Clock, Holiday, Policy, Target


class CalendarWindowInline(admin.TabularInline[CalendarWindow, Calendar]):
    model = CalendarWindow
    extra = 0


class HolidayInline(admin.TabularInline[Holiday, Calendar]):
    model = Holiday
    extra = 0


@admin.register(Calendar)
class CalendarAdmin(admin.ModelAdmin[Calendar]):
    list_display = ("name", "timezone", "holiday_country", "observes_public_holidays", "updated_at")
    inlines = (CalendarWindowInline, HolidayInline)


class TargetInline(admin.TabularInline[Target, Policy]):
    model = Target
    extra = 0


@admin.register(Policy)
class PolicyAdmin(admin.ModelAdmin[Policy]):
    list_display = ("name", "tier", "organization", "calendar", "is_best_effort", "version")
    list_filter = ("tier", "is_best_effort")
    raw_id_fields = ("organization",)
    readonly_fields = ("version", "updated_at")
    inlines = (TargetInline,)

    def save_model(
        self, request: HttpRequest, obj: Policy, form: ModelForm[Any], change: bool
    ) -> None:
        super().save_model(request, obj, form, change)
        if change:
            Policy.objects.filter(id=obj.id).update(version=F("version") + 1)
            obj.refresh_from_db(fields=["version"])
            config_cache_clear()


@admin.register(Clock)
class ClockAdmin(admin.ModelAdmin[Clock]):
    list_display = ("ticket", "kind", "state", "priority", "due_at", "breached_at", "stopped_at")
    list_filter = ("kind", "state")
    raw_id_fields = ("ticket",)
    readonly_fields = [f.name for f in Clock._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False
