"""The desk's escalation pages and actions. Same gates and services as the API."""

from __future__ import annotations

from django.contrib import messages
from django.core.handlers.wsgi import WSGIRequest
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from lifebuoy.accounts.decorators import signed_in_user, staff_required
from lifebuoy.core.errors import LifebuoyError, ValidationFailed
from lifebuoy.core.views import ServiceCall
from lifebuoy.tickets.selectors import ticket_get_for_user
from lifebuoy.tickets.services import ticket_confirm_resolved

from . import selectors
from .forms import EscalateForm, OverrideForm, RuleForm
from .models import Mode
from .services.escalate import EscalationRequest, escalation_checklist_save, escalation_escalate
from .services.oncall import page_acknowledge, page_acknowledge_by_token
from .services.rules import rule_update, suggestion_accept, suggestion_dismiss
from .services.schedules import schedule_override_add
from .services.triage import scope_triage


def _request_from(form: EscalateForm) -> EscalationRequest:
    engineer = form.cleaned_data.get("engineer")
    return EscalationRequest(
        to_level=form.cleaned_data["to_level"],
        checklist=form.checklist(),
        reason=form.cleaned_data.get("reason") or "",
        engineer_id=engineer.id if engineer else None,
        workaround=form.cleaned_data.get("workaround") or "",
        timeline=form.cleaned_data.get("timeline") or "",
    )


@staff_required
def escalated_list_view(request: WSGIRequest) -> HttpResponse:
    overdue = request.GET.get("overdue") == "1"
    rows = selectors.escalated_list_for_user(
        user=signed_in_user(request), now=timezone.now(), overdue_only=overdue
    )
    return render(request, "escalations/list.html", {"rows": rows, "overdue": overdue})


@staff_required
def escalate_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    """GET: the checklist form, prefilled from the draft. POST: escalate (or save the draft);
    a refusal re-renders with each missing item marked, as a 422."""
    user, now = signed_in_user(request), timezone.now()
    view = selectors.escalation_view_for_user(user=user, ticket_id=ticket_id, now=now)
    initial = {**(view.checklist or {}), "to_level": min(view.level + 1, 4)}
    form = EscalateForm(request.POST or None, initial=initial)
    status = 200 if request.method == "GET" else 400
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request, form) as call:
            if "save_draft" in request.POST:
                escalation_checklist_save(
                    ticket=view.ticket, actor=user, checklist=form.checklist()
                )
                messages.success(request, "Checklist saved.")
                return redirect("escalations:escalate", ticket_id=ticket_id)
            step = escalation_escalate(
                ticket=view.ticket, actor=user, request=_request_from(form), now=now
            )
            messages.success(request, f"Escalated to {step.get_to_level_display()}.")
            return redirect("desk:detail", ticket_id=ticket_id)
        if call.error is not None:
            status = call.error.http_status
            if isinstance(call.error, ValidationFailed):
                # The form marks each missing item; the message names them all above it.
                messages.error(request, call.error.message)
    return render(request, "escalations/escalate.html", {"view": view, "form": form}, status=status)


@staff_required
@require_POST
def suggestion_decide_view(request: WSGIRequest, ticket_id: int, firing_id: int) -> HttpResponse:
    user, now = signed_in_user(request), timezone.now()
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    firing = selectors.firing_get_for_user(user=user, ticket=ticket, firing_id=firing_id)
    with ServiceCall(request) as call:
        if request.POST.get("decision") == "dismiss":
            suggestion_dismiss(firing=firing, actor=user, now=now)
            messages.success(request, "Suggestion dismissed.")
        else:
            suggestion_accept(firing=firing, actor=user, request=EscalationRequest(), now=now)
            messages.success(request, "Escalated as suggested.")
    if call.failed:
        return redirect("escalations:escalate", ticket_id=ticket_id)
    return redirect("desk:detail", ticket_id=ticket_id)


@staff_required
@require_POST
def triage_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    user = signed_in_user(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        scope_triage(
            ticket=ticket, actor=user, close=request.POST.get("close") == "1", now=timezone.now()
        )
        messages.success(request, "Handed off with the out-of-scope reply.")
    return redirect("desk:detail", ticket_id=ticket_id)


@staff_required
@require_POST
def confirm_view(request: WSGIRequest, ticket_id: int) -> HttpResponse:
    """The agent records the customer's confirmation (by phone or mail) that the fix works."""
    user = signed_in_user(request)
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    with ServiceCall(request):
        ticket_confirm_resolved(ticket=ticket, actor=user, now=timezone.now())
        messages.success(request, "Fix confirmed; the ticket is closed.")
    return redirect("desk:detail", ticket_id=ticket_id)


@staff_required
@require_POST
def page_ack_view(request: WSGIRequest, page_id: int) -> HttpResponse:
    user = signed_in_user(request)
    page = selectors.page_get_for_user(user=user, page_id=page_id)
    with ServiceCall(request):
        page_acknowledge(page=page, actor=user, now=timezone.now())
        messages.success(request, "Page acknowledged.")
    return redirect("desk:detail", ticket_id=page.ticket_id)


def ack_link_view(request: WSGIRequest, token: str) -> HttpResponse:
    """The signed link from the page email. GET asks; POST acknowledges (link scanners only GET)."""
    if request.method != "POST":
        return render(request, "escalations/ack.html", {"token": token, "page": None})
    try:
        page = page_acknowledge_by_token(token=token, now=timezone.now())
    except LifebuoyError as exc:
        raise Http404(exc.message) from exc
    return render(request, "escalations/ack.html", {"token": token, "page": page})


@staff_required
def oncall_view(request: WSGIRequest) -> HttpResponse:
    user, now = signed_in_user(request), timezone.now()
    form = OverrideForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with ServiceCall(request):
            schedule_override_add(
                schedule=selectors.schedule_get(
                    user=user, schedule_id=form.cleaned_data["schedule"]
                ),
                actor=user,
                user_id=form.cleaned_data["user"].id,
                starts_at=form.cleaned_data["starts_at"],
                ends_at=form.cleaned_data["ends_at"],
            )
            messages.success(request, "Override added.")
            return redirect("escalations:oncall")
    context = {
        "override_form": form,
        "can_edit": user.role in ("lead", "admin"),
        "schedules": selectors.schedule_overview(now=now),
        "pages": selectors.open_pages(),
        "contacts": selectors.contact_list_for_user(user=user, now=now),
        "policies": selectors.policy_list(),
        "now": now,
    }
    return render(request, "escalations/oncall.html", context)


@staff_required
def rules_view(request: WSGIRequest) -> HttpResponse:
    user = signed_in_user(request)
    if request.method == "POST":
        rule = selectors.rule_get(rule_id=request.POST.get("rule_id", ""))
        form = RuleForm(request.POST)
        if rule is not None and form.is_valid():
            with ServiceCall(request):
                rule_update(rule=rule, actor=user, **form.cleaned_data)
                messages.success(request, f"Saved “{rule.name}”.")
        return redirect("escalations:rules")
    return render(
        request, "escalations/rules.html", {"rules": selectors.rule_list(), "modes": Mode.choices}
    )
