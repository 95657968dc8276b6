"""API shapes for monitoring."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from lifebuoy.diagnostics.engine.profiles import DEFAULT_PROFILE

from .models import DEFAULT_POLL_SECONDS
from .services.deployments import DeploymentInput


class DeploymentOut(Schema):
    id: int
    name: str
    organization_id: int
    repository: str
    profile: str
    branch: str
    all_branches: bool
    owner_id: int
    has_read_consent: bool
    consent_at: datetime | None
    consent_by_id: int | None
    poll_interval_seconds: int
    last_polled_at: datetime | None
    last_polled_commit: str
    failing_since: datetime | None  # every poll has failed since (the repository is unreachable)
    monthly_budget: Decimal | None


class DeploymentListQuery(Schema):
    organization_id: int | None = None
    q: str = Field("", max_length=200, description="In the name or the repository.")
    attention: bool = Field(False, description="Only those with open problems or failing polls.")


class DeploymentListOut(DeploymentOut):
    open_problems: int


class AgentOut(Schema):
    agent: str
    label: str
    status: str
    last_seen_at: datetime | None
    changed_at: datetime


class UptimeOut(Schema):
    agent: str
    label: str
    start: datetime
    end: datetime
    online_seconds: int
    monitored_seconds: int
    percent: float | None
    meets_target: bool | None


class ProblemOut(Schema):
    id: int
    kind: str
    severity: str
    summary: str
    opened_at: datetime
    cleared_at: datetime | None
    ticket_id: int | None


class CostOut(Schema):
    start: date
    end: date
    cost: Decimal
    tasks: int
    cost_per_task: Decimal | None
    budget: Decimal | None
    budget_used_percent: Decimal | None


class DeploymentDetailOut(Schema):
    deployment: DeploymentOut
    agents: list[AgentOut]
    uptime: list[UptimeOut]
    open_problems: list[ProblemOut]
    findings: list[dict[str, Any]]
    last_run_at: datetime | None
    cost: CostOut


class TrendOut(Schema):
    metric: str
    unit: str
    weeks: list[date]
    values: list[float | None]
    threshold: float | None
    crossing: date | None


class PollQueuedOut(Schema):
    queued: bool


class UsageImportOut(Schema):
    imported: int
    errors: list[str]
    alerts: list[int]


class DeploymentSettingsIn(Schema):
    """A deployment's settings; ranges and formats are checked by the service (422 per field)."""

    name: str
    repository: str
    owner_id: int
    profile: str = DEFAULT_PROFILE
    branch: str = ""
    all_branches: bool = False
    poll_interval_seconds: int = DEFAULT_POLL_SECONDS
    monthly_budget: Decimal | None = None

    def to_input(self) -> DeploymentInput:
        return DeploymentInput(
            name=self.name,
            repository=self.repository,
            owner_id=self.owner_id,
            profile=self.profile,
            branch=self.branch,
            all_branches=self.all_branches,
            poll_interval_seconds=self.poll_interval_seconds,
            monthly_budget=self.monthly_budget,
        )


class DeploymentCreateIn(DeploymentSettingsIn):
    organization_id: int
    consent: bool = Field(
        False, description="The customer allowed read-only access (required to register)."
    )


class DeploymentUpdateIn(DeploymentSettingsIn):
    consent: bool | None = Field(
        None, description="true records consent now, false withdraws it, null leaves it."
    )


class ConsentIn(Schema):
    consent: bool


class UsageTokenOut(Schema):
    token: str
