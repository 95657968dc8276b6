"""Reads for monitoring. ``deployment_get_for_user`` is the gate every deployment read uses:
staff see every deployment, a customer only their organization's; missing and not-yours are
the same 404.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from enum import StrEnum
from fractions import Fraction

from django.db.models import Count, F, Q, QuerySet, Sum

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.errors import NotFound
from lifebuoy.monitoring.models import (
    AgentState,
    AgentStatus,
    AgentStatusChange,
    AgentTask,
    Deployment,
    DoctorRun,
    Problem,
    UsageRecord,
)

UPTIME_TARGET = Fraction(999, 1000)  # Managed Services: 99.9 %


def deployment_visible(*, user: User) -> QuerySet[Deployment]:
    if not user.is_active:
        return Deployment.objects.none()
    if user.is_support_staff:
        return Deployment.objects.all()
    if user.organization_id is None:
        return Deployment.objects.none()
    return Deployment.objects.filter(organization_id=user.organization_id)


def deployment_list_for_user(*, user: User) -> QuerySet[Deployment]:
    return deployment_visible(user=user).select_related("organization", "owner")


@dataclass(frozen=True)
class DeploymentFilters:
    organization: int | None = None
    text: str = ""  # in the name or the repository
    attention: bool = False  # only those with an open problem or failing polls


def deployment_list_filtered(
    *, user: User, filters: DeploymentFilters = DeploymentFilters()
) -> QuerySet[Deployment]:
    """The deployments ``user`` may see, those needing attention first (most open problems,
    then failing polls), each with ``open_problems`` counted."""
    deployments = deployment_list_for_user(user=user).annotate(
        open_problems=Count("problems", filter=Q(problems__cleared_at__isnull=True))
    )
    if filters.organization is not None:
        deployments = deployments.filter(organization_id=filters.organization)
    if filters.text:
        deployments = deployments.filter(
            Q(name__icontains=filters.text) | Q(repository__icontains=filters.text)
        )
    if filters.attention:
        deployments = deployments.filter(Q(open_problems__gt=0) | Q(failing_since__isnull=False))
    failing_first = F("failing_since").asc(nulls_last=True)
    return deployments.order_by("-open_problems", failing_first, "organization__name", "name", "id")


class Health(StrEnum):
    """A deployment's health at a glance, worst first."""

    FAILING = "failing"  # every poll fails: the repository cannot be read
    PROBLEMS = "problems"  # polls work, and problems are open
    NO_CONSENT = "no_consent"  # not read without the customer's consent
    NOT_POLLED = "not_polled"  # registered, first poll still to come
    HEALTHY = "healthy"


@dataclass(frozen=True)
class DeploymentHealth:
    deployment: Deployment
    health: Health
    open_problems: int
    agents_offline: int


def deployment_health_list_for_organization(
    *, organization: Organization
) -> list[DeploymentHealth]:
    """An organization's active deployments and how each is doing, worst first (one query).

    For staff pages (the ticket page's requester panel): no viewer check here."""
    deployments = (
        Deployment.objects.filter(organization=organization, is_active=True)
        .annotate(
            problem_count=Count(
                "problems", filter=Q(problems__cleared_at__isnull=True), distinct=True
            ),
            offline_count=Count(
                "agents", filter=Q(agents__status=AgentStatus.OFFLINE), distinct=True
            ),
        )
        .order_by("name", "id")
    )
    rows = [
        DeploymentHealth(
            d, _health(d, d.problem_count + d.offline_count), d.problem_count, d.offline_count
        )
        for d in deployments
    ]
    worst = list(Health)
    return sorted(rows, key=lambda row: worst.index(row.health))


def _health(deployment: Deployment, troubles: int) -> Health:
    if not deployment.has_read_consent:
        return Health.NO_CONSENT
    if deployment.failing_since is not None:
        return Health.FAILING
    if troubles:
        return Health.PROBLEMS
    if deployment.last_polled_at is None:
        return Health.NOT_POLLED
    return Health.HEALTHY


def deployment_get_for_user(*, user: User, deployment_id: int) -> Deployment:
    deployment = deployment_list_for_user(user=user).filter(id=deployment_id).first()
    if deployment is None:
        raise NotFound("deployment_not_found", f"Deployment {deployment_id} was not found.")
    return deployment


def deployment_get(*, deployment_id: int) -> Deployment | None:
    return (
        Deployment.objects.select_related("organization", "owner").filter(id=deployment_id).first()
    )


def deployment_list_due(*, now: datetime, limit: int) -> list[Deployment]:
    """Deployments to poll now: active, with read consent, and due (oldest due first).

    Consent is checked here and again when a worker claims one, so a withdrawal stops polling
    at once, even for a deployment already listed."""
    due = (
        Deployment.objects.filter(is_active=True, has_read_consent=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .select_related("organization", "owner")
        .order_by("next_poll_at", "id")
    )
    return list(due[:limit])


def agent_state_list(*, deployment: Deployment) -> list[AgentState]:
    return list(AgentState.objects.filter(deployment=deployment))


def problem_list(*, deployment: Deployment, open_only: bool = False) -> QuerySet[Problem]:
    problems = Problem.objects.filter(deployment=deployment).select_related("ticket")
    return problems.filter(cleared_at=None) if open_only else problems


def doctor_run_latest(*, deployment: Deployment) -> DoctorRun | None:
    return DoctorRun.objects.filter(deployment=deployment).defer("engine_state").first()


# -- uptime ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Uptime:
    agent: str
    start: datetime
    end: datetime
    online_seconds: int
    monitored_seconds: int
    label: str = ""

    @property
    def ratio(self) -> Fraction | None:
        if not self.monitored_seconds:
            return None
        return Fraction(self.online_seconds, self.monitored_seconds)

    @property
    def percent(self) -> float | None:
        ratio = self.ratio
        return None if ratio is None else float(ratio * 100)

    @property
    def meets_target(self) -> bool | None:
        ratio = self.ratio
        return None if ratio is None else ratio >= UPTIME_TARGET


def uptime_from_changes(
    changes: list[tuple[datetime, str]], *, agent: str, start: datetime, end: datetime
) -> Uptime:
    """Exact seconds online in [start, end) from (time, new status) changes sorted by time.

    Time before the first change, and time while the repository could not be read
    (``unmonitored``), is not monitored and counts neither way.
    """
    online = monitored = 0
    status: str | None = None
    cursor = start
    for at, new in changes:
        if at > cursor:
            span = int((min(at, end) - cursor).total_seconds())
            if status not in (None, AgentStatus.UNMONITORED) and span > 0:
                monitored += span
                online += span if status == AgentStatus.ONLINE else 0
            cursor = max(cursor, min(at, end))
        if at >= end:
            break
        status = new
    if status not in (None, AgentStatus.UNMONITORED) and end > cursor:
        span = int((end - cursor).total_seconds())
        monitored += span
        online += span if status == AgentStatus.ONLINE else 0
    return Uptime(agent, start, end, online, monitored)


def uptime_for_deployment(
    *, deployment: Deployment, start: datetime, end: datetime
) -> list[Uptime]:
    """Per agent, from its status changes; one query."""
    rows = AgentStatusChange.objects.filter(deployment=deployment, at__lt=end).order_by(
        "agent", "at", "id"
    )
    by_agent: dict[str, list[tuple[datetime, str]]] = {}
    for change in rows.values_list("agent", "at", "new_status"):
        by_agent.setdefault(change[0], []).append((change[1], change[2]))
    return [
        uptime_from_changes(changes, agent=agent, start=start, end=end)
        for agent, changes in sorted(by_agent.items())
    ]


def uptime_daily(*, deployment: Deployment, end: datetime, days: int) -> dict[str, list[Uptime]]:
    """Per agent, one Uptime per UTC day for the ``days`` days up to ``end`` (the chart);
    today's counts only up to ``end``."""
    midnight = datetime.combine(end.date(), time.min, tzinfo=UTC)
    first = midnight - timedelta(days=days - 1)
    rows = AgentStatusChange.objects.filter(deployment=deployment, at__lt=end).order_by(
        "agent", "at", "id"
    )
    by_agent: dict[str, list[tuple[datetime, str]]] = {}
    for agent, at, new in rows.values_list("agent", "at", "new_status"):
        by_agent.setdefault(agent, []).append((at, new))
    return {
        agent: [
            uptime_from_changes(
                changes,
                agent=agent,
                start=first + timedelta(days=d),
                end=min(first + timedelta(days=d + 1), end),
            )
            for d in range(days)
        ]
        for agent, changes in sorted(by_agent.items())
    }


# -- cost ------------------------------------------------------------------------------------


def month_start(day: date) -> date:
    return day.replace(day=1)


def next_month(first: date) -> date:
    return date(first.year + first.month // 12, first.month % 12 + 1, 1)


def usage_cost_between(*, deployment: Deployment, start: date, end: date) -> Decimal:
    """Cost of the usage on days in [start, end)."""
    total = UsageRecord.objects.filter(
        deployment=deployment, day__gte=start, day__lt=end
    ).aggregate(total=Sum("cost"))["total"]
    return Decimal(total or 0)


@dataclass(frozen=True)
class CostSummary:
    start: date
    end: date
    cost: Decimal
    tasks: int
    budget: Decimal | None

    @property
    def cost_per_task(self) -> Decimal | None:
        return (self.cost / self.tasks).quantize(Decimal("0.0001")) if self.tasks else None

    @property
    def budget_used_percent(self) -> Decimal | None:
        if not self.budget:
            return None
        return (self.cost * 100 / self.budget).quantize(Decimal("0.1"))


def cost_summary(*, deployment: Deployment, start: date, end: date) -> CostSummary:
    """Cost, agent tasks assigned and cost per task for days in [start, end)."""
    cost = usage_cost_between(deployment=deployment, start=start, end=end)
    tasks = AgentTask.objects.filter(
        deployment=deployment, assigned_at__date__gte=start, assigned_at__date__lt=end
    ).count()
    return CostSummary(start, end, cost, tasks, deployment.monthly_budget)


def cost_this_month(*, deployment: Deployment, now: datetime) -> CostSummary:
    first = month_start(now.date())
    return cost_summary(deployment=deployment, start=first, end=next_month(first))


# -- the deployment page ---------------------------------------------------------------------

RECENT_FINDINGS = 20
_RANK = {"info": 0, "warning": 1, "critical": 2}


@dataclass(frozen=True)
class Overview:
    deployment: Deployment
    agents: list[AgentState]
    uptime: list[Uptime]  # the last 30 days, per agent
    open_problems: list[Problem]
    findings: list[dict[str, object]]  # the latest run's, worst first, info left out
    last_run: DoctorRun | None
    cost: CostSummary


def deployment_overview(*, deployment: Deployment, now: datetime) -> Overview:
    """What the desk, the portal and the API show for one deployment (a handful of queries)."""
    last_run = doctor_run_latest(deployment=deployment)
    findings = [
        f
        for f in (last_run.report.get("findings", []) if last_run else [])
        if _RANK.get(f.get("severity", ""), 0) >= _RANK["warning"]
    ][:RECENT_FINDINGS]
    agents = agent_state_list(deployment=deployment)
    labels = {a.agent: a.label or a.agent for a in agents}
    uptime = uptime_for_deployment(deployment=deployment, start=now - timedelta(days=30), end=now)
    return Overview(
        deployment=deployment,
        agents=agents,
        uptime=[dataclasses.replace(u, label=labels.get(u.agent, u.agent)) for u in uptime],
        open_problems=list(problem_list(deployment=deployment, open_only=True)),
        findings=findings,
        last_run=last_run,
        cost=cost_this_month(deployment=deployment, now=now),
    )


def overview_as_dict(overview: Overview) -> dict[str, object]:
    """The overview in the API's shape (DeploymentDetailOut)."""
    cost = overview.cost
    return {
        "deployment": overview.deployment,
        "agents": overview.agents,
        "uptime": [
            {
                "agent": u.agent,
                "label": u.label,
                "start": u.start,
                "end": u.end,
                "online_seconds": u.online_seconds,
                "monitored_seconds": u.monitored_seconds,
                "percent": u.percent,
                "meets_target": u.meets_target,
            }
            for u in overview.uptime
        ],
        "open_problems": overview.open_problems,
        "findings": overview.findings,
        "last_run_at": overview.last_run.created_at if overview.last_run else None,
        "cost": {
            "start": cost.start,
            "end": cost.end,
            "cost": cost.cost,
            "tasks": cost.tasks,
            "cost_per_task": cost.cost_per_task,
            "budget": cost.budget,
            "budget_used_percent": cost.budget_used_percent,
        },
    }
