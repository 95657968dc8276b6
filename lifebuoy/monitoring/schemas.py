"""API shapes for monitoring."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ninja import Schema


class DeploymentOut(Schema):
    id: int
    name: str
    organization_id: int
    repository: str
    profile: str
    has_read_consent: bool
    poll_interval_seconds: int
    last_polled_at: datetime | None
    last_polled_commit: str
    monthly_budget: Decimal | None


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


class DeploymentCreateIn(Schema):
    organization_id: int
    name: str
    repository: str
    owner_id: int
    profile: str = "dual-trinity"
    poll_interval_seconds: int = 3600
    monthly_budget: Decimal | None = None
    consent: bool = False


class ConsentIn(Schema):
    consent: bool


class UsageTokenOut(Schema):
    token: str
