"""Reads for the quarterly business review of one organization, and its access gate.

``qbr_organization_get_for_user`` is the one gate: staff may open any organization's review, a
customer only their own organization's; a missing organization and another one's are the same
404. The figures are computed for one organization over a period with aggregation in SQL, a
fixed number of queries per review (plus a few per monitored deployment).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, QuerySet

from lifebuoy.accounts.models import PLAN_TIER, Organization, Role, SupportTier, User
from lifebuoy.core.errors import NotFound
from lifebuoy.core.periods import Period
from lifebuoy.escalations.models import EscalationStep, Level
from lifebuoy.monitoring import selectors as monitoring
from lifebuoy.monitoring.models import BudgetAlert, Deployment, Problem
from lifebuoy.sla.models import Clock, ClockKind, ClockState
from lifebuoy.tickets.models import OPEN_STATUSES, Category, Priority, Ticket

from .common import ESCALATION_TARGET, Metric, _ratio, sla_metric

QBR_TIERS = frozenset({SupportTier.PREMIUM, SupportTier.MANAGED})
QBR_PLANS = frozenset(plan for plan, tier in PLAN_TIER.items() if tier in QBR_TIERS)
RISK_PRIORITIES = (Priority.P1, Priority.P2)


def qbr_offered(organization: Organization) -> bool:
    """Quarterly business reviews are part of Premium and Managed Services support."""
    return organization.support_tier in QBR_TIERS


def qbr_organization_get_for_user(*, user: User, slug: str) -> Organization:
    """The gate: staff see every organization, an organization admin only their own; else
    404 (a plain member too: reviews are for the organization's admins)."""
    organization = Organization.objects.filter(slug=slug).first()
    own = (
        organization is not None
        and user.administers_organization
        and user.organization_id == organization.id
    )
    if organization is None or not user.is_active or not (user.is_support_staff or own):
        raise NotFound("organization_not_found", f"Organization “{slug}” was not found.")
    return organization


def qbr_organization_get(*, slug: str) -> Organization | None:
    """For trusted callers (the command line); people go through the gate above."""
    return Organization.objects.filter(slug=slug).first()


def qbr_organization_list() -> QuerySet[Organization]:
    """Every organization a review is made for."""
    return Organization.objects.filter(plan__in=QBR_PLANS).order_by("name")


def qbr_recipients(*, organization: Organization) -> QuerySet[User]:
    """The organization's contacts: its active admins who did not turn the review's email off,
    with a deliverable address."""
    return (
        User.objects.filter(
            organization=organization,
            role=Role.CUSTOMER,
            is_active=True,
            is_organization_admin=True,
            email_business_reviews=True,
        )
        .exclude(email__endswith=".invalid")
        .order_by("id")
    )


# -- tickets ------------------------------------------------------------------------------------


def _tickets(organization: Organization) -> QuerySet[Ticket]:
    return Ticket.objects.filter(organization=organization)


def qbr_ticket_counts(*, organization: Organization, period: Period) -> dict[str, Any]:
    """Created, resolved and open at the end of the period, and the created ones by category and
    by priority (two queries)."""
    counts = (
        _tickets(organization)
        .filter(created_at__lt=period.end)
        .aggregate(
            created=Count("id", filter=Q(created_at__gte=period.start)),
            resolved=Count(
                "id", filter=Q(resolved_at__gte=period.start, resolved_at__lt=period.end)
            ),
            open=Count(
                "id",
                filter=(Q(resolved_at__isnull=True) | Q(resolved_at__gte=period.end))
                & (Q(closed_at__isnull=True) | Q(closed_at__gte=period.end)),
            ),
        )
    )
    rows = list(
        _tickets(organization)
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .values("category", "priority")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_category: dict[str, int] = {}
    by_priority: dict[str, int] = {}
    for row in rows:
        by_category[row["category"]] = by_category.get(row["category"], 0) + row["n"]
        by_priority[row["priority"]] = by_priority.get(row["priority"], 0) + row["n"]
    labels = dict(Category.choices)
    return {
        **counts,
        "by_category": [
            {"key": key, "label": labels.get(key, key), "count": n}
            for key, n in sorted(by_category.items(), key=lambda item: (-item[1], item[0]))
        ],
        "by_priority": [
            {"key": key, "label": key, "count": by_priority.get(key, 0)} for key in Priority.values
        ],
    }


# -- SLA ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class QbrSla:
    first_response: Metric
    resolution: Metric
    by_priority: list[tuple[str, Metric, Metric]]  # priority, first response, resolution


def qbr_sla(*, organization: Organization, period: Period) -> QbrSla:
    """SLA attainment of the organization's clocks decided in the period (as in
    docs/metrics.md: met when stopped in the period, breached when the breach falls in it;
    best-effort goals left out), for first response and resolution, by priority (one query)."""
    decided = Q(state=ClockState.MET, stopped_at__gte=period.start, stopped_at__lt=period.end) | Q(
        state=ClockState.BREACHED, breached_at__gte=period.start, breached_at__lt=period.end
    )
    rows = (
        Clock.objects.filter(decided, ticket__organization=organization, is_goal=False)
        .values("kind", "priority")
        .annotate(decided=Count("id"), met=Count("id", filter=Q(state=ClockState.MET)))
        .order_by()
    )
    counts: dict[tuple[str, str], tuple[int, int]] = {
        (row["kind"], row["priority"]): (row["met"], row["decided"]) for row in rows
    }

    def total(kind: str) -> tuple[int, int]:
        pairs = [pair for (k, _), pair in counts.items() if k == kind]
        return sum(p[0] for p in pairs), sum(p[1] for p in pairs)

    first, resolution = ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION
    return QbrSla(
        first_response=sla_metric("sla_first_response", "SLA first response", *total(first)),
        resolution=sla_metric("sla_resolution", "SLA resolution", *total(resolution)),
        by_priority=[
            (
                priority,
                sla_metric(
                    f"sla_first_response_{priority.lower()}",
                    f"SLA first response, {priority}",
                    *counts.get((first, priority), (0, 0)),
                ),
                sla_metric(
                    f"sla_resolution_{priority.lower()}",
                    f"SLA resolution, {priority}",
                    *counts.get((resolution, priority), (0, 0)),
                ),
            )
            for priority in Priority.values
        ],
    )


# -- escalations --------------------------------------------------------------------------------


def qbr_escalations(*, organization: Organization, period: Period) -> dict[str, Any]:
    """Distinct tickets escalated in the period (to Engineering, to Product), and the share of
    the tickets created in the period escalated at least once (two queries)."""
    steps = EscalationStep.objects.filter(
        ticket__organization=organization,
        created_at__gte=period.start,
        created_at__lt=period.end,
    ).aggregate(
        total=Count("ticket", distinct=True),
        engineering=Count("ticket", distinct=True, filter=Q(to_level=Level.ENGINEERING)),
        product=Count("ticket", distinct=True, filter=Q(to_level=Level.PRODUCT)),
    )
    created = (
        _tickets(organization)
        .filter(created_at__gte=period.start, created_at__lt=period.end)
        .aggregate(
            total=Count("id", distinct=True),
            escalated=Count("id", distinct=True, filter=Q(escalation_steps__isnull=False)),
        )
    )
    rate = Metric(
        key="escalation_rate",
        label="Escalation rate",
        value=_ratio(created["escalated"], created["total"]),
        target=ESCALATION_TARGET,
        comparison="<",
        unit="%",
        count=created["total"],
    )
    return {**steps, "rate": rate}


# -- monitoring ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DeploymentReview:
    name: str
    uptime: list[monitoring.Uptime]
    cost: Decimal
    tasks: int
    budget: Decimal | None  # the monthly budget times the months of the period
    budget_alerts: int

    @property
    def budget_used_percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.cost * 100 / self.budget).quantize(Decimal("0.1"))


def qbr_deployments(
    *, organization: Organization, period: Period, now: datetime
) -> list[DeploymentReview]:
    """Agent uptime and cost of each monitored deployment over the period (up to ``now`` for
    the quarter under way)."""
    end = min(period.end, max(now, period.start))
    months = (period.end.year - period.start.year) * 12 + period.end.month - period.start.month
    alerts = dict(
        BudgetAlert.objects.filter(
            deployment__organization=organization,
            created_at__gte=period.start,
            created_at__lt=period.end,
        )
        .values("deployment")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("deployment", "n")
    )
    reviews = []
    for deployment in Deployment.objects.filter(organization=organization).order_by("name"):
        cost = monitoring.cost_summary(
            deployment=deployment, start=period.start.date(), end=period.end.date()
        )
        budget = deployment.monthly_budget
        reviews.append(
            DeploymentReview(
                name=deployment.name,
                uptime=monitoring.uptime_for_deployment(
                    deployment=deployment, start=period.start, end=end
                ),
                cost=cost.cost,
                tasks=cost.tasks,
                budget=None if budget is None else budget * months,
                budget_alerts=alerts.get(deployment.id, 0),
            )
        )
    return reviews


# -- open risks ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Risks:
    urgent_tickets: list[Ticket]  # open P1/P2
    breached_tickets: list[Ticket]  # open, with an SLA clock breached
    problems: list[Problem]  # monitoring problems not cleared
    budget_alerts: list[BudgetAlert]  # thresholds crossed in the period

    @property
    def count(self) -> int:
        return (
            len(self.urgent_tickets)
            + len(self.breached_tickets)
            + len(self.problems)
            + len(self.budget_alerts)
        )


def qbr_risks(*, organization: Organization, period: Period) -> Risks:
    """What is open now (tickets, breaches, monitoring problems) and the budget thresholds the
    organization's deployments crossed in the period (four queries)."""
    open_tickets = _tickets(organization).filter(status__in=OPEN_STATUSES).order_by("id")
    return Risks(
        urgent_tickets=list(open_tickets.filter(priority__in=RISK_PRIORITIES)),
        breached_tickets=list(
            open_tickets.filter(sla_clocks__state=ClockState.BREACHED).distinct()
        ),
        problems=list(
            Problem.objects.filter(deployment__organization=organization, cleared_at=None)
            .select_related("deployment")
            .order_by("opened_at", "id")
        ),
        budget_alerts=list(
            BudgetAlert.objects.filter(
                deployment__organization=organization,
                created_at__gte=period.start,
                created_at__lt=period.end,
            )
            .select_related("deployment")
            .order_by("created_at", "id")
        ),
    )
