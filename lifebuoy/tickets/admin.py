from django.contrib import admin

from .models import Ticket, TicketEvent


class EventInline(admin.TabularInline[TicketEvent, Ticket]):
    model = TicketEvent
    extra = 0
    can_delete = False
    readonly_fields = ("created_at", "actor", "action", "field", "old_value", "new_value")


@admin.register(Ticket)
class TicketAdmin(admin.ModelAdmin[Ticket]):
    list_display = ("id", "subject", "organization", "priority", "status", "category", "assignee")
    list_filter = ("status", "priority", "category", "channel")
    search_fields = ("subject",)
    raw_id_fields = ("requester", "assignee", "owner", "organization")
    inlines = (EventInline,)
