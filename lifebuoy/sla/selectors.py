"""Reads for SLAs: each clock of a ticket with its explanation, and the queue's SLA sort/filter.

Staff see everything; a customer sees their ticket's targets and deadlines, and whether a running
target was missed, but nothing internal (no policy versions, calendars, pauses or warnings).
Callers pass a ticket that already went through the ticket gate (``ticket_get_for_user``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.tickets.models import Ticket

from .models import Clock, ClockKind, ClockState, Hours, Summary, SummaryState
from .services.clocks import STARTED_DUE_ATTRIBUTE
from .services.policies import ALWAYS, calendar_describe, sla_business_calendar
from .services.schedule import clock_stretches, minutes_used

DUE_WITHIN_HOUR = "due_1h"
SLA_FILTERS = (SummaryState.AT_RISK.value, SummaryState.BREACHED.value, DUE_WITHIN_HOUR)


@dataclass(frozen=True)
class ClockView:
    """One clock as shown to staff; ``public()`` is the customer's subset."""

    kind: str
    kind_label: str
    state: str
    colour: str  # ok, at_risk, breached, paused, met, goal
    is_goal: bool
    target_minutes: int
    hours: str
    target_text: str
    started_at: datetime
    due_at: datetime | None
    stopped_at: datetime | None
    at_risk_at: datetime | None
    at_risk_notified_at: datetime | None
    breached_at: datetime | None
    policy: str
    policy_version: int
    priority: str
    calendar: str
    pauses: list[tuple[datetime, datetime | None]]
    minutes_used: int
    minutes_left: int | None
    explanation: str

    def public(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "kind_label": self.kind_label,
            "status": _PUBLIC_STATUS[self.state],
            "is_goal": self.is_goal,
            "target_minutes": self.target_minutes,
            "hours": self.hours,
            "target_text": self.target_text,
            "started_at": self.started_at,
            "due_at": self.due_at if self.state != ClockState.PAUSED else None,
            "stopped_at": self.stopped_at,
            # A target passed while still running: the customer reads "missed", not a past date.
            "is_missed": self.colour == "breached" and self.state != ClockState.MET,
        }


_PUBLIC_STATUS: dict[str, str] = {
    ClockState.RUNNING: "in_progress",
    ClockState.BREACHED: "in_progress",
    ClockState.PAUSED: "paused",
    ClockState.MET: "done",
}


def sla_clock_list_for_ticket(*, ticket: Ticket, now: datetime) -> list[ClockView]:
    """Every clock of the ticket (oldest first), explained."""
    clocks = (
        ticket.sla_clocks.select_related("policy", "calendar")
        .prefetch_related("calendar__windows", "calendar__holidays")
        .order_by("started_at", "id")
    )
    return [_view(clock, ticket, now) for clock in clocks]


def sla_clock_list_for_user(*, user: User, ticket: Ticket, now: datetime) -> list[dict[str, Any]]:
    """The clocks as ``user`` may see them: everything for staff, targets for customers."""
    views = sla_clock_list_for_ticket(ticket=ticket, now=now)
    if user.is_support_staff:
        return [{**view.public(), "internal": view} for view in views]
    return [{**view.public(), "internal": None} for view in views]


def sla_first_response_due(*, ticket: Ticket) -> datetime | None:
    """When the ticket's first response is due, if it has a running target (not a goal)."""
    if hasattr(ticket, STARTED_DUE_ATTRIBUTE):
        started: datetime | None = getattr(ticket, STARTED_DUE_ATTRIBUTE)
        return started
    return (
        ticket.sla_clocks.filter(
            kind=ClockKind.FIRST_RESPONSE, state=ClockState.RUNNING, is_goal=False
        )
        .values_list("due_at", flat=True)
        .first()
    )


def _view(clock: Clock, ticket: Ticket, now: datetime) -> ClockView:
    org = ticket.organization
    if clock.hours == Hours.BUSINESS and clock.calendar is not None:
        cal = sla_business_calendar(calendar=clock.calendar, org=org, year=now.year)
        calendar_text = calendar_describe(calendar=clock.calendar, org=org)
    else:
        cal, calendar_text = ALWAYS, calendar_describe(calendar=None, org=org)
    stretches = clock_stretches(clock)
    used = minutes_used(stretches, cal, now)
    left = max(clock.target_minutes - used, 0) if clock.is_open else None
    pauses = [
        (datetime.fromisoformat(start), datetime.fromisoformat(end)) for start, end in clock.pauses
    ]
    pauses_all: list[tuple[datetime, datetime | None]] = list(pauses)
    if clock.paused_at is not None and clock.is_open:
        pauses_all.append((clock.paused_at, None))
    target_text = duration_text(clock.target_minutes, clock.hours)
    policy = f"{clock.policy.name if clock.policy else 'deleted policy'} v{clock.policy_version}"
    view = ClockView(
        kind=clock.kind,
        kind_label=clock.get_kind_display(),
        state=clock.state,
        colour=_colour(clock, now),
        is_goal=clock.is_goal,
        target_minutes=clock.target_minutes,
        hours=clock.hours,
        target_text=target_text,
        started_at=clock.started_at,
        due_at=clock.due_at,
        stopped_at=clock.stopped_at,
        at_risk_at=clock.at_risk_at,
        at_risk_notified_at=clock.at_risk_notified_at,
        breached_at=clock.breached_at,
        policy=policy,
        policy_version=clock.policy_version,
        priority=clock.priority,
        calendar=calendar_text,
        pauses=pauses_all,
        minutes_used=used,
        minutes_left=left,
        explanation="",
    )
    return _explained(view)


def _colour(clock: Clock, now: datetime) -> str:
    if clock.is_goal:
        return "goal"
    if clock.state == ClockState.RUNNING and clock.due_at is not None and clock.due_at < now:
        return "breached"  # overdue; the next sweep records it
    if clock.state == ClockState.RUNNING and clock.at_risk_notified_at is not None:
        return "at_risk"
    return {
        ClockState.RUNNING: "ok",
        ClockState.PAUSED: "paused",
        ClockState.MET: "met",
        ClockState.BREACHED: "breached",
    }[ClockState(clock.state)]


def _explained(v: ClockView) -> ClockView:
    goal = " goal (best effort, never a breach)" if v.is_goal else ""
    parts = [
        f"{v.kind_label}{goal}: {v.target_text} for {v.priority} under {v.policy},",
        f"counted on {v.calendar}.",
        f"Started {_at(v.started_at)};",
        f"{v.minutes_used} of {v.target_minutes} minutes used",
    ]
    if v.pauses:
        parts[-1] += f", not counting {len(v.pauses)} pause(s)"
    parts[-1] += "."
    if v.state == ClockState.PAUSED:
        parts.append(f"Paused since {_at(v.pauses[-1][0])}; the deadline moves on resume.")
    elif v.due_at is not None:
        parts.append(f"Due {_at(v.due_at)}.")
    if v.breached_at is not None:
        parts.append(f"Breached at {_at(v.breached_at)}.")
    if v.stopped_at is not None:
        parts.append(f"Stopped {_at(v.stopped_at)}.")
    return ClockView(**{**v.__dict__, "explanation": " ".join(parts)})


def _at(value: datetime) -> str:
    """In the time zone of whoever reads it (the request's zone; UTC outside a request)."""
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M %Z")


def duration_text(minutes: int, hours: str) -> str:
    """As the playbook words targets: "8 business hours", "48 hours (24/7)", "1 week (24/7)"."""
    units = [(7 * 24 * 60, "week"), (60, "hour"), (24 * 60, "day"), (1, "minute")]
    if hours == Hours.BUSINESS:
        units = [(60, "hour"), (1, "minute")]
    for size, name in units:
        if name == "hour" and minutes > 48 * 60 and hours != Hours.BUSINESS:
            continue  # past two days, count days
        if minutes % size == 0 and minutes >= size:
            count = minutes // size
            noun = name if count == 1 else f"{name}s"
            if hours == Hours.BUSINESS:
                return f"{count} business {noun}"
            return f"{count} {noun} (24/7)"
    return "0 minutes"


def ticket_filter_sla(
    qs: QuerySet[Ticket], *, user: User, state: str, now: datetime
) -> QuerySet[Ticket]:
    """Tickets whose worst open clock is ``state`` (at_risk or breached), or (``due_1h``) whose
    nearest deadline falls within the coming hour and is not yet missed; staff only."""
    if state not in SLA_FILTERS:
        raise ValidationFailed.for_fields({"sla": f"Filter by one of: {', '.join(SLA_FILTERS)}."})
    if not user.is_support_staff:
        raise ValidationFailed.for_fields({"sla": "Only support staff can filter by SLA state."})
    if state == DUE_WITHIN_HOUR:
        return qs.filter(
            sla_summary__next_due_at__gt=now,
            sla_summary__next_due_at__lte=now + timedelta(hours=1),
            sla_summary__state__in=(SummaryState.OK, SummaryState.AT_RISK),
        )
    return qs.filter(sla_summary__state=state)


def ticket_order_by_deadline(
    qs: QuerySet[Ticket], after: tuple[datetime | None, int] | None
) -> QuerySet[Ticket]:
    """Nearest open deadline first (no deadline last), keyset-paginated on (deadline, id)."""
    qs = qs.filter(sla_summary__isnull=False)
    if after:
        at, last_id = after
        if at is None:
            qs = qs.filter(sla_summary__next_due_at__isnull=True, id__gt=last_id)
        else:
            qs = qs.filter(
                Q(sla_summary__next_due_at__gt=at)
                | Q(sla_summary__next_due_at=at, id__gt=last_id)
                | Q(sla_summary__next_due_at__isnull=True)
            )
    # Ordering on the summary's own columns lets PostgreSQL walk its (next_due_at, ticket) index.
    return qs.order_by(F("sla_summary__next_due_at").asc(nulls_last=True), "sla_summary__ticket_id")


def deadline_cursor_key(ticket: Ticket) -> str | None:
    summary = getattr(ticket, "sla_summary", None)
    due = summary.next_due_at if summary is not None else None
    return due.isoformat() if due is not None else None


def sla_breached_ticket_count(*, cap: int) -> int:
    """How many tickets have a breached target still open (at most ``cap + 1``), counted from
    the summaries alone: a summary reads "breached" only while a breached clock is open, and
    resolving or closing a ticket stops its clocks, so these tickets are all unsolved and the
    count needs no join with a million tickets."""
    breached = Summary.objects.filter(state=SummaryState.BREACHED)
    return breached.values("ticket_id")[: cap + 1].count()
