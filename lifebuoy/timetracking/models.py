"""Time staff spend on tickets: stopwatch timers and entries typed in by hand."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q

from lifebuoy.accounts.models import User
from lifebuoy.tickets.models import Ticket


class EntryKind(models.TextChoices):
    TIMER = "timer", "Timer"
    MANUAL = "manual", "Manual entry"


class TimeEntry(models.Model):
    """One stretch of work by one person on one ticket.

    A timer is running while ``stopped_at`` is empty; its ``seconds`` are written when it stops.
    A manual entry has its ``seconds`` from the start and no start or stop instant. Invariant:
    each person has at most one running timer (the partial unique constraint).
    """

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="time_entries")
    agent = models.ForeignKey(User, on_delete=models.PROTECT, related_name="time_entries")
    kind = models.CharField(max_length=8, choices=EntryKind.choices)
    worked_on = models.DateField(help_text="The day the work was done (UTC for timers).")
    started_at = models.DateTimeField(null=True, blank=True)
    stopped_at = models.DateTimeField(null=True, blank=True)
    seconds = models.PositiveIntegerField(
        null=True, blank=True, help_text="Time logged; empty while a timer runs."
    )
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "time entries"
        indexes: ClassVar = [
            models.Index(fields=["ticket", "created_at"], name="time_entry_ticket"),
        ]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["agent"],
                condition=Q(kind="timer", stopped_at__isnull=True),
                name="time_entry_one_running_timer",
            ),
            models.CheckConstraint(
                condition=Q(kind="manual", seconds__gt=0)
                | Q(kind="timer", started_at__isnull=False),
                name="time_entry_kind_fields",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.kind} by {self.agent_id}"

    @property
    def is_running(self) -> bool:
        return self.kind == EntryKind.TIMER and self.stopped_at is None
