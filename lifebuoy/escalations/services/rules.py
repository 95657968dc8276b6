"""Rules as data: each active rule whose condition holds fires once per ticket, then either
escalates on its own or waits on the ticket page as a suggestion with its reason.

Once per condition: the Firing row is unique per (rule, ticket) and inserted before anything
else happens; a concurrent sweep or event that loses the insert does nothing. An automatic rule
still honours step 1: with the checklist incomplete it becomes a suggestion naming what is
missing, so nothing ever climbs undocumented.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import InvalidState, LifebuoyError, PermissionDenied, ValidationFailed
from lifebuoy.core.parsing import is_ascii_digits
from lifebuoy.escalations.models import Condition, Firing, FiringOutcome, Mode, Rule
from lifebuoy.escalations.selectors import queue_level, routing_level
from lifebuoy.escalations.services.escalate import (
    EscalationRequest,
    escalation_escalate,
)
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import AuditEntry, ticket_audit_record

EVALUATED_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING, Status.ESCALATED)
RULE_EDITORS = frozenset({Role.LEAD, Role.ADMIN})


@dataclass(frozen=True)
class Facts:
    """What the conditions look at, gathered once per ticket."""

    tags: frozenset[str]
    sla_at_risk: bool
    now: datetime


def _facts(ticket: Ticket, now: datetime, sla_at_risk: bool) -> Facts:
    summary = getattr(ticket, "sla_summary", None)
    risky = sla_at_risk or (summary is not None and summary.state in ("at_risk", "breached"))
    return Facts(tags=frozenset(t.name for t in ticket.tags.all()), sla_at_risk=risky, now=now)


def condition_reason(rule: Rule, ticket: Ticket, facts: Facts) -> str | None:
    """Why ``rule`` applies to ``ticket``, or None when it does not."""
    if rule.also_tag and rule.also_tag not in facts.tags:
        return None
    value, org = rule.value.strip(), ticket.organization
    reason: str | None = None
    if rule.condition == Condition.OPEN_LONGER_THAN:
        hours = int(value or "48")
        if facts.now - ticket.created_at >= timedelta(hours=hours):
            reason = f"open for more than {hours} hours"
    elif rule.condition == Condition.HAS_TAG:
        reason = f"tagged “{value}”" if value in facts.tags else None
    elif rule.condition == Condition.CATEGORY_IS:
        reason = (
            f"category is {ticket.get_category_display()}" if ticket.category == value else None
        )
    elif rule.condition == Condition.PRIORITY_IS:
        reason = f"priority is {ticket.priority}" if ticket.priority == value else None
    elif rule.condition == Condition.PAYING_CUSTOMER:
        reason = f"{org.name} is on a paid plan" if org.is_paying else None
    elif rule.condition == Condition.SUPPORT_TIER_AT_LEAST:
        tier = org.support_tier
        reason = f"{org.name} has {tier.label} support" if tier >= int(value or "3") else None
    elif rule.condition == Condition.SLA_AT_RISK:
        reason = "an SLA target is at risk" if facts.sla_at_risk else None
    if reason and rule.also_tag:
        reason += f" and tagged “{rule.also_tag}”"
    return reason


def _record(rule: Rule, ticket: Ticket, outcome: str, reason: str, now: datetime) -> Firing | None:
    """The conditional insert: None when this rule already fired for this ticket."""
    try:
        with transaction.atomic():
            return Firing.objects.create(
                rule=rule, ticket=ticket, outcome=outcome, reason=reason[:300], fired_at=now
            )
    except IntegrityError:
        return None


def _fire(rule: Rule, ticket: Ticket, reason: str, now: datetime) -> Firing | None:
    text = f"{rule.name}: {reason}"
    with transaction.atomic():
        # The ticket row lock orders concurrent evaluations of one ticket, so the level read
        # next includes any climb another sweep has just made.
        locked = (
            Ticket.objects.select_for_update(of=("self",)).select_related("queue").get(id=ticket.id)
        )
        if rule.target_level <= routing_level(locked):
            return None
        firing = _record(rule, ticket, FiringOutcome.SUGGESTED, text, now)
        if firing is None:
            return None
        if rule.mode == Mode.AUTOMATIC:
            try:
                with transaction.atomic():
                    escalation_escalate(
                        ticket=ticket,
                        actor=None,
                        request=EscalationRequest(to_level=rule.target_level, reason=text),
                        rule=rule,
                        now=now,
                    )
                firing.outcome = FiringOutcome.APPLIED
                firing.save(update_fields=["outcome"])
                return firing
            except LifebuoyError as exc:
                firing.reason = f"{text}. Not applied: {exc.message}"[:300]
                firing.save(update_fields=["reason"])
        ticket_audit_record(
            entries=[AuditEntry(ticket.id, "escalation_suggested", field="rule", new=rule.key)],
            now=now,
        )
        return firing


def _level(ticket: Ticket) -> int:
    """``routing_level`` from the escalation state ``_tickets`` read with the ticket."""
    state = getattr(ticket, "escalation", None)  # None: never escalated
    return state.level if state is not None else queue_level(ticket)


def _evaluate(ticket: Ticket, rules: Iterable[Rule], fired: set[int], facts: Facts) -> list[Firing]:
    level = _level(ticket)
    results: list[Firing] = []
    # Highest rung first, so one automatic climb makes the lower rules moot.
    for rule in sorted(rules, key=lambda r: -r.target_level):
        if rule.id in fired or rule.target_level <= level:
            continue
        reason = condition_reason(rule, ticket, facts)
        if reason is None:
            continue
        firing = _fire(rule, ticket, reason, facts.now)
        if firing is not None:
            results.append(firing)
            if firing.outcome == FiringOutcome.APPLIED:
                level = max(level, rule.target_level)
    return results


def _tickets(ids: list[int], *, statuses: Iterable[str] = EVALUATED_STATUSES) -> list[Ticket]:
    """The tickets with what the conditions look at: organization, queue and escalation state
    (the level), SLA summary, tags. Not the people: only a rule that fires reads them."""
    return list(
        Ticket.objects.filter(id__in=ids, status__in=statuses)
        .select_related("organization", "queue", "sla_summary", "escalation")
        .prefetch_related("tags")
        .order_by("id")
    )


def rules_ticket_get(*, ticket_id: int) -> Ticket | None:
    """A ticket as the rules read it, in any status (a follow-up shares this one read with
    on-call paging: ``page_trigger``)."""
    found = _tickets([ticket_id], statuses=Status.values)
    return found[0] if found else None


def rules_evaluate_ticket(
    *, ticket_id: int, now: datetime, sla_at_risk: bool = False
) -> list[Firing]:
    """On a ticket event (creation, reply, change, SLA warning)."""
    ticket = rules_ticket_get(ticket_id=ticket_id)
    if ticket is None:
        return []
    return rules_evaluate_read(ticket=ticket, now=now, sla_at_risk=sla_at_risk)


def rules_evaluate_read(
    *, ticket: Ticket, now: datetime, sla_at_risk: bool = False
) -> list[Firing]:
    """``rules_evaluate_ticket`` for a ticket read by ``rules_ticket_get``."""
    if ticket.status not in EVALUATED_STATUSES:
        return []
    rules = list(Rule.objects.filter(is_active=True))
    fired = set(Firing.objects.filter(ticket_id=ticket.id).values_list("rule_id", flat=True))
    return _evaluate(ticket, rules, fired, _facts(ticket, now, sla_at_risk))


@dataclass(frozen=True)
class SweepResult:
    made: int
    resume_after: int  # the last ticket id looked at, or 0 once every open ticket was seen


def rules_sweep(
    *, now: datetime, batch_size: int = 200, max_batches: int = 25, after: int = 0
) -> SweepResult:
    """On the schedule: open tickets by id after ``after``, in bounded batches. A desk with more
    open tickets than one run covers continues where the last run stopped."""
    rules = list(Rule.objects.filter(is_active=True))
    if not rules:
        return SweepResult(0, 0)
    made = 0
    for _ in range(max_batches):
        ids = list(
            Ticket.objects.filter(id__gt=after, status__in=EVALUATED_STATUSES)
            .order_by("id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            return SweepResult(made, 0)
        after = ids[-1]
        fired: dict[int, set[int]] = {}
        for ticket_id, rule_id in Firing.objects.filter(ticket_id__in=ids).values_list(
            "ticket_id", "rule_id"
        ):
            fired.setdefault(ticket_id, set()).add(rule_id)
        for ticket in _tickets(ids):
            facts = _facts(ticket, now, False)
            made += len(_evaluate(ticket, rules, fired.get(ticket.id, set()), facts))
    return SweepResult(made, after)


@transaction.atomic
def suggestion_accept(
    *, firing: Firing, actor: User, request: EscalationRequest, now: datetime
) -> Firing:
    """The agent takes the suggestion: escalate to the rule's level, with the checklist."""
    won = Firing.objects.filter(id=firing.id, outcome=FiringOutcome.SUGGESTED).update(
        outcome=FiringOutcome.ACCEPTED, decided_by=actor
    )
    if won != 1:
        raise InvalidState("suggestion_decided", "This suggestion was already decided.")
    escalation_escalate(
        ticket=firing.ticket,
        actor=actor,
        request=EscalationRequest(
            to_level=firing.rule.target_level,
            checklist=request.checklist,
            reason=request.reason or firing.reason,
            engineer_id=request.engineer_id,
            workaround=request.workaround,
            timeline=request.timeline,
        ),
        rule=firing.rule,
        now=now,
    )
    firing.refresh_from_db()
    return firing


@transaction.atomic
def suggestion_dismiss(*, firing: Firing, actor: User, now: datetime) -> Firing:
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff decide on suggestions.")
    won = Firing.objects.filter(id=firing.id, outcome=FiringOutcome.SUGGESTED).update(
        outcome=FiringOutcome.DISMISSED, decided_by=actor
    )
    if won != 1:
        raise InvalidState("suggestion_decided", "This suggestion was already decided.")
    ticket_audit_record(
        entries=[AuditEntry(firing.ticket_id, "escalation_dismissed", "rule", firing.rule.key)],
        now=now,
    )
    firing.refresh_from_db()
    return firing


@transaction.atomic
def rule_update(
    *, rule: Rule, actor: User, mode: str, is_active: bool, value: str, also_tag: str
) -> Rule:
    """Support leads tune the rules; the condition kind and target stay as seeded."""
    if actor.role not in RULE_EDITORS:
        raise PermissionDenied("not_allowed", "Only support leads edit escalation rules.")
    errors: dict[str, str] = {}
    if mode not in Mode.values:
        errors["mode"] = f"Choose one of: {', '.join(Mode.values)}."
    numeric = (Condition.OPEN_LONGER_THAN, Condition.SUPPORT_TIER_AT_LEAST)
    if rule.condition in numeric and not is_ascii_digits(value.strip()):
        errors["value"] = "This condition needs a whole number."
    if errors:
        raise ValidationFailed.for_fields(errors)
    rule.mode, rule.is_active = mode, is_active
    rule.value, rule.also_tag, rule.updated_by = value.strip(), also_tag.strip(), actor
    rule.save(update_fields=["mode", "is_active", "value", "also_tag", "updated_by", "updated_at"])
    return rule
