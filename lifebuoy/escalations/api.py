"""REST handlers for escalations and on-call, under /api/escalations/. Parse, gate, call a
service, serialize. Customers reach only their own tickets' public escalation status and the
confirmation; everything else answers them 404, like a missing object."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from ninja import Router
from ninja.responses import Status

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound
from lifebuoy.tickets.selectors import ticket_get_for_user
from lifebuoy.tickets.services import ticket_confirm_resolved

from . import selectors
from .schemas import (
    ChecklistIn,
    ContactOut,
    DoctorReportIn,
    EscalateIn,
    EscalationFollowUpOut,
    OnCallOut,
    OverrideIn,
    OverrideOut,
    PageOut,
    RuleIn,
    RuleOut,
    TriageIn,
)
from .serializers import (
    contact_out,
    escalation_out,
    follow_up_out,
    oncall_out,
    override_out,
    page_out,
    rule_out,
)
from .services.doctor import escalation_checklist_from_doctor
from .services.escalate import EscalationRequest, escalation_checklist_save, escalation_escalate
from .services.oncall import page_acknowledge
from .services.rules import rule_update, suggestion_accept, suggestion_dismiss
from .services.schedules import schedule_override_add
from .services.triage import scope_triage

router = Router(tags=["escalations"])


def _staff(user: User) -> User:
    if not user.is_support_staff:
        raise NotFound("not_found", "Not found.")
    return user


def _view(user: User, ticket_id: int) -> dict[str, Any]:
    view = selectors.escalation_view_for_user(user=user, ticket_id=ticket_id, now=timezone.now())
    return escalation_out(view).dict()


def _request(payload: EscalateIn) -> EscalationRequest:
    return EscalationRequest(
        to_level=payload.to_level,
        checklist=payload.checklist,
        reason=payload.reason,
        engineer_id=payload.engineer_id,
        workaround=payload.workaround,
        timeline=payload.timeline,
    )


@router.get("/", response=list[EscalationFollowUpOut])
def escalated_list_api(
    request: AuthedRequest, overdue: bool = False
) -> list[EscalationFollowUpOut]:
    user = _staff(request.auth)
    rows = selectors.escalated_list_for_user(user=user, now=timezone.now(), overdue_only=overdue)
    return [follow_up_out(row) for row in rows]


@router.get("/tickets/{ticket_id}", response=dict[str, Any])
def escalation_detail_api(request: AuthedRequest, ticket_id: int) -> dict[str, Any]:
    return _view(request.auth, ticket_id)


@router.post("/tickets/{ticket_id}/escalate", response=dict[str, Any])
def escalation_escalate_api(
    request: AuthedRequest, ticket_id: int, payload: EscalateIn
) -> dict[str, Any]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    escalation_escalate(
        ticket=ticket, actor=request.auth, request=_request(payload), now=timezone.now()
    )
    return _view(request.auth, ticket_id)


@router.put("/tickets/{ticket_id}/checklist", response=dict[str, Any])
def escalation_checklist_api(
    request: AuthedRequest, ticket_id: int, payload: ChecklistIn
) -> dict[str, Any]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    escalation_checklist_save(ticket=ticket, actor=request.auth, checklist=payload.checklist)
    return _view(request.auth, ticket_id)


@router.put("/tickets/{ticket_id}/checklist/doctor", response=dict[str, Any])
def escalation_checklist_doctor_api(
    request: AuthedRequest, ticket_id: int, payload: DoctorReportIn
) -> dict[str, Any]:
    """Fill git commit logs and error messages from ``lifebuoy doctor --json`` output."""
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    escalation_checklist_from_doctor(ticket=ticket, actor=request.auth, report=payload.report)
    return _view(request.auth, ticket_id)


@router.post("/tickets/{ticket_id}/suggestions/{firing_id}/accept", response=dict[str, Any])
def suggestion_accept_api(
    request: AuthedRequest, ticket_id: int, firing_id: int, payload: EscalateIn
) -> dict[str, Any]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    firing = selectors.firing_get_for_user(user=request.auth, ticket=ticket, firing_id=firing_id)
    suggestion_accept(
        firing=firing, actor=request.auth, request=_request(payload), now=timezone.now()
    )
    return _view(request.auth, ticket_id)


@router.post("/tickets/{ticket_id}/suggestions/{firing_id}/dismiss", response=dict[str, Any])
def suggestion_dismiss_api(
    request: AuthedRequest, ticket_id: int, firing_id: int
) -> dict[str, Any]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    firing = selectors.firing_get_for_user(user=request.auth, ticket=ticket, firing_id=firing_id)
    suggestion_dismiss(firing=firing, actor=request.auth, now=timezone.now())
    return _view(request.auth, ticket_id)


@router.post("/tickets/{ticket_id}/triage", response=dict[str, Any])
def scope_triage_api(request: AuthedRequest, ticket_id: int, payload: TriageIn) -> dict[str, Any]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    scope_triage(ticket=ticket, actor=request.auth, close=payload.close, now=timezone.now())
    return _view(request.auth, ticket_id)


@router.post("/tickets/{ticket_id}/confirm", response=dict[str, Any], deprecated=True)
def escalation_confirm_api(request: AuthedRequest, ticket_id: int) -> dict[str, Any]:
    """An alias of ``POST /api/tickets/{id}/confirm-resolved``, kept for existing clients: the
    same confirmation (the ticket closes), answered with the escalation view."""
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    ticket_confirm_resolved(ticket=ticket, actor=request.auth, now=timezone.now())
    return _view(request.auth, ticket_id)


@router.get("/tickets/{ticket_id}/pages", response=list[PageOut])
def page_list_api(request: AuthedRequest, ticket_id: int) -> list[PageOut]:
    ticket = ticket_get_for_user(user=_staff(request.auth), ticket_id=ticket_id)
    return [page_out(p) for p in selectors.page_list_for_ticket(user=request.auth, ticket=ticket)]


@router.post("/pages/{page_id}/ack", response=PageOut)
def page_acknowledge_api(request: AuthedRequest, page_id: int) -> PageOut:
    page = selectors.page_get_for_user(user=request.auth, page_id=page_id)
    return page_out(page_acknowledge(page=page, actor=request.auth, now=timezone.now()))


@router.get("/oncall", response=list[OnCallOut])
def oncall_now_api(request: AuthedRequest) -> list[OnCallOut]:
    _staff(request.auth)
    return [oncall_out(row) for row in selectors.schedule_overview(now=timezone.now())]


@router.post("/schedules/{schedule_id}/overrides", response={201: OverrideOut})
def schedule_override_add_api(
    request: AuthedRequest, schedule_id: int, payload: OverrideIn
) -> Status[OverrideOut]:
    schedule = selectors.schedule_get(user=request.auth, schedule_id=schedule_id)
    override = schedule_override_add(
        schedule=schedule,
        actor=request.auth,
        user_id=payload.user_id,
        starts_at=payload.starts_at,
        ends_at=payload.ends_at,
    )
    return Status(201, override_out(override))


@router.get("/contacts", response=list[ContactOut])
def contact_list_api(request: AuthedRequest) -> list[ContactOut]:
    user = _staff(request.auth)
    return [contact_out(r) for r in selectors.contact_list_for_user(user=user, now=timezone.now())]


@router.get("/rules", response=list[RuleOut])
def rule_list_api(request: AuthedRequest) -> list[RuleOut]:
    _staff(request.auth)
    return [rule_out(rule) for rule in selectors.rule_list()]


@router.patch("/rules/{rule_id}", response=RuleOut)
def rule_update_api(request: AuthedRequest, rule_id: int, payload: RuleIn) -> RuleOut:
    _staff(request.auth)
    rule = selectors.rule_get(rule_id=rule_id)
    if rule is None:
        raise NotFound("rule_not_found", f"Rule {rule_id} was not found.")
    rule = rule_update(
        rule=rule,
        actor=request.auth,
        mode=payload.mode,
        is_active=payload.is_active,
        value=payload.value,
        also_tag=payload.also_tag,
    )
    return rule_out(rule)
