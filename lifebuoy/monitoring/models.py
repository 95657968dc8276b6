"""Monitored deployments, the doctor's runs on them, agent status history, problems and cost."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.models import TimeStampedModel
from lifebuoy.tickets.models import Ticket

MIN_POLL_SECONDS = 60
MAX_POLL_SECONDS = 24 * 3600
DEFAULT_POLL_SECONDS = 3600


class Deployment(TimeStampedModel):
    """A customer's Dual Trinity repository that Lifebuoy mirrors and diagnoses.

    Nothing is read without ``has_read_consent``: the poll service refuses, and the due-list
    never offers such a deployment.
    """

    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="deployments"
    )
    name = models.CharField(max_length=200)
    repository = models.CharField(
        max_length=500, help_text="A clone URL (https://, ssh://, git@host:path) or a local path."
    )
    profile = models.CharField(max_length=200, default="dual-trinity")
    branch = models.CharField(
        max_length=200,
        blank=True,
        help_text="The branch to analyse; empty for the repository's default branch.",
    )
    all_branches = models.BooleanField(
        default=False, help_text="Analyse every branch (then no single branch is named)."
    )
    owner = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="owned_deployments",
        help_text="The customer who hears about problems; monitoring tickets are filed for them.",
    )
    has_read_consent = models.BooleanField(default=False)
    consent_at = models.DateTimeField(null=True, blank=True)
    consent_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="Who recorded the consent: the customer, or staff on the customer's word.",
    )
    is_active = models.BooleanField(default=True)
    poll_interval_seconds = models.PositiveIntegerField(default=DEFAULT_POLL_SECONDS)
    next_poll_at = models.DateTimeField(null=True, blank=True)
    last_polled_at = models.DateTimeField(null=True, blank=True)
    last_polled_commit = models.CharField(max_length=64, blank=True)
    last_refs_digest = models.CharField(max_length=64, blank=True)
    last_full_run_at = models.DateTimeField(null=True, blank=True)
    last_poll_error = models.TextField(blank=True)
    failing_since = models.DateTimeField(
        null=True, blank=True, help_text="Since when every poll has failed (empty: it works)."
    )
    mirror_path = models.CharField(
        max_length=300, blank=True, help_text="Relative to DATA_DIR/mirrors."
    )
    monthly_budget = models.DecimalField(max_digits=12, decimal_places=2, null=True, blank=True)
    usage_token_prefix = models.CharField(max_length=12, blank=True)
    usage_token_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["organization_id", "name"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=models.Q(poll_interval_seconds__gte=MIN_POLL_SECONDS),
                name="deployment_poll_interval_min",
            ),
            models.CheckConstraint(
                condition=models.Q(all_branches=False) | models.Q(branch=""),
                name="deployment_branch_or_all",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["is_active", "next_poll_at"], name="deployment_due"),
        ]

    def __str__(self) -> str:
        return self.name


class DoctorRun(models.Model):
    """One diagnosis of a deployment's mirror; ``report`` is the doctor's JSON (schema v1)."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="runs")
    created_at = models.DateTimeField(db_index=True)
    head_commit = models.CharField(max_length=64, blank=True)
    new_commits = models.PositiveIntegerField(default=0)
    commits_read = models.PositiveIntegerField(default=0)
    git_size_bytes = models.BigIntegerField(null=True, blank=True)
    consolidation_seconds = models.PositiveIntegerField(null=True, blank=True)
    worst = models.CharField(max_length=10, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    report = models.JSONField(default=dict)
    is_incremental = models.BooleanField(
        default=False, help_text="Read only the commits since the last run, from its state."
    )
    full_run_reason = models.CharField(max_length=200, blank=True)
    # The doctor's state after this run (compact JSON), for the next poll to continue from.
    # Only the latest run of a deployment keeps one.
    engine_state = models.BinaryField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["deployment", "-created_at"], name="doctorrun_deployment"),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id} @ {self.created_at:%Y-%m-%d %H:%M}"


class AgentStatus(models.TextChoices):
    ONLINE = "online", "Online"
    OFFLINE = "offline", "Offline"
    NEVER_SEEN = "never_seen", "Never seen"
    # The repository could not be read: nobody knows, and uptime counts the time neither way.
    UNMONITORED = "unmonitored", "Not monitored"


class AgentState(models.Model):
    """An agent's current status; changed only by a conditional update (see services.agents)."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="agents")
    agent = models.CharField(max_length=60)
    label = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=12, choices=AgentStatus.choices)
    last_seen_at = models.DateTimeField(null=True, blank=True)
    changed_at = models.DateTimeField()

    class Meta:
        ordering = ["agent"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["deployment", "agent"], name="agentstate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.agent}: {self.status}"


class AgentStatusChange(models.Model):
    """A status transition at the time the git evidence puts it (not the time of the poll)."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="status_changes"
    )
    agent = models.CharField(max_length=60)
    old_status = models.CharField(max_length=12, blank=True)
    new_status = models.CharField(max_length=12, choices=AgentStatus.choices)
    at = models.DateTimeField()
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]
        indexes: ClassVar = [
            models.Index(fields=["deployment", "agent", "at"], name="statuschange_agent_at"),
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.old_status}->{self.new_status} @ {self.at}"


class AgentTask(models.Model):
    """A task assignment the doctor attributed (a write to a coordinator-to-builder channel)."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="tasks")
    commit = models.CharField(max_length=64)
    path = models.CharField(max_length=500)
    assigned_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["deployment", "commit", "path"], name="agenttask_unique"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["deployment", "assigned_at"], name="agenttask_deployment_at"),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id} {self.commit[:10]} {self.path}"


class ProblemKind(models.TextChoices):
    AGENT_OFFLINE = "agent_offline", "Agent offline"
    C3_NOT_VALIDATING = "c3_not_validating", "C3 not validating"
    CONSOLIDATION_SLOW = "consolidation_slow", "Consolidation slow"
    PROTOCOL_VIOLATION = "protocol_violation", "Protocol violation"
    CONFLICT_MARKERS = "conflict_markers", "Conflict markers"
    REPO_OVER_SIZE = "repo_over_size", "Repository over size"
    REPO_UNREACHABLE = "repo_unreachable", "Repository unreachable"
    BUDGET = "budget", "Budget threshold crossed"


class Problem(models.Model):
    """A problem from the moment a poll sees it until a poll no longer does.

    At most one open problem per deployment and kind (the partial unique constraint); its
    ticket is opened in the same transaction as the row, so a lost race opens no ticket.
    """

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="problems")
    kind = models.CharField(max_length=24, choices=ProblemKind.choices)
    severity = models.CharField(max_length=10)
    summary = models.CharField(max_length=500)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems"
    )
    opened_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["deployment", "kind"],
                condition=models.Q(cleared_at__isnull=True),
                name="problem_one_open_per_kind",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id} {self.kind}"

    @property
    def is_open(self) -> bool:
        return self.cleared_at is None


class ModelPrice(TimeStampedModel):
    """Price per million tokens of one model, used when a usage record carries no cost."""

    model = models.CharField(max_length=100, unique=True)
    input_per_million = models.DecimalField(max_digits=10, decimal_places=4)
    output_per_million = models.DecimalField(max_digits=10, decimal_places=4)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        return self.model


class UsageRecord(models.Model):
    """One day of one model's use. Importing the same day and model again replaces it."""

    deployment = models.ForeignKey(Deployment, on_delete=models.CASCADE, related_name="usage")
    day = models.DateField()
    model = models.CharField(max_length=100)
    input_tokens = models.BigIntegerField(default=0)
    output_tokens = models.BigIntegerField(default=0)
    cost = models.DecimalField(max_digits=14, decimal_places=6)
    source = models.CharField(max_length=10)  # "csv" | "api"
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["day", "model"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["deployment", "day", "model"], name="usage_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id} {self.day} {self.model}"


class BudgetAlert(models.Model):
    """A budget threshold crossed in one month; the unique row makes each alert happen once."""

    deployment = models.ForeignKey(
        Deployment, on_delete=models.CASCADE, related_name="budget_alerts"
    )
    month = models.DateField(help_text="The first day of the month.")
    threshold = models.PositiveSmallIntegerField(help_text="Percent of the monthly budget.")
    spent = models.DecimalField(max_digits=14, decimal_places=2)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-month", "threshold"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["deployment", "month", "threshold"], name="budgetalert_once"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deployment_id} {self.month:%Y-%m} {self.threshold}%"
