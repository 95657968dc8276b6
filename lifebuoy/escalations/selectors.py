"""Reads for escalations: a ticket's level and follow-up status, the "Escalated" view, who is on
call and the open pages, and the gates. Customers see an escalation's public face only: level,
when, and the update promise — never the checklist, the internal reason, rules or suggestions."""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.db.models import Count, OuterRef, QuerySet, Subquery

from lifebuoy.accounts.models import STAFF_ROLES, User
from lifebuoy.core.errors import NotFound
from lifebuoy.core.parsing import parse_id
from lifebuoy.sla.selectors import sla_clock_list_for_ticket
from lifebuoy.tickets.models import OPEN_STATUSES, Message, Status, Ticket
from lifebuoy.tickets.selectors import ticket_get_for_user

from .models import (
    EmergencyContact,
    EscalationPolicy,
    EscalationState,
    EscalationStep,
    Firing,
    FiringOutcome,
    Level,
    Page,
    PageStatus,
    Rule,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)

UPDATE_EVERY = timedelta(hours=24)


def routing_level(ticket: Ticket) -> int:
    """A ticket nobody escalated sits at the level of the queue it was routed to."""
    state = EscalationState.objects.filter(ticket_id=ticket.id).only("level").first()
    return state.level if state is not None else queue_level(ticket)


def queue_level(ticket: Ticket) -> int:
    """The level of the queue a ticket was routed to: its level until it is escalated."""
    if ticket.queue is not None:
        return max(Level.COMMUNITY, min(ticket.queue.tier, Level.ENGINEERING))
    return Level.COMMUNITY


def sla_next_deadline(*, ticket: Ticket, now: datetime) -> datetime | None:
    dues = [
        v.due_at
        for v in sla_clock_list_for_ticket(ticket=ticket, now=now)
        if v.stopped_at is None and v.due_at is not None and not v.is_goal
    ]
    return min(dues, default=None)


def open_ticket_counts(*, user_ids: list[int]) -> dict[int, int]:
    rows = (
        Ticket.objects.filter(assignee_id__in=user_ids, status__in=OPEN_STATUSES)
        .values("assignee_id")
        .annotate(n=Count("id"))
    )
    return {row["assignee_id"]: row["n"] for row in rows}


def _last_staff_update() -> Subquery:
    return Subquery(
        Message.objects.filter(
            ticket_id=OuterRef("ticket_id"), is_internal=False, author__role__in=STAFF_ROLES
        )
        .order_by("-created_at")
        .values("created_at")[:1]
    )


@dataclass(frozen=True)
class FollowUp:
    """Step 4 as the owner sees it."""

    state: EscalationState
    ticket: Ticket
    last_update_at: datetime | None
    update_due_at: datetime | None
    is_update_overdue: bool
    next_checkin_at: datetime | None

    @property
    def level_label(self) -> str:
        return Level(self.state.level).label


def _follow_up(state: EscalationState, last: datetime | None, now: datetime) -> FollowUp:
    base = (
        max(d for d in (state.escalated_at, last) if d is not None) if state.escalated_at else None
    )
    due = base + UPDATE_EVERY if base is not None else None
    return FollowUp(
        state=state,
        ticket=state.ticket,
        last_update_at=last,
        update_due_at=due,
        is_update_overdue=due is not None and due <= now,
        next_checkin_at=state.next_checkin_at,
    )


def escalated_states(
    *, statuses: tuple[str, ...] = (Status.ESCALATED,)
) -> QuerySet[EscalationState]:
    return (
        EscalationState.objects.filter(escalated_at__isnull=False, ticket__status__in=statuses)
        .select_related(
            "ticket__organization", "ticket__owner", "ticket__assignee", "ticket__queue"
        )
        .annotate(last_update_at=_last_staff_update())
    )


def escalated_list_for_user(
    *, user: User, now: datetime, overdue_only: bool = False
) -> list[FollowUp]:
    """The "Escalated" view: escalated tickets with their follow-up status, overdue first."""
    if not user.is_support_staff:
        return []
    rows = [_follow_up(s, s.last_update_at, now) for s in escalated_states()]  # type: ignore[attr-defined]  # annotated
    if overdue_only:
        rows = [r for r in rows if r.is_update_overdue]
    far = now + timedelta(days=3650)
    return sorted(rows, key=lambda r: (not r.is_update_overdue, r.update_due_at or far))


def follow_up_for_ticket(*, ticket: Ticket, now: datetime) -> FollowUp | None:
    state = (
        escalated_states(statuses=tuple(OPEN_STATUSES | {Status.RESOLVED}))
        .filter(ticket_id=ticket.id)
        .first()
    )
    if state is None:
        return None
    return _follow_up(state, state.last_update_at, now)  # type: ignore[attr-defined]  # annotated


@dataclass(frozen=True)
class EscalationView:
    """A ticket's escalation as ``viewer`` may see it. Internal parts are None for customers."""

    ticket: Ticket
    level: int
    level_label: str
    escalated_at: datetime | None
    update_due_at: datetime | None
    is_update_overdue: bool
    deadline_at: datetime | None
    checklist: dict[str, str] | None
    steps: list[EscalationStep] | None
    suggestions: list[Firing] | None


def escalation_view_for_user(*, user: User, ticket_id: int, now: datetime) -> EscalationView:
    """The gate for escalations: the ticket's own gate (404 for other organizations), then the
    customer's subset."""
    ticket = ticket_get_for_user(user=user, ticket_id=ticket_id)
    return escalation_view_of_ticket(user=user, ticket=ticket, now=now)


def escalation_view_of_ticket(
    *, user: User, ticket: Ticket, now: datetime, stored: bool = True
) -> EscalationView:
    """``escalation_view_for_user`` for a ticket the caller already read through the ticket's
    gate for ``user`` (the ticket page's panel), without reading it again. ``stored=False``:
    the caller knows the ticket has no escalation state and no suggestions."""
    state = EscalationState.objects.filter(ticket=ticket).first() if stored else None
    # A ticket nobody escalated (most of them) has no follow-up due and no steps: no queries.
    escalated = state is not None and state.escalated_at is not None
    follow = follow_up_for_ticket(ticket=ticket, now=now) if escalated else None
    level = state.level if state else queue_level(ticket)
    staff = user.is_support_staff
    return EscalationView(
        ticket=ticket,
        level=level,
        level_label=Level(level).label,
        escalated_at=state.escalated_at if state else None,
        update_due_at=follow.update_due_at if follow else None,
        is_update_overdue=bool(follow and follow.is_update_overdue) and staff,
        deadline_at=state.deadline_at if state and staff else None,
        checklist=dict(state.checklist) if state and staff else ({} if staff else None),
        steps=(
            list(
                EscalationStep.objects.filter(ticket=ticket).select_related(
                    "actor", "rule", "assignee"
                )
            )
            if state is not None
            else []
        )
        if staff
        else None,
        suggestions=(suggestion_list(ticket=ticket) if stored else []) if staff else None,
    )


def suggestion_list(*, ticket: Ticket) -> list[Firing]:
    return list(
        Firing.objects.filter(ticket=ticket, outcome=FiringOutcome.SUGGESTED).select_related("rule")
    )


def firing_get_for_user(*, user: User, ticket: Ticket, firing_id: int) -> Firing:
    firing = (
        Firing.objects.select_related("rule").filter(id=firing_id, ticket=ticket).first()
        if user.is_support_staff
        else None
    )
    if firing is None:
        raise NotFound("suggestion_not_found", f"Suggestion {firing_id} was not found.")
    return firing


def rule_list() -> QuerySet[Rule]:
    return Rule.objects.select_related("updated_by")


def rule_get(*, rule_id: int | str) -> Rule | None:
    number = parse_id(str(rule_id))
    return Rule.objects.filter(id=number).first() if number is not None else None


# On call. Who is on call: overrides beat layers; among layers the highest position whose weekly
# restrictions cover the instant wins; within a layer members take turns of ``shift_hours``
# from ``rotation_start``. So exactly one person (or nobody) is on call per schedule at once.


def within_restrictions(restrictions: Sequence[Sequence[object]], local: datetime) -> bool:
    """Empty means always; else any ``[weekday, "HH:MM", "HH:MM"]`` window containing ``local``."""
    if not restrictions:
        return True
    for weekday, start, end in restrictions:
        if local.weekday() != weekday:
            continue
        if time.fromisoformat(str(start)) <= local.time() < time.fromisoformat(str(end)):
            return True
    return False


def layer_oncall(
    layer: ScheduleLayer, members: Sequence[User], at: datetime, tz: str
) -> User | None:
    if not members or at < layer.rotation_start:
        return None
    if not within_restrictions(layer.restrictions, at.astimezone(zoneinfo.ZoneInfo(tz))):
        return None
    shift = int((at - layer.rotation_start).total_seconds() // (layer.shift_hours * 3600))
    return members[shift % len(members)]


def oncall_at(*, schedule: Schedule, at: datetime) -> User | None:
    override = (
        schedule.overrides.filter(starts_at__lte=at, ends_at__gt=at)
        .select_related("user")
        .order_by("-id")
        .first()
    )
    if override is not None:
        return override.user
    layers = schedule.layers.prefetch_related("members__user").order_by("-position", "id")
    for layer in layers:
        members = [m.user for m in layer.members.all() if m.user.is_active]
        user = layer_oncall(layer, members, at, schedule.timezone)
        if user is not None:
            return user
    return None


@dataclass(frozen=True)
class ScheduleNow:
    schedule: Schedule
    oncall: User | None
    layers: list[ScheduleLayer]
    overrides: list[ScheduleOverride]


def schedule_overview(*, now: datetime) -> list[ScheduleNow]:
    """Every schedule with who is on call now, its layers and current or coming overrides."""
    result = []
    for schedule in Schedule.objects.prefetch_related("layers__members__user").order_by("name"):
        overrides = list(schedule.overrides.filter(ends_at__gt=now).select_related("user"))
        result.append(
            ScheduleNow(
                schedule,
                oncall_at(schedule=schedule, at=now),
                list(schedule.layers.all()),
                overrides,
            )
        )
    return result


def page_get_for_user(*, user: User, page_id: int) -> Page:
    """The gate for pages: staff only; anyone else gets the same 404 as a missing page."""
    page = (
        Page.objects.select_related("ticket", "policy", "paged_user", "acknowledged_by")
        .filter(id=page_id)
        .first()
        if user.is_active and user.is_support_staff
        else None
    )
    if page is None:
        raise NotFound("page_not_found", f"Page {page_id} was not found.")
    return page


def page_list_for_ticket(*, user: User, ticket: Ticket) -> list[Page]:
    if not user.is_support_staff:
        return []
    return list(
        Page.objects.filter(ticket=ticket).select_related("policy", "paged_user", "acknowledged_by")
    )


def open_pages() -> list[Page]:
    return list(
        Page.objects.filter(status=PageStatus.TRIGGERED).select_related(
            "ticket__organization", "paged_user", "policy"
        )
    )


@dataclass(frozen=True)
class ContactRow:
    contact: EmergencyContact
    oncall: User | None


def contact_list_for_user(*, user: User, now: datetime) -> list[ContactRow]:
    """The emergency contacts directory: for agents, never for customers."""
    if not user.is_support_staff:
        return []
    return [
        ContactRow(c, oncall_at(schedule=c.schedule, at=now) if c.schedule else None)
        for c in EmergencyContact.objects.select_related("schedule")
    ]


def policy_list() -> QuerySet[EscalationPolicy]:
    return EscalationPolicy.objects.prefetch_related("levels__schedule", "levels__user")


def schedule_get(*, user: User, schedule_id: int) -> Schedule:
    """Schedules are for staff; anyone else gets the same 404 as a missing schedule."""
    schedule = Schedule.objects.filter(id=schedule_id).first() if user.is_support_staff else None
    if schedule is None:
        raise NotFound("schedule_not_found", f"Schedule {schedule_id} was not found.")
    return schedule
