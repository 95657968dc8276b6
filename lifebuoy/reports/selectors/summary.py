"""The weekly report's summary counts and the action items from other features."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q

from lifebuoy.core.periods import Period
from lifebuoy.kb.selectors import kb_weekly_review
from lifebuoy.monitoring.models import BudgetAlert
from lifebuoy.tickets.models import Ticket

from .common import EVERYTHING, Scope


def summary_counts(period: Period, scope: Scope = EVERYTHING) -> dict[str, int]:
    """Created in the period, resolved in the period, and open at its end (one query)."""
    return scope.filter(Ticket.objects.filter(created_at__lt=period.end)).aggregate(
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


def budget_alerts(period: Period, scope: Scope = EVERYTHING) -> list[dict[str, Any]]:
    """Monitoring budget thresholds crossed in the period, one row per alert (one query)."""
    alerts = BudgetAlert.objects.filter(created_at__gte=period.start, created_at__lt=period.end)
    rows = (
        scope.filter(alerts, "deployment__")
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
