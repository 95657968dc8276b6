"""On-call: schedules of rotation layers with weekly restrictions and overrides, escalation
policies with timed levels, pages and their acknowledgement, and the emergency contacts."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from lifebuoy.accounts.models import User, validate_timezone
from lifebuoy.core.models import TimeStampedModel
from lifebuoy.tickets.models import Ticket


class Schedule(TimeStampedModel):
    name = models.CharField(max_length=100)
    timezone = models.CharField(max_length=64, default="UTC", validators=[validate_timezone])

    class Meta:
        ordering: ClassVar = ["name"]

    def __str__(self) -> str:
        return self.name


class ScheduleLayer(models.Model):
    """A rotation: members take turns for ``shift_hours`` each, counted from ``rotation_start``.

    ``restrictions`` limits the layer to weekly windows in the schedule's time zone, as
    ``[[weekday 0=Mon..6, "HH:MM", "HH:MM"], …]`` (end after start; empty = always). Where
    layers overlap, the one with the higher ``position`` wins.
    """

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="layers")
    name = models.CharField(max_length=100)
    position = models.PositiveSmallIntegerField(default=0)
    rotation_start = models.DateTimeField()
    shift_hours = models.PositiveIntegerField(default=168)
    restrictions = models.JSONField(default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["schedule", "-position", "id"]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.name}"


class LayerMember(models.Model):
    layer = models.ForeignKey(ScheduleLayer, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.layer}: {self.user}"


class ScheduleOverride(models.Model):
    """Someone covers a stretch of a schedule; it beats every layer."""

    schedule = models.ForeignKey(Schedule, on_delete=models.CASCADE, related_name="overrides")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["starts_at", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="oncall_override_positive"
            )
        ]

    def __str__(self) -> str:
        return f"{self.schedule}: {self.user} {self.starts_at:%Y-%m-%d %H:%M}"


class EscalationPolicy(TimeStampedModel):
    """Who is paged for a P1 from the covered support tiers, level after level."""

    name = models.CharField(max_length=100)
    covered_tiers = models.JSONField(
        default=list, help_text="Support tiers with 24/7 coverage, e.g. [3, 4]."
    )
    repeat_count = models.PositiveSmallIntegerField(
        default=0, help_text="How many more times to run through all levels when nobody acks."
    )
    is_active = models.BooleanField(default=True)

    class Meta:
        ordering: ClassVar = ["name"]
        verbose_name_plural = "escalation policies"

    def __str__(self) -> str:
        return self.name


class PolicyLevel(models.Model):
    """One rung: page the schedule's on-call person (or a named person); wait ``timeout``."""

    policy = models.ForeignKey(EscalationPolicy, on_delete=models.CASCADE, related_name="levels")
    position = models.PositiveSmallIntegerField(default=0)
    schedule = models.ForeignKey(
        Schedule, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    timeout_minutes = models.PositiveIntegerField(default=15)

    class Meta:
        ordering: ClassVar = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.policy} level {self.position}"


class PageStatus(models.TextChoices):
    TRIGGERED = "triggered", "Waiting for acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    EXHAUSTED = "exhausted", "Nobody acknowledged"


class Page(models.Model):
    """A P1 paging run through a policy. ``ack_due_at`` is when the sweep moves it on."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="pages")
    policy = models.ForeignKey(EscalationPolicy, on_delete=models.PROTECT, related_name="pages")
    status = models.CharField(
        max_length=12, choices=PageStatus.choices, default=PageStatus.TRIGGERED
    )
    level_index = models.PositiveSmallIntegerField(default=0)
    round = models.PositiveSmallIntegerField(default=0)
    paged_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ack_due_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["status", "ack_due_at"], name="page_due")]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "policy"], name="page_once_per_ticket")
        ]

    def __str__(self) -> str:
        return f"page #{self.ticket_id} ({self.status})"


class PageDue(models.Model):
    """A ticket that became a P1 from a covered tier, written in the transaction that made it
    one, so paging never depends on a task reaching the broker: the follow-up task deletes it
    when it pages (or finds nothing to page), and the page sweep takes any still here at
    ``due_at``. At most one per ticket; the row is a reason to look, and the ticket is looked
    at again (still an open P1, not paged yet) before anyone is paged."""

    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    due_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"page due #{self.ticket_id} at {self.due_at:%Y-%m-%d %H:%M:%S}"


class PageNotice(models.Model):
    """Each person paged, once per (page, round, level): the sweep's idempotency key."""

    page = models.ForeignKey(Page, on_delete=models.CASCADE, related_name="notices")
    round = models.PositiveSmallIntegerField()
    level_index = models.PositiveSmallIntegerField()
    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    sent_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["sent_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["page", "round", "level_index"], name="page_notice_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.page_id} r{self.round} l{self.level_index}"


class EmergencyContact(models.Model):
    class Kind(models.TextChoices):
        SUPPORT_LEAD = "support_lead", "Support lead"
        ENGINEERING_ONCALL = "engineering_oncall", "Engineering on-call"
        CUSTOMER_SUCCESS = "customer_success", "Customer success"
        EXECUTIVE = "executive", "Executive escalation"

    kind = models.CharField(max_length=24, choices=Kind.choices)
    name = models.CharField(max_length=100)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    schedule = models.ForeignKey(
        Schedule,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="For a rotation: the person on call now is shown beside the entry.",
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["position", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
