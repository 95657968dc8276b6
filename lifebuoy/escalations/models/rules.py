"""Escalation rules as data: a support lead edits them; the evaluator fires each once per ticket."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import User
from lifebuoy.core.models import TimeStampedModel
from lifebuoy.tickets.models import Ticket

from .escalation import Level


class Condition(models.TextChoices):
    OPEN_LONGER_THAN = "open_longer_than", "Still open after N hours (value: hours)"
    HAS_TAG = "has_tag", "Ticket has a tag (value: tag)"
    CATEGORY_IS = "category_is", "Category is (value: category)"
    PRIORITY_IS = "priority_is", "Priority is (value: P1–P4)"
    PAYING_CUSTOMER = "paying_customer", "Customer is on a paid plan"
    SUPPORT_TIER_AT_LEAST = "support_tier_at_least", "Customer's support tier at least (value)"
    SLA_AT_RISK = "sla_at_risk", "An SLA target is at risk or breached"


class Mode(models.TextChoices):
    AUTOMATIC = "auto", "Apply automatically"
    SUGGEST = "suggest", "Suggest to the agent"


class Rule(TimeStampedModel):
    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=120)
    target_level = models.PositiveSmallIntegerField(choices=Level.choices)
    condition = models.CharField(max_length=32, choices=Condition.choices)
    value = models.CharField(max_length=60, blank=True)
    also_tag = models.SlugField(
        max_length=50, blank=True, help_text="When set, the ticket must also carry this tag."
    )
    mode = models.CharField(max_length=8, choices=Mode.choices, default=Mode.SUGGEST)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    updated_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["target_level", "position", "id"]

    def __str__(self) -> str:
        return self.name


class FiringOutcome(models.TextChoices):
    APPLIED = "applied", "Applied automatically"
    SUGGESTED = "suggested", "Suggested"
    ACCEPTED = "accepted", "Suggestion accepted"
    DISMISSED = "dismissed", "Suggestion dismissed"


class Firing(models.Model):
    """A rule that matched a ticket. Unique per (rule, ticket): the conditional insert that makes
    a rule fire once per condition, however many sweeps and events race for it."""

    rule = models.ForeignKey(Rule, on_delete=models.CASCADE, related_name="firings")
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalation_firings")
    outcome = models.CharField(max_length=10, choices=FiringOutcome.choices)
    reason = models.CharField(max_length=300)
    fired_at = models.DateTimeField()
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering: ClassVar = ["fired_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["rule", "ticket"], name="escalation_firing_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on #{self.ticket_id}: {self.outcome}"
