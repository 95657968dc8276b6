"""The support metrics of docs/metrics.md, computed for a period with aggregation in SQL.

Every selector runs a fixed number of queries, whatever the number of tickets: counts and
averages are grouped in the database, and Python only shapes the few grouped rows.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, timedelta
from typing import Any

from django.db.models import Avg, Case, Count, DurationField, ExpressionWrapper, F, Q, Value, When
from django.db.models import IntegerField as IntField
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from lifebuoy.accounts.models import PLAN_TIER, STAFF_ROLES, SupportTier
from lifebuoy.escalations.models import EscalationStep, Level
from lifebuoy.kb.selectors import kb_deflection_rate, kb_weekly_review
from lifebuoy.monitoring.models import BudgetAlert
from lifebuoy.sla.models import Clock, ClockKind, ClockState
from lifebuoy.tickets.models import Category, Channel, Priority, Ticket

from .periods import Period

SLA_ATTAINMENT_TARGET = 0.95
RESOLUTION_TARGET_HOURS: dict[str, float] = {"P1": 4, "P2": 24, "P3": 48, "P4": 7 * 24}
REOPEN_TARGET = 0.05
ESCALATION_TARGET = 0.10
FCR_TARGET = 0.70
CSAT_TARGET = 4.5
NPS_TARGET = 50.0
AWAITING_SURVEYS = "awaiting surveys"


@dataclass(frozen=True)
class Metric:
    """One number with its target. ``met`` is None when there is nothing to judge."""

    key: str
    label: str
    value: float | None
    target: float | None = None
    comparison: str = ""  # "<", ">" or ">=": how value must compare with target
    unit: str = ""  # "%" (value is a share 0..1), "h", "/5" or ""
    count: int | None = None  # size of the cohort the value is computed on
    note: str = ""
    met: bool | None = field(init=False)

    def __post_init__(self) -> None:
        met: bool | None = None
        if self.value is not None and self.target is not None:
            if self.comparison == "<":
                met = self.value < self.target
            elif self.comparison == ">":
                met = self.value > self.target
            elif self.comparison == ">=":
                met = self.value >= self.target
        object.__setattr__(self, "met", met)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def show(self, value: float | None = None) -> str:
        value = self.value if value is None else value
        if value is None:
            return self.note or "no data"
        if self.unit == "%":
            return f"{value * 100:.1f}%"
        if self.unit == "h":
            return f"{value:.1f} h"
        if self.unit == "/5":
            return f"{value:.2f}/5"
        return f"{value:g}"

    def target_text(self) -> str:
        if self.target is None:
            return "no target"
        return f"{self.comparison} {self.show(self.target)}".replace(">=", "≥")


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _hours(delta: timedelta | None) -> float | None:
    return None if delta is None else delta.total_seconds() / 3600


def _created_in(period: Period) -> Any:
    return Ticket.objects.filter(created_at__gte=period.start, created_at__lt=period.end)


def _resolved_in(period: Period) -> Any:
    return Ticket.objects.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)


def _tier_of_ticket(prefix: str = "") -> Case:
    """The support tier of the ticket's organization's plan, computed in SQL."""
    by_tier: dict[int, list[str]] = {}
    for plan, tier in PLAN_TIER.items():
        by_tier.setdefault(int(tier), []).append(plan)
    return Case(
        *(
            When(**{f"{prefix}organization__plan__in": plans}, then=Value(tier))
            for tier, plans in sorted(by_tier.items())
        ),
        default=Value(0),
        output_field=IntField(),
    )


# -- Response time ----------------------------------------------------------------------------


def first_response_time(period: Period) -> dict[str, Metric]:
    """Average calendar hours from creation to the first agent reply, overall and by priority."""
    wait = ExpressionWrapper(F("first_response_at") - F("created_at"), output_field=DurationField())
    rows = (
        Ticket.objects.filter(first_response_at__gte=period.start, first_response_at__lt=period.end)
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


def sla_attainment(period: Period, kind: str = ClockKind.FIRST_RESPONSE) -> SlaAttainment:
    """Share of SLA clocks met among those decided in the period, per tier and per priority.

    A clock is decided when it is met (stopped in time) or breached; best-effort goals are left
    out. The clocks count in the hours of their own policy, business or calendar.
    """
    decided = Q(state=ClockState.MET, stopped_at__gte=period.start, stopped_at__lt=period.end) | Q(
        state=ClockState.BREACHED, breached_at__gte=period.start, breached_at__lt=period.end
    )
    rows = list(
        Clock.objects.filter(decided, kind=kind, is_goal=False)
        .annotate(tier=_tier_of_ticket("ticket__"))
        .values("tier", "priority")
        .annotate(
            decided=Count("id"),
            met=Count("id", filter=Q(state=ClockState.MET)),
        )
        .order_by("tier", "priority")
    )

    def metric(key: str, label: str, met: int, decided: int) -> Metric:
        return Metric(
            key=key,
            label=label,
            value=_ratio(met, decided),
            target=SLA_ATTAINMENT_TARGET,
            comparison=">=",
            unit="%",
            count=decided,
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
        overall=metric(
            f"sla_{kind}",
            f"SLA attainment, {name}",
            sum(r["met"] for r in rows),
            sum(r["decided"] for r in rows),
        ),
        by_tier=[
            metric(f"sla_{kind}_tier_{tier}", f"SLA {name}, {SupportTier(tier).label}", *counts)
            for tier, counts in sorted(tiers.items())
            if tier
        ],
        by_priority=[
            metric(f"sla_{kind}_{priority.lower()}", f"SLA {name}, {priority}", *counts)
            for priority, counts in sorted(priorities.items())
        ],
        by_tier_and_priority=[
            metric(
                f"sla_{kind}_tier_{row['tier']}_{row['priority'].lower()}",
                f"SLA {name}, {SupportTier(row['tier']).label} {row['priority']}",
                row["met"],
                row["decided"],
            )
            for row in rows
            if row["tier"]
        ],
    )


def first_response_sla_hours(period: Period) -> dict[str, Metric]:
    """Average first response in the hours its SLA counts (business hours for P2-P4 on paid
    tiers, calendar for P1), pauses left out: the minutes used by first-response clocks that
    were met or breached and stopped in the period."""
    rows = (
        Clock.objects.filter(
            kind=ClockKind.FIRST_RESPONSE,
            state__in=(ClockState.MET, ClockState.BREACHED),
            stopped_at__gte=period.start,
            stopped_at__lt=period.end,
        )
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


def resolution_time(period: Period) -> list[Metric]:
    """Average calendar hours from creation to resolution per priority, against its target."""
    took = ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())
    within = Q()
    for priority, hours in RESOLUTION_TARGET_HOURS.items():
        within |= Q(priority=priority, resolved_at__lt=F("created_at") + timedelta(hours=hours))
    rows = {
        row["priority"]: row
        for row in _resolved_in(period)
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


def csat(period: Period) -> Metric:
    return Metric(
        key="csat", label="CSAT", value=None, target=CSAT_TARGET, comparison=">", unit="/5",
        note=AWAITING_SURVEYS,
    )  # fmt: skip


def nps(period: Period) -> Metric:
    return Metric(
        key="nps", label="NPS", value=None, target=NPS_TARGET, comparison=">",
        note=AWAITING_SURVEYS,
    )  # fmt: skip


def reopen_rate(period: Period) -> Metric:
    """Of the tickets created in the period and resolved at least once, the share reopened."""
    counts = _created_in(period).aggregate(
        resolved=Count("id", filter=Q(resolved_at__isnull=False) | Q(reopen_count__gt=0)),
        reopened=Count("id", filter=Q(reopen_count__gt=0)),
    )
    return Metric(
        key="reopen_rate",
        label="Reopen rate",
        value=_ratio(counts["reopened"], counts["resolved"]),
        target=REOPEN_TARGET,
        comparison="<",
        unit="%",
        count=counts["resolved"],
    )


# -- Volume -----------------------------------------------------------------------------------


def volume(period: Period) -> dict[str, Any]:
    """Tickets created in the period: total, per day/week/month, and by each dimension."""
    tickets = _created_in(period)

    def series(trunc: Any) -> list[dict[str, Any]]:
        rows = tickets.annotate(at=trunc).values("at").annotate(n=Count("id")).order_by("at")
        return [{"start": row["at"].date().isoformat(), "count": row["n"]} for row in rows]

    def by(name: str, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
        rows = tickets.values(name).annotate(n=Count("id")).order_by("-n", name)
        return [
            {"key": row[name], "label": (labels or {}).get(row[name], row[name]), "count": row["n"]}
            for row in rows
        ]

    return {
        "total": tickets.count(),
        "per_day": series(TruncDay("created_at", tzinfo=UTC)),
        "per_week": series(TruncWeek("created_at", tzinfo=UTC)),
        "per_month": series(TruncMonth("created_at", tzinfo=UTC)),
        "by_priority": by("priority", dict(Priority.choices)),
        "by_category": by("category", dict(Category.choices)),
        "by_channel": by("channel", dict(Channel.choices)),
        "by_organization": by("organization__name"),
    }


def category_trend(period: Period) -> list[dict[str, Any]]:
    """Tickets per category in the period and in the period before it (one query)."""
    before = period.previous()
    rows = (
        Ticket.objects.filter(created_at__gte=before.start, created_at__lt=period.end)
        .values("category")
        .annotate(
            now=Count("id", filter=Q(created_at__gte=period.start)),
            before=Count("id", filter=Q(created_at__lt=period.start)),
        )
        .order_by("-now", "category")
    )
    labels = dict(Category.choices)
    return [
        {
            "key": row["category"],
            "label": labels.get(row["category"], row["category"]),
            "count": row["now"],
            "previous": row["before"],
        }
        for row in rows
    ]


# -- Escalation -------------------------------------------------------------------------------


def escalation_rate(period: Period) -> Metric:
    """Of the tickets created in the period, the share with at least one escalation step."""
    counts = _created_in(period).aggregate(
        total=Count("id", distinct=True),
        escalated=Count("id", distinct=True, filter=Q(escalation_steps__isnull=False)),
    )
    return Metric(
        key="escalation_rate",
        label="Escalation rate",
        value=_ratio(counts["escalated"], counts["total"]),
        target=ESCALATION_TARGET,
        comparison="<",
        unit="%",
        count=counts["total"],
    )


def escalations(period: Period) -> dict[str, int]:
    """Distinct tickets escalated in the period, and of them those sent to Engineering/Product."""
    return EscalationStep.objects.filter(
        created_at__gte=period.start, created_at__lt=period.end
    ).aggregate(
        total=Count("ticket", distinct=True),
        engineering=Count("ticket", distinct=True, filter=Q(to_level=Level.ENGINEERING)),
        product=Count("ticket", distinct=True, filter=Q(to_level=Level.PRODUCT)),
    )


# -- Efficiency -------------------------------------------------------------------------------


def first_contact_resolution(period: Period) -> Metric:
    """Of the tickets resolved in the period, the share resolved with exactly one public agent
    reply and never reopened."""
    counts = (
        _resolved_in(period)
        .annotate(
            agent_replies=Count(
                "messages",
                filter=Q(messages__is_internal=False, messages__author__role__in=STAFF_ROLES),
            )
        )
        .aggregate(
            total=Count("id"),
            fcr=Count("id", filter=Q(agent_replies=1, reopen_count=0)),
        )
    )
    return Metric(
        key="first_contact_resolution",
        label="First contact resolution",
        value=_ratio(counts["fcr"], counts["total"]),
        target=FCR_TARGET,
        comparison=">",
        unit="%",
        count=counts["total"],
    )


def kb_deflection(period: Period) -> Metric:
    rate = kb_deflection_rate(since=period.start, until=period.end)
    return Metric(
        key="kb_deflection_rate",
        label="Knowledge-base deflection rate",
        value=rate.rate,
        unit="%",
        count=rate.attempts,
    )


def average_handle_time(period: Period) -> Metric:
    return Metric(
        key="average_handle_time",
        label="Average handle time",
        value=None,
        unit="h",
        note="not yet available",
    )


def summary_counts(period: Period) -> dict[str, int]:
    """Created in the period, resolved in the period, and open at its end (one query)."""
    return Ticket.objects.filter(created_at__lt=period.end).aggregate(
        total=Count("id", filter=Q(created_at__gte=period.start)),
        resolved=Count("id", filter=Q(resolved_at__gte=period.start, resolved_at__lt=period.end)),
        open=Count(
            "id",
            filter=(Q(resolved_at__isnull=True) | Q(resolved_at__gte=period.end))
            & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.end)),
        ),
    )


# -- Signals for action items -------------------------------------------------------------------


def kb_most_viewed_due_for_review(period: Period) -> dict[str, Any] | None:
    """The most viewed published article not reviewed in the week before the period's end."""
    due = kb_weekly_review(now=period.end, limit=1)
    if not due:
        return None
    article = due[0]
    return {"id": article.article_id, "title": article.title, "views": article.view_count}


def budget_alerts(period: Period) -> list[dict[str, Any]]:
    """Monitoring budget thresholds crossed in the period, one row per alert (one query)."""
    rows = (
        BudgetAlert.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
        .values("deployment__name", "deployment__organization__name", "threshold", "spent")
        .order_by("deployment__organization__name", "deployment__name", "threshold")
    )
    return [
        {
            "organization": row["deployment__organization__name"],
            "deployment": row["deployment__name"],
            "threshold": row["threshold"],
            "spent": str(row["spent"]),
        }
        for row in rows
    ]
