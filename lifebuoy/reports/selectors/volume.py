"""Ticket volume and its trends, and escalations."""

from __future__ import annotations

from datetime import UTC
from typing import Any

from django.db.models import Count, Q
from django.db.models.functions import TruncDay, TruncMonth, TruncWeek

from lifebuoy.core.periods import Period
from lifebuoy.escalations.models import EscalationStep, Level
from lifebuoy.tickets.models import Category, Channel, Priority, Ticket

from .common import ESCALATION_TARGET, EVERYTHING, Metric, Scope, _created_in, _ratio


def volume(period: Period, scope: Scope = EVERYTHING) -> dict[str, Any]:
    """Tickets created in the period: total, per day/week/month, and by each dimension."""
    tickets = scope.filter(_created_in(period))

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


def category_trend(period: Period, scope: Scope = EVERYTHING) -> list[dict[str, Any]]:
    """Tickets per category in the period and in the period before it (one query)."""
    before = period.previous()
    created = Ticket.objects.filter(created_at__gte=before.start, created_at__lt=period.end)
    rows = (
        scope.filter(created)
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


def escalation_rate(period: Period, scope: Scope = EVERYTHING) -> Metric:
    """Of the tickets created in the period, the share with at least one escalation step."""
    counts = scope.filter(_created_in(period)).aggregate(
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


def escalations(period: Period, scope: Scope = EVERYTHING) -> dict[str, int]:
    """Distinct tickets escalated in the period, and of them those sent to Engineering/Product."""
    steps = EscalationStep.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    return scope.filter(steps, "ticket__").aggregate(
        total=Count("ticket", distinct=True),
        engineering=Count("ticket", distinct=True, filter=Q(to_level=Level.ENGINEERING)),
        product=Count("ticket", distinct=True, filter=Q(to_level=Level.PRODUCT)),
    )


# -- Efficiency -------------------------------------------------------------------------------
