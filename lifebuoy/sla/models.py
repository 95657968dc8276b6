"""SLA data: business calendars, versioned policies with their targets, and clocks on tickets.

A clock is one target running on one ticket (first response, a next response, resolution). Its
deadline, state and breach time are plain indexed columns so the sweep's "what is due next" is one
index range scan on ``next_check_at``; ``SlaSummary`` keeps one row per ticket (its nearest
deadline and worst state) for the agent queue's sort and filters.
"""

from __future__ import annotations

from datetime import time
from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from lifebuoy.accounts.models import Organization, SupportTier, validate_timezone
from lifebuoy.tickets.models import Priority, Ticket


class Weekday(models.IntegerChoices):
    MONDAY = 0, "Monday"
    TUESDAY = 1, "Tuesday"
    WEDNESDAY = 2, "Wednesday"
    THURSDAY = 3, "Thursday"
    FRIDAY = 4, "Friday"
    SATURDAY = 5, "Saturday"
    SUNDAY = 6, "Sunday"


class Calendar(models.Model):
    """Open hours for business-hours targets. Blank zone/country mean the customer's own."""

    name = models.CharField(max_length=100, unique=True)
    timezone = models.CharField(
        max_length=64,
        blank=True,
        validators=[validate_timezone],
        help_text="IANA zone; blank = the customer organization's zone.",
    )
    holiday_country = models.CharField(
        max_length=2,
        blank=True,
        help_text="ISO country for public holidays; blank = the customer organization's country.",
    )
    holiday_subdivision = models.CharField(max_length=10, blank=True)
    observes_public_holidays = models.BooleanField(default=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class CalendarWindow(models.Model):
    """One weekly open window in local wall-clock time; a close of 00:00 means midnight."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="windows")
    weekday = models.PositiveSmallIntegerField(choices=Weekday.choices)
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"

    def clean(self) -> None:
        if self.closes != time(0, 0) and self.closes <= self.opens:
            raise ValidationError(
                {"closes": "Close after opening; write 00:00 for a window open until midnight."}
            )


class Holiday(models.Model):
    """A custom closed date (local), on top of the country's public holidays."""

    calendar = models.ForeignKey(Calendar, on_delete=models.CASCADE, related_name="holidays")
    date = models.DateField()
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["calendar", "date"], name="sla_holiday_unique_date")
        ]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class Policy(models.Model):
    """The targets of one support tier, or a Managed Services organization's custom policy.

    ``version`` goes up with every edit; clocks record the version that set their deadline, and a
    change reaches a ticket at its next SLA event (start, resume, priority change).
    """

    name = models.CharField(max_length=100)
    tier = models.PositiveSmallIntegerField(choices=SupportTier.choices, null=True, blank=True)
    organization = models.OneToOneField(
        Organization,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="sla_policy",
        help_text="Set for an organization's custom policy (Managed Services).",
    )
    calendar = models.ForeignKey(
        Calendar,
        on_delete=models.PROTECT,
        related_name="policies",
        help_text="The business hours of the targets that run on business hours.",
    )
    is_best_effort = models.BooleanField(
        default=False, help_text="Targets are goals: shown, never breached, never escalated."
    )
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "policies"
        ordering = ["tier", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tier"],
                condition=Q(organization__isnull=True),
                name="sla_policy_one_per_tier",
                violation_error_message="This tier already has a policy: edit that one, or give "
                "an organization its own policy.",
            ),
            models.CheckConstraint(
                condition=Q(tier__isnull=False, organization__isnull=True)
                | Q(tier__isnull=True, organization__isnull=False),
                name="sla_policy_tier_xor_organization",
                violation_error_message="Set a support tier or an organization, not both.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} v{self.version}"


class ClockKind(models.TextChoices):
    FIRST_RESPONSE = "first_response", "First response"
    NEXT_RESPONSE = "next_response", "Next response"
    RESOLUTION = "resolution", "Resolution"


class Hours(models.TextChoices):
    CALENDAR = "calendar", "Calendar time (24/7)"
    BUSINESS = "business", "Business hours"


class Target(models.Model):
    """Minutes allowed for one kind of clock at one priority, on the calendar or business hours."""

    policy = models.ForeignKey(Policy, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    priority = models.CharField(max_length=2, choices=Priority.choices)
    minutes = models.PositiveIntegerField()
    hours = models.CharField(max_length=8, choices=Hours.choices, default=Hours.BUSINESS)

    class Meta:
        ordering = ["kind", "priority"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["policy", "kind", "priority"], name="sla_target_one_per_kind_priority"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.priority}: {self.minutes} min ({self.hours})"


class ClockState(models.TextChoices):
    RUNNING = "running", "Running"
    PAUSED = "paused", "Paused"
    MET = "met", "Met"
    BREACHED = "breached", "Breached"


class Clock(models.Model):
    """One target running on one ticket.

    Invariants: ``next_check_at`` is set only while running and not a goal (the at-risk instant
    until warned, then the deadline); ``due_at`` and ``running_since`` only while running (and
    kept on a breached clock that is still open); ``stopped_at`` closes the clock, and at most
    one clock per ticket and kind is open.
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="sla_clocks")
    kind = models.CharField(max_length=16, choices=ClockKind.choices)
    state = models.CharField(max_length=8, choices=ClockState.choices, default=ClockState.RUNNING)
    # What set the deadline
    policy = models.ForeignKey(Policy, null=True, on_delete=models.SET_NULL, related_name="+")
    policy_version = models.PositiveIntegerField()
    priority = models.CharField(max_length=2, choices=Priority.choices)
    target_minutes = models.PositiveIntegerField()
    hours = models.CharField(max_length=8, choices=Hours.choices)
    calendar = models.ForeignKey(Calendar, null=True, on_delete=models.SET_NULL, related_name="+")
    is_goal = models.BooleanField(default=False)
    # Time bookkeeping
    started_at = models.DateTimeField()
    running_since = models.DateTimeField(null=True)
    paused_at = models.DateTimeField(null=True)
    pauses = models.JSONField(default=list, help_text="Closed pauses as [start, end] ISO pairs.")
    minutes_used = models.PositiveIntegerField(
        default=0, help_text="Business minutes used before the current running stretch."
    )
    # Deadlines and outcomes
    due_at = models.DateTimeField(null=True)
    at_risk_at = models.DateTimeField(null=True)
    next_check_at = models.DateTimeField(null=True)
    at_risk_notified_at = models.DateTimeField(null=True)
    breached_at = models.DateTimeField(null=True)
    stopped_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes: ClassVar = [
            models.Index(fields=["next_check_at", "id"], name="sla_clock_next_check"),
            # For reports: deadlines by state, and breaches by when they happened.
            models.Index(fields=["state", "due_at"], name="sla_clock_state_due"),
            models.Index(
                fields=["breached_at"],
                condition=Q(breached_at__isnull=False),
                name="sla_clock_breached_at",
            ),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["ticket", "kind"],
                condition=Q(stopped_at__isnull=True),
                name="sla_clock_one_open_per_kind",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.kind} {self.state}"

    @property
    def is_open(self) -> bool:
        return self.stopped_at is None


class SummaryState(models.TextChoices):
    NONE = "none", "No running target"
    OK = "ok", "On track"
    AT_RISK = "at_risk", "At risk"
    BREACHED = "breached", "Breached"
    PAUSED = "paused", "Paused"
    GOAL = "goal", "Best-effort goal"


class Summary(models.Model):
    """Per ticket: the nearest open deadline and the worst open state, for the queue."""

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="sla_summary"
    )
    next_due_at = models.DateTimeField(null=True)
    state = models.CharField(max_length=8, choices=SummaryState.choices, default=SummaryState.NONE)

    class Meta:
        verbose_name_plural = "summaries"
        indexes: ClassVar = [
            models.Index(fields=["next_due_at", "ticket"], name="sla_summary_due"),
            models.Index(fields=["state", "ticket"], name="sla_summary_state"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.state}"


class PendingEvent(models.Model):
    """An SLA event, written in the transaction that produced it and deleted in the transaction
    that handed it to every subscriber: a lost task or a dead worker cannot lose it."""

    payload = models.JSONField()
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"{self.payload.get('kind')} on #{self.payload.get('ticket_id')}"
