"""Response and resolution times, and SLA attainment from the SLA clocks."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Q

from lifebuoy.accounts.models import SupportTier
from lifebuoy.core.periods import Period
from lifebuoy.sla.models import Clock, ClockKind, ClockState
from lifebuoy.tickets.models import Ticket

from .common import (
    EVERYTHING,
    RESOLUTION_TARGET_HOURS,
    Metric,
    Scope,
    _hours,
    _ratio,
    _resolved_in,
    _tier_of_ticket,
    sla_metric,
)


def first_response_time(period: Period, scope: Scope = EVERYTHING) -> dict[str, Metric]:
    """Average calendar hours from creation to the first agent reply, overall and by priority."""
    wait = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    responded = Ticket.objects.filter(
        first_response_at__gte=period.start, first_response_at__lt=period.end
    )
    rows = (
        scope.filter(responded)
        .values("priority")
        .annotate(n=Count("id"), avg=Avg(wait))
        .order_by("priority")
    )
    result: dict[str, Metric] = {}
    total = 0
    weighted = 0.0
    for row in rows:
        hours = _hours(row["avg"])
        result[row["priority"]] = Metric(
            key=f"first_response_time_{row['priority'].lower()}",
            label=f"First response time {row['priority']}",
            value=hours,
            unit="h",
            count=row["n"],
        )
        total += row["n"]
        weighted += (hours or 0.0) * row["n"]
    result["all"] = Metric(
        key="first_response_time",
        label="First response time",
        value=weighted / total if total else None,
        unit="h",
        count=total,
        note="target: within SLA (see SLA attainment)",
    )
    return result


@dataclass(frozen=True)
class SlaAttainment:
    overall: Metric
    by_tier: list[Metric]
    by_priority: list[Metric]
    by_tier_and_priority: list[Metric]


def sla_attainment(
    period: Period, kind: str = ClockKind.FIRST_RESPONSE, scope: Scope = EVERYTHING
) -> SlaAttainment:
    """Share of SLA clocks met among those decided in the period, per tier and per priority.

    A clock is decided when it is met (stopped in time) or breached; best-effort goals are left
    out. The clocks count in the hours of their own policy, business or calendar.
    """
    decided = Q(state=ClockState.MET, stopped_at__gte=period.start, stopped_at__lt=period.end) | Q(
        state=ClockState.BREACHED, breached_at__gte=period.start, breached_at__lt=period.end
    )
    rows = list(
        scope.filter(Clock.objects.filter(decided, kind=kind, is_goal=False), "ticket__")
        .annotate(tier=_tier_of_ticket("ticket__"))
        .values("tier", "priority")
        .annotate(
            decided=Count("id"),
            met=Count("id", filter=Q(state=ClockState.MET)),
        )
        .order_by("tier", "priority")
    )

    tiers: dict[int, list[int]] = {}
    priorities: dict[str, list[int]] = {}
    for row in rows:
        for bucket, key in ((tiers, row["tier"]), (priorities, row["priority"])):
            counts = bucket.setdefault(key, [0, 0])
            counts[0] += row["met"]
            counts[1] += row["decided"]
    name = "first response" if kind == ClockKind.FIRST_RESPONSE else str(kind).replace("_", " ")
    return SlaAttainment(
        overall=sla_metric(
            f"sla_{kind}",
            f"SLA attainment, {name}",
            sum(r["met"] for r in rows),
            sum(r["decided"] for r in rows),
        ),
        by_tier=[
            sla_metric(f"sla_{kind}_tier_{tier}", f"SLA {name}, {SupportTier(tier).label}", *counts)
            for tier, counts in sorted(tiers.items())
            if tier
        ],
        by_priority=[
            sla_metric(f"sla_{kind}_{priority.lower()}", f"SLA {name}, {priority}", *counts)
            for priority, counts in sorted(priorities.items())
        ],
        by_tier_and_priority=[
            sla_metric(
                f"sla_{kind}_tier_{row['tier']}_{row['priority'].lower()}",
                f"SLA {name}, {SupportTier(row['tier']).label} {row['priority']}",
                row["met"],
                row["decided"],
            )
            for row in rows
            if row["tier"]
        ],
    )


def first_response_sla_hours(period: Period, scope: Scope = EVERYTHING) -> dict[str, Metric]:
    """Average first response in the hours its SLA counts (business hours for P2-P4 on paid
    tiers, calendar for P1), pauses left out: the minutes used by first-response clocks that
    were met or breached and stopped in the period."""
    stopped = Clock.objects.filter(
        kind=ClockKind.FIRST_RESPONSE,
        state__in=(ClockState.MET, ClockState.BREACHED),
        stopped_at__gte=period.start,
        stopped_at__lt=period.end,
    )
    rows = (
        scope.filter(stopped, "ticket__")
        .values("priority")
        .annotate(n=Count("id"), minutes=Avg("minutes_used"))
        .order_by("priority")
    )
    result: dict[str, Metric] = {}
    total = 0
    weighted = 0.0
    for row in rows:
        hours = float(row["minutes"]) / 60
        result[row["priority"]] = Metric(
            key=f"first_response_sla_hours_{row['priority'].lower()}",
            label=f"First response time in SLA hours {row['priority']}",
            value=hours,
            unit="h",
            count=row["n"],
        )
        total += row["n"]
        weighted += hours * row["n"]
    result["all"] = Metric(
        key="first_response_sla_hours",
        label="First response time in SLA hours",
        value=weighted / total if total else None,
        unit="h",
        count=total,
        note="business hours where the SLA counts them",
    )
    return result


def resolution_time(period: Period, scope: Scope = EVERYTHING) -> list[Metric]:
    """Average calendar hours from creation to resolution per priority, against its target."""
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    within = Q()
    for priority, hours in RESOLUTION_TARGET_HOURS.items():
        within |= Q(priority=priority, resolved_at__lt=F("created_at") + timedelta(hours=hours))
    rows = {
        row["priority"]: row
        for row in scope.filter(_resolved_in(period))
        .values("priority")
        .annotate(n=Count("id"), avg=Avg(took), within=Count("id", filter=within))
        .order_by("priority")
    }
    metrics = []
    for priority, target in RESOLUTION_TARGET_HOURS.items():
        row = rows.get(priority)
        within_share = _ratio(row["within"], row["n"]) if row else None
        metrics.append(
            Metric(
                key=f"resolution_time_{priority.lower()}",
                label=f"Resolution time {priority}",
                value=_hours(row["avg"]) if row else None,
                target=target,
                comparison="<",
                unit="h",
                count=row["n"] if row else 0,
                note=""
                if within_share is None
                else f"{within_share * 100:.0f}% resolved within target",
            )
        )
    return metrics


# -- Satisfaction -----------------------------------------------------------------------------
