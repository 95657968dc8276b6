"""The desk as it stands now, for the support lead dashboard: open tickets, SLA clocks at risk
or breached, escalations owed a follow-up, who is on call, deployments with open problems.

Counts are grouped in SQL; lists are capped at ``limit`` rows (their totals are counted apart).
Every function takes a ``Scope`` except on-call, which is the whole desk's.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.periods import Period
from lifebuoy.escalations.selectors import (
    FollowUp,
    escalated_list_for_user,
    open_pages,
    schedule_overview,
)
from lifebuoy.monitoring.models import Problem
from lifebuoy.sla.models import Summary, SummaryState
from lifebuoy.tickets.models import OPEN_STATUSES, Priority, Ticket

from .common import Scope

LIST_LIMIT = 25


def open_by_priority(scope: Scope, today: Period) -> list[dict[str, Any]]:
    """Open tickets per priority now, and of them those opened today (one query)."""
    rows = {
        row["priority"]: row
        for row in scope.filter(Ticket.objects.filter(status__in=OPEN_STATUSES))
        .values("priority")
        .annotate(  # columns of the (status, priority, created_at) index only: no table reads
            open=Count("*"),
            new=Count(
                "created_at", filter=Q(created_at__gte=today.start, created_at__lt=today.end)
            ),
        )
        .order_by("priority")
    }
    return [
        {
            "priority": label,
            "open": rows[key]["open"] if key in rows else 0,
            "new": rows[key]["new"] if key in rows else 0,
        }
        for key, label in Priority.choices
    ]


SLA_STATES = (SummaryState.BREACHED, SummaryState.AT_RISK)


@dataclass(frozen=True)
class SlaRisk:
    counts: list[dict[str, Any]]  # per priority: at_risk, breached
    tickets: list[Summary]  # breached first, then the nearest deadline
    total: int


def sla_at_risk(scope: Scope, limit: int = LIST_LIMIT) -> SlaRisk:
    """Open tickets whose worst running SLA clock is at risk or breached (two queries)."""
    summaries = scope.filter(
        Summary.objects.filter(state__in=SLA_STATES, ticket__status__in=OPEN_STATUSES), "ticket__"
    )
    grouped = summaries.values("ticket__priority", "state").annotate(n=Count("ticket_id"))
    by: dict[tuple[str, str], int] = {
        (row["ticket__priority"], row["state"]): row["n"] for row in grouped
    }
    counts = [
        {
            "priority": label,
            "at_risk": by.get((key, SummaryState.AT_RISK), 0),
            "breached": by.get((key, SummaryState.BREACHED), 0),
        }
        for key, label in Priority.choices
    ]
    worst = (
        summaries.select_related("ticket__organization")
        .order_by("-state", "next_due_at", "ticket_id")  # "breached" > "at_risk": breached first
        .only(
            "state",
            "next_due_at",
            "ticket__subject",
            "ticket__priority",
            "ticket__organization__name",
        )[:limit]
    )
    return SlaRisk(counts=counts, tickets=list(worst), total=sum(by.values()))


def _in_scope(scope: Scope, organization: Organization) -> bool:
    if scope.organization_id is not None and organization.id != scope.organization_id:
        return False
    return scope.tier is None or int(organization.support_tier) == scope.tier


def escalations_awaiting(*, user: User, scope: Scope, now: datetime) -> list[FollowUp]:
    """Escalated tickets with the customer update they are owed, overdue first. Escalated
    tickets are few, so the scope is applied to the escalations view's rows."""
    rows = escalated_list_for_user(user=user, now=now)
    return [row for row in rows if _in_scope(scope, row.ticket.organization)]


def oncall_now(*, now: datetime) -> dict[str, Any]:
    """Who is on call in each schedule, and pages waiting for acknowledgement."""
    return {
        "schedules": [
            {"schedule": s.schedule.name, "oncall": s.oncall.display_name if s.oncall else ""}
            for s in schedule_overview(now=now)
        ],
        "open_pages": len(open_pages()),
    }


def deployment_problems(scope: Scope, limit: int = 50) -> tuple[list[Problem], int]:
    """Open problems of monitored deployments, newest first, and how many there are."""
    problems = scope.filter(
        Problem.objects.filter(cleared_at__isnull=True, deployment__is_active=True),
        "deployment__",
    )
    listed = problems.select_related("deployment__organization", "ticket").order_by(
        "-opened_at", "-id"
    )[:limit]
    return list(listed), problems.count()
