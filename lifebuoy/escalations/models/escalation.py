"""Where a ticket stands on the escalation ladder, how it got there, and what is owed next."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import Queue, User
from lifebuoy.tickets.models import Ticket


class Level(models.IntegerChoices):
    """The playbook's ladder. Product sits beside Engineering for feature requests."""

    COMMUNITY = 1, "Community"
    TIER_2 = 2, "Tier 2"
    TIER_3 = 3, "Tier 3"
    ENGINEERING = 4, "Engineering"
    PRODUCT = 5, "Product"


# Step 1 of the playbook: what must be documented before a ticket climbs. Key -> label.
CHECKLIST_ITEMS: dict[str, str] = {
    "problem_description": "Problem description",
    "steps_to_reproduce": "Steps to reproduce",
    "git_commit_logs": "Git commit logs",
    "error_messages": "Error messages",
    "customer_impact": "Customer impact assessment",
    "troubleshooting_attempted": "Troubleshooting already attempted",
}


class EscalationState(models.Model):
    """One row per ticket that has a level other than its routing default, or a checklist draft.

    ``next_checkin_at`` is the owner's next daily reminder; ``update_warned_for`` the customer
    update deadline the owner was last warned about, so each deadline warns once.
    """

    ticket = models.OneToOneField(
        Ticket, primary_key=True, on_delete=models.CASCADE, related_name="escalation"
    )
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.COMMUNITY)
    checklist = models.JSONField(default=dict, blank=True)
    escalated_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    workaround = models.TextField(blank=True)
    timeline = models.CharField(max_length=200, blank=True)
    next_checkin_at = models.DateTimeField(null=True, blank=True, db_index=True)
    update_warned_for = models.DateTimeField(null=True, blank=True)
    final_notice_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"#{self.ticket_id} at {self.get_level_display()}"


class EscalationStep(models.Model):
    """One climb up the ladder, as documented when it happened (the checklist is a snapshot)."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="escalation_steps")
    from_level = models.PositiveSmallIntegerField(choices=Level.choices)
    to_level = models.PositiveSmallIntegerField(choices=Level.choices)
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    rule = models.ForeignKey(
        "escalations.Rule", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(max_length=300)
    checklist = models.JSONField(default=dict)
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    deadline_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering: ClassVar = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.from_level}→{self.to_level}"


class AgentCapacity(models.Model):
    """How many open tickets a person takes before round robin skips them, and whether they
    take any at all right now. People without a row have the default and are available."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="escalation_capacity")
    max_open_tickets = models.PositiveSmallIntegerField(default=10)
    is_available = models.BooleanField(default=True)

    class Meta:
        verbose_name_plural = "agent capacities"

    def __str__(self) -> str:
        return f"{self.user} ≤ {self.max_open_tickets}"


class RoundRobinCursor(models.Model):
    """Who in a queue got the last escalated ticket; the next one goes to the member after."""

    queue = models.OneToOneField(Queue, on_delete=models.CASCADE, related_name="+")
    last_user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.queue} after {self.last_user_id}"
