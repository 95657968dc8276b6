"""The ladder's four steps: document, assign, communicate, then follow up (see ``followup``).

``escalation_escalate`` is the one way up. It refuses with a 422 naming every missing checklist
item; otherwise, in one transaction: the ticket becomes Escalated in the next level's queue with a
person picked by round robin (or the named engineer), who is notified (unless they escalated it
themselves), an internal note carries the context, a deadline comes from the SLA, and the
customer's notice is queued in the outbox.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction

from lifebuoy.accounts.models import Queue, User
from lifebuoy.accounts.selectors import staff_get
from lifebuoy.core.errors import InvalidState, PermissionDenied, ValidationFailed
from lifebuoy.escalations.models import (
    CHECKLIST_ITEMS,
    AgentCapacity,
    EscalationState,
    EscalationStep,
    Level,
    RoundRobinCursor,
    Rule,
)
from lifebuoy.escalations.selectors import (
    open_ticket_counts,
    routing_level,
    sla_next_deadline,
)
from lifebuoy.notifications.localtime import reader_time
from lifebuoy.notifications.models import DeliveryKind, MessageTemplate, TemplateKey
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.notifications.services.templates import template_render
from lifebuoy.notifications.staff.reactions import notification_escalation_assigned
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import (
    AuditEntry,
    message_add,
    ticket_audit_record,
    ticket_escalate_to,
)

QUEUE_SLUGS: dict[int, str] = {
    Level.COMMUNITY: "tier-1",
    Level.TIER_2: "tier-2",
    Level.TIER_3: "tier-3",
    Level.ENGINEERING: "engineering",
    Level.PRODUCT: "product",
}
TEAM_NAMES: dict[int, str] = {
    Level.TIER_2: "our Tier 2 support team",
    Level.TIER_3: "our Tier 3 senior support engineers",
    Level.ENGINEERING: "our Engineering team",
    Level.PRODUCT: "our Product team",
}
# Used when no SLA clock gives the level a deadline.
DEFAULT_DEADLINE_HOURS: dict[int, int] = {2: 24, 3: 8, 4: 72, 5: 240}
DEFAULT_CAPACITY = 10


@dataclass(frozen=True)
class EscalationRequest:
    to_level: int | None = None  # None: the next rung
    checklist: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""
    engineer_id: int | None = None
    workaround: str = ""
    timeline: str = ""


def checklist_missing(checklist: Mapping[str, str]) -> list[str]:
    """The keys of the items still blank, in the playbook's order."""
    return [key for key in CHECKLIST_ITEMS if not str(checklist.get(key, "")).strip()]


def checklist_check(checklist: Mapping[str, str]) -> None:
    missing = checklist_missing(checklist)
    if missing:
        labels = ", ".join(CHECKLIST_ITEMS[key] for key in missing)
        raise ValidationFailed(
            "checklist_incomplete",
            f"Document the escalation first. Missing: {labels}.",
            {
                "missing": [{"item": key, "label": CHECKLIST_ITEMS[key]} for key in missing],
                "fields": dict.fromkeys(missing, "Required before escalating."),
            },
        )


def _target_level(current: int, requested: int | None) -> int:
    target = requested if requested is not None else min(current + 1, Level.ENGINEERING)
    if target not in Level.values:
        raise ValidationFailed.for_fields({"to_level": f"Choose a level: {Level.values}."})
    if target <= current:
        raise InvalidState(
            "already_at_level",
            f"The ticket is already at {Level(current).label}; escalate to a higher level.",
            {"level": current},
        )
    return target


def _locked_state(ticket: Ticket) -> EscalationState:
    try:
        with transaction.atomic():
            EscalationState.objects.get_or_create(
                ticket=ticket, defaults={"level": routing_level(ticket)}
            )
    except IntegrityError:
        pass  # created by a concurrent escalation a moment ago
    return EscalationState.objects.select_for_update().get(ticket=ticket)


def queue_for_level(level: int) -> Queue | None:
    queue = Queue.objects.filter(slug=QUEUE_SLUGS[level]).first()
    if queue is None:
        tier = min(level, 4)
        queue = Queue.objects.filter(tier=tier, organization__isnull=True).order_by("id").first()
    return queue


def round_robin_pick(*, queue: Queue) -> User | None:
    """The next available member after the last one picked, skipping people at capacity
    (open assigned tickets ≥ their limit). The cursor row is locked, so two escalations at the
    same moment hand out different people."""
    try:
        with transaction.atomic():
            RoundRobinCursor.objects.get_or_create(queue=queue)
    except IntegrityError:
        pass
    cursor = RoundRobinCursor.objects.select_for_update().get(queue=queue)
    members = list(queue.members.filter(is_active=True).exclude(role="customer").order_by("id"))
    if not members:
        return None
    caps = {c.user_id: c for c in AgentCapacity.objects.filter(user__in=members)}
    loads = open_ticket_counts(user_ids=[m.id for m in members])
    default_cap = getattr(settings, "LIFEBUOY_ESCALATION_CAPACITY", DEFAULT_CAPACITY)
    after = [m for m in members if cursor.last_user_id is None or m.id > cursor.last_user_id]
    for member in after + [m for m in members if m not in after]:
        cap = caps.get(member.id)
        limit = cap.max_open_tickets if cap else default_cap
        if (cap is None or cap.is_available) and loads.get(member.id, 0) < limit:
            cursor.last_user = member
            cursor.save(update_fields=["last_user"])
            return member
    return None


def _deadline(ticket: Ticket, level: int, now: datetime) -> datetime:
    due = sla_next_deadline(ticket=ticket, now=now)
    return due if due is not None else now + timedelta(hours=DEFAULT_DEADLINE_HOURS[level])


def _context_note(step: EscalationStep, reason: str) -> str:
    lines = [
        f"**Escalated from {Level(step.from_level).label} to {Level(step.to_level).label}**",
        f"Reason: {reason}",
        f"Deadline: {step.deadline_at:%Y-%m-%d %H:%M} UTC" if step.deadline_at else "",
        "",
    ]
    for key, label in CHECKLIST_ITEMS.items():
        lines.append(f"**{label}:**\n{step.checklist.get(key, '').strip()}\n")
    return "\n".join(lines)


@transaction.atomic
def escalation_escalate(
    *,
    ticket: Ticket,
    actor: User | None,
    request: EscalationRequest,
    now: datetime,
    rule: Rule | None = None,
) -> EscalationStep:
    """Climb one rung (or to ``request.to_level``). ``actor`` is None for automatic rules."""
    if actor is not None and not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can escalate a ticket.")
    if not ticket.is_open:
        raise InvalidState("ticket_closed", f"Ticket {ticket.number} is not open.")
    state = _locked_state(ticket)
    target = _target_level(state.level, request.to_level)
    checklist = {
        key: str(value).strip()
        for key, value in {**state.checklist, **request.checklist}.items()
        if key in CHECKLIST_ITEMS
    }
    checklist_check(checklist)
    queue = queue_for_level(target)
    engineer = staff_get(user_id=request.engineer_id) if request.engineer_id else None
    assignee = engineer or (round_robin_pick(queue=queue) if queue else None)
    deadline = _deadline(ticket, target, now)
    reason = request.reason.strip() or (rule.name if rule else "Escalated by the agent.")
    ticket = ticket_escalate_to(ticket=ticket, actor=actor, queue=queue, assignee=assignee, now=now)
    step = EscalationStep.objects.create(
        ticket=ticket,
        from_level=state.level,
        to_level=target,
        actor=actor,
        rule=rule,
        reason=reason[:300],
        checklist=checklist,
        queue=queue,
        assignee=assignee,
        deadline_at=deadline,
        created_at=now,
    )
    state.level, state.checklist, state.escalated_at, state.deadline_at = (
        target, checklist, now, deadline,
    )  # fmt: skip
    state.workaround, state.timeline = request.workaround.strip(), request.timeline.strip()
    state.next_checkin_at = now + timedelta(days=1)
    state.update_warned_for = state.final_notice_at = None
    state.save()
    notification_escalation_assigned(
        ticket=ticket,
        assignee=assignee,
        actor=actor,
        level=Level(target).label,
        reason=reason,
        step_id=step.id,
        now=now,
    )
    if rule is not None:
        ticket_audit_record(
            entries=[AuditEntry(ticket.id, "escalated_by_rule", field="rule", new=rule.key)],
            now=now,
        )
    author = actor or ticket.owner or assignee
    if author is not None:
        message_add(
            ticket=ticket,
            author=author,
            body=_context_note(step, reason),
            is_internal=True,
            is_automatic=actor is None,
            now=now,
        )
    _notify_customer(ticket, author, step, state, now, is_automatic=actor is None)
    return step


_NOTICE_TIME = "%A %d %B, %H:%M %Z"


def _notice_values(step: EscalationStep, state: EscalationState, reader: User) -> dict[str, str]:
    deadline = step.deadline_at
    timeline = state.timeline or (
        f"an update from us by {reader_time(reader=reader, at=deadline, fmt=_NOTICE_TIME)} "
        "at the latest"
        if deadline
        else ""
    )  # in the time zone of the customer reading it
    return {
        "escalation_team": TEAM_NAMES.get(step.to_level, "the next support level"),
        "escalation_reason": "it needs their deeper expertise",
        "timeline": timeline or "an update within one business day",
        "workaround": state.workaround
        or "we do not have a workaround yet; I will tell you as soon as we do.",
    }


def _notify_customer(
    ticket: Ticket,
    author: User | None,
    step: EscalationStep,
    state: EscalationState,
    now: datetime,
    *,
    is_automatic: bool,
) -> None:
    """Step 3: the escalation notice, in the conversation (emailed by the outbox) when there
    is an agent to sign it, else straight to the requester's inbox."""
    template = MessageTemplate.objects.filter(key=TemplateKey.ESCALATION_NOTICE).first()
    if template is None:
        return
    agent = author or User(full_name="Dual Trinity Support")
    rendered = template_render(
        template=template,
        ticket=ticket,
        agent=agent,
        values=_notice_values(step, state, ticket.requester),
    )
    if author is not None:
        # A rule's notice, signed by the owner, is no one's response for the SLA clocks.
        message_add(
            ticket=ticket, author=author, body=rendered.body, is_automatic=is_automatic, now=now
        )
        return
    delivery_enqueue(
        kind=DeliveryKind.EMAIL,
        key=f"escalation:notice:{step.id}",
        ticket=ticket,
        target=ticket.requester.email,
        payload={"subject": rendered.subject, "text": rendered.body, "html": "", "headers": {}},
        now=now,
    )


@transaction.atomic
def escalation_checklist_save(
    *, ticket: Ticket, actor: User, checklist: Mapping[str, str]
) -> EscalationState:
    """Keep a draft of the checklist (e.g. filled bit by bit, or from a doctor's diagnosis)."""
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff document escalations.")
    state = _locked_state(ticket)
    state.checklist = {
        **state.checklist,
        **{k: str(v).strip() for k, v in checklist.items() if k in CHECKLIST_ITEMS},
    }
    state.save(update_fields=["checklist", "updated_at"])
    return state
