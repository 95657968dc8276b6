"""Admin for support leads: rules, capacities, schedules, policies and contacts."""

from __future__ import annotations

from django.contrib import admin

from .models import (
    AgentCapacity,
    EmergencyContact,
    EscalationPolicy,
    EscalationState,
    EscalationStep,
    Firing,
    LayerMember,
    Page,
    PolicyLevel,
    Rule,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)


@admin.register(Rule)
class RuleAdmin(admin.ModelAdmin[Rule]):
    list_display = ("name", "target_level", "condition", "value", "also_tag", "mode", "is_active")
    list_editable = ("mode", "is_active")
    list_filter = ("target_level", "mode", "is_active")
    readonly_fields = ("key", "updated_by")


@admin.register(Firing)
class FiringAdmin(admin.ModelAdmin[Firing]):
    list_display = ("ticket", "rule", "outcome", "fired_at")
    list_filter = ("outcome", "rule")
    raw_id_fields = ("ticket",)


@admin.register(EscalationState)
class EscalationStateAdmin(admin.ModelAdmin[EscalationState]):
    list_display = ("ticket", "level", "escalated_at", "deadline_at", "next_checkin_at")
    raw_id_fields = ("ticket",)


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin[EscalationStep]):
    list_display = ("ticket", "from_level", "to_level", "actor", "rule", "created_at")
    raw_id_fields = ("ticket",)


@admin.register(AgentCapacity)
class AgentCapacityAdmin(admin.ModelAdmin[AgentCapacity]):
    list_display = ("user", "max_open_tickets", "is_available")
    list_editable = ("max_open_tickets", "is_available")


class LayerMemberInline(admin.TabularInline[LayerMember, ScheduleLayer]):
    model = LayerMember
    extra = 1


@admin.register(ScheduleLayer)
class ScheduleLayerAdmin(admin.ModelAdmin[ScheduleLayer]):
    list_display = ("schedule", "name", "position", "rotation_start", "shift_hours")
    inlines = (LayerMemberInline,)


class ScheduleOverrideInline(admin.TabularInline[ScheduleOverride, Schedule]):
    model = ScheduleOverride
    extra = 1


@admin.register(Schedule)
class ScheduleAdmin(admin.ModelAdmin[Schedule]):
    list_display = ("name", "timezone")
    inlines = (ScheduleOverrideInline,)


class PolicyLevelInline(admin.TabularInline[PolicyLevel, EscalationPolicy]):
    model = PolicyLevel
    extra = 1


@admin.register(EscalationPolicy)
class EscalationPolicyAdmin(admin.ModelAdmin[EscalationPolicy]):
    list_display = ("name", "covered_tiers", "repeat_count", "is_active")
    inlines = (PolicyLevelInline,)


@admin.register(Page)
class PageAdmin(admin.ModelAdmin[Page]):
    list_display = (
        "ticket",
        "policy",
        "status",
        "round",
        "level_index",
        "paged_user",
        "ack_due_at",
    )
    list_filter = ("status",)
    raw_id_fields = ("ticket",)


@admin.register(EmergencyContact)
class EmergencyContactAdmin(admin.ModelAdmin[EmergencyContact]):
    list_display = ("kind", "name", "email", "phone", "schedule", "position")
