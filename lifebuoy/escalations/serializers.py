"""Turning selector results into API schemas, one function per shape."""

from __future__ import annotations

from typing import Any

from lifebuoy.escalations.models import Page, Rule, ScheduleOverride
from lifebuoy.escalations.schemas import (
    ContactOut,
    EscalationFollowUpOut,
    EscalationOut,
    EscalationStaffOut,
    OnCallOut,
    OverrideOut,
    PageOut,
    RuleOut,
    StepOut,
    SuggestionOut,
)
from lifebuoy.escalations.selectors import ContactRow, EscalationView, FollowUp, ScheduleNow
from lifebuoy.escalations.services.escalate import checklist_missing


def escalation_out(view: EscalationView) -> EscalationOut:
    base: dict[str, Any] = {
        "ticket_id": view.ticket.id,
        "ticket_number": view.ticket.number,
        "status": view.ticket.status,
        "level": view.level,
        "level_label": view.level_label,
        "escalated_at": view.escalated_at,
        "update_due_at": view.update_due_at,
    }
    if view.checklist is None or view.steps is None or view.suggestions is None:
        return EscalationOut(**base)
    return EscalationStaffOut(
        **base,
        deadline_at=view.deadline_at,
        is_update_overdue=view.is_update_overdue,
        checklist=view.checklist,
        missing=checklist_missing(view.checklist),
        steps=[
            StepOut(
                from_level=s.from_level,
                to_level=s.to_level,
                actor_id=s.actor_id,
                rule=s.rule.key if s.rule else None,
                reason=s.reason,
                assignee_id=s.assignee_id,
                deadline_at=s.deadline_at,
                created_at=s.created_at,
            )
            for s in view.steps
        ],
        suggestions=[
            SuggestionOut(
                id=f.id,
                rule=f.rule.key,
                rule_name=f.rule.name,
                to_level=f.rule.target_level,
                reason=f.reason,
                fired_at=f.fired_at,
            )
            for f in view.suggestions
        ],
    )


def follow_up_out(row: FollowUp) -> EscalationFollowUpOut:
    t = row.ticket
    return EscalationFollowUpOut(
        ticket_id=t.id,
        ticket_number=t.number,
        subject=t.subject,
        organization=t.organization.name,
        level=row.state.level,
        level_label=row.level_label,
        owner_id=t.owner_id,
        assignee_id=t.assignee_id,
        escalated_at=row.state.escalated_at,
        deadline_at=row.state.deadline_at,
        last_update_at=row.last_update_at,
        update_due_at=row.update_due_at,
        is_update_overdue=row.is_update_overdue,
        next_checkin_at=row.next_checkin_at,
    )


def page_out(page: Page) -> PageOut:
    return PageOut(
        id=page.id,
        ticket_id=page.ticket_id,
        status=page.status,
        level_index=page.level_index,
        round=page.round,
        paged_user_id=page.paged_user_id,
        ack_due_at=page.ack_due_at,
        acknowledged_by_id=page.acknowledged_by_id,
        acknowledged_at=page.acknowledged_at,
    )


def oncall_out(row: ScheduleNow) -> OnCallOut:
    user = row.oncall
    return OnCallOut(
        schedule_id=row.schedule.id,
        schedule=row.schedule.name,
        timezone=row.schedule.timezone,
        user_id=user.id if user else None,
        name=user.display_name if user else None,
        email=user.email if user else None,
    )


def contact_out(row: ContactRow) -> ContactOut:
    c = row.contact
    return ContactOut(
        kind=c.kind,
        kind_label=c.get_kind_display(),
        name=c.name,
        email=c.email,
        phone=c.phone,
        on_call=row.oncall.display_name if row.oncall else None,
    )


def rule_out(rule: Rule) -> RuleOut:
    return RuleOut(
        id=rule.id,
        key=rule.key,
        name=rule.name,
        target_level=rule.target_level,
        condition=rule.condition,
        value=rule.value,
        also_tag=rule.also_tag,
        mode=rule.mode,
        is_active=rule.is_active,
    )


def override_out(override: ScheduleOverride) -> OverrideOut:
    return OverrideOut(
        id=override.id,
        schedule_id=override.schedule_id,
        user_id=override.user_id,
        starts_at=override.starts_at,
        ends_at=override.ends_at,
    )
