"""Queue views agents save for themselves, and views leads share with a tier or everyone."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import User


class Audience(models.TextChoices):
    PRIVATE = "private", "Only me"
    TIER_1 = "tier1", "Tier 1 agents"
    TIER_2 = "tier2", "Tier 2 agents"
    TIER_3 = "tier3", "Tier 3 agents"
    EVERYONE = "everyone", "Everyone on the desk"


class SavedView(models.Model):
    """A named queue: the filters and order of the queue page, kept as its query string."""

    owner = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=2000, blank=True)
    audience = models.CharField(max_length=10, choices=Audience.choices, default=Audience.PRIVATE)
    position = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        ordering: ClassVar = ["position", "id"]
        indexes: ClassVar = [
            models.Index(fields=["owner", "position"], name="savedview_owner"),
            models.Index(fields=["audience", "position"], name="savedview_audience"),
        ]

    def __str__(self) -> str:
        return self.name


class TicketSeen(models.Model):
    """When an agent last looked at a ticket: the queue marks what changed since."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "ticket"], name="ticketseen_once")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} saw #{self.ticket_id} at {self.seen_at:%Y-%m-%d %H:%M}"
