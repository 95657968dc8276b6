"""API schemas. Customers get ``EscalationOut``; staff get ``EscalationStaffOut`` on top."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from ninja import Schema

from lifebuoy.core.schemas import UtcDatetime


class EscalateIn(Schema):
    to_level: int | None = None
    checklist: dict[str, str] = {}
    reason: str = ""
    engineer_id: int | None = None
    workaround: str = ""
    timeline: str = ""


class ChecklistIn(Schema):
    checklist: dict[str, str]


class DoctorReportIn(Schema):
    report: dict[str, Any]


class TriageIn(Schema):
    close: bool = False


class RuleIn(Schema):
    mode: str
    is_active: bool = True
    value: str = ""
    also_tag: str = ""


class EscalationOut(Schema):
    """What the customer may know: where the ticket is and when they hear from us next."""

    ticket_id: int
    ticket_number: str
    status: str
    level: int
    level_label: str
    escalated_at: datetime | None
    update_due_at: datetime | None


class StepOut(Schema):
    from_level: int
    to_level: int
    actor_id: int | None
    rule: str | None
    reason: str
    assignee_id: int | None
    deadline_at: datetime | None
    created_at: datetime


class SuggestionOut(Schema):
    id: int
    rule: str
    rule_name: str
    to_level: int
    reason: str
    fired_at: datetime


class EscalationStaffOut(EscalationOut):
    deadline_at: datetime | None
    is_update_overdue: bool
    checklist: dict[str, str]
    missing: list[str]
    steps: list[StepOut]
    suggestions: list[SuggestionOut]


class EscalationFollowUpOut(Schema):
    ticket_id: int
    ticket_number: str
    subject: str
    organization: str
    level: int
    level_label: str
    owner_id: int | None
    assignee_id: int | None
    escalated_at: datetime | None
    deadline_at: datetime | None
    last_update_at: datetime | None
    update_due_at: datetime | None
    is_update_overdue: bool
    next_checkin_at: datetime | None


class PageOut(Schema):
    id: int
    ticket_id: int
    status: str
    level_index: int
    round: int
    paged_user_id: int | None
    ack_due_at: datetime | None
    acknowledged_by_id: int | None
    acknowledged_at: datetime | None


class OnCallOut(Schema):
    schedule_id: int
    schedule: str
    timezone: str
    user_id: int | None
    name: str | None
    email: str | None


class ContactOut(Schema):
    kind: str
    kind_label: str
    name: str
    email: str
    phone: str
    on_call: str | None


class RuleOut(Schema):
    id: int
    key: str
    name: str
    target_level: int
    condition: str
    value: str
    also_tag: str
    mode: str
    is_active: bool


class OverrideIn(Schema):
    user_id: int
    starts_at: UtcDatetime
    ends_at: UtcDatetime


class OverrideOut(Schema):
    id: int
    schedule_id: int
    user_id: int
    starts_at: datetime
    ends_at: datetime
