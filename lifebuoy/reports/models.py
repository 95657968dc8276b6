"""Stored weekly reports, as generated on Monday for the week before."""

from __future__ import annotations

from django.db import models


class WeeklyReport(models.Model):
    week = models.CharField(max_length=8, unique=True, help_text="ISO week, like 2026-W47.")
    starts_at = models.DateTimeField()
    ends_at = models.DateTimeField()
    data = models.JSONField(default=dict)
    markdown = models.TextField()
    # The charts drawn when the report was stored: [{"key", "alt", "png" (base64)}, ...].
    charts = models.JSONField(default=list, blank=True)
    generated_at = models.DateTimeField()

    class Meta:
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"Weekly report {self.week}"
