"""Periodic survey sweeps. Each loads nothing itself: one service call, a small summary out."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from lifebuoy.surveys.services import sending


@shared_task(name="lifebuoy.surveys.csat_sweep", time_limit=300, soft_time_limit=240)
def csat_sweep(batch_size: int = 200) -> int:
    """Send the CSAT surveys that are due; returns how many were sent."""
    return sending.csat_sweep(now=timezone.now(), batch_size=batch_size).sent


@shared_task(name="lifebuoy.surveys.nps_sweep", time_limit=600, soft_time_limit=540)
def nps_sweep(batch_size: int = 500) -> int:
    """Send the NPS surveys of the period that ended last; returns how many were sent."""
    return sending.nps_sweep(now=timezone.now(), batch_size=batch_size).sent
