"""Deadline arithmetic for one clock: its running stretches, time used, due and at-risk instants.

Pure functions over a clock row and a business calendar (no queries), shared by the services
that start, pause, resume and reschedule clocks and by the explanation.
"""

from __future__ import annotations

import math
from datetime import datetime

from django.conf import settings

from lifebuoy.sla.calendar import BusinessCalendar
from lifebuoy.sla.models import Clock, ClockState

from .policies import ResolvedTarget

Stretch = tuple[datetime, datetime | None]  # (from, until); until None = still running


def at_risk_share() -> float:
    share = float(getattr(settings, "LIFEBUOY_SLA_AT_RISK_SHARE", 0.75))
    return min(max(share, 0.0), 1.0)


def clock_stretches(clock: Clock) -> list[Stretch]:
    """The stretches the clock ran: from its start, split by its closed pauses, then the last."""
    stretches: list[Stretch] = []
    since = clock.started_at
    for paused, resumed in clock.pauses:
        stretches.append((since, datetime.fromisoformat(paused)))
        since = datetime.fromisoformat(resumed)
    if clock.state == ClockState.PAUSED or (clock.stopped_at and clock.paused_at):
        stretches.append((since, clock.paused_at))
    elif clock.stopped_at is not None:
        stretches.append((since, clock.stopped_at))
    else:
        stretches.append((since, None))
    return stretches


def minutes_used(stretches: list[Stretch], cal: BusinessCalendar, now: datetime) -> int:
    """Business minutes used over the stretches (each rounded down to whole minutes)."""
    return sum(cal.minutes_between(start, min(end or now, now)) for start, end in stretches)


def instant_reached(
    stretches: list[Stretch], cal: BusinessCalendar, minutes: int
) -> datetime | None:
    """When ``minutes`` of business time will have run over the stretches; None if paused first."""
    used = 0
    for start, end in stretches:
        if end is None:
            return cal.add(start, minutes - used)
        here = cal.minutes_between(start, end)
        if used + here >= minutes:
            return cal.add(start, minutes - used)
        used += here
    return None


def clock_apply_target(clock: Clock, target: ResolvedTarget, *, priority: str) -> None:
    """Set the clock's target and recompute its deadlines from its start and stretches."""
    clock.policy = target.policy
    clock.policy_version = target.policy.version
    clock.priority = priority
    clock.target_minutes = target.minutes
    clock.hours = target.hours
    clock.calendar = target.calendar
    clock.is_goal = target.is_goal
    clock_reschedule(clock, target.business)


def clock_reschedule(clock: Clock, cal: BusinessCalendar) -> None:
    """Recompute minutes_used, due_at, at_risk_at and next_check_at for the clock's state."""
    stretches = clock_stretches(clock)
    closed = stretches if stretches[-1][1] is not None else stretches[:-1]
    clock.minutes_used = sum(cal.minutes_between(s, e) for s, e in closed if e is not None)
    if clock.state != ClockState.RUNNING:
        clock.at_risk_at = clock.next_check_at = None
        if clock.state == ClockState.PAUSED:
            clock.due_at = None
        return
    clock.due_at = instant_reached(stretches, cal, clock.target_minutes)
    risk_minutes = math.ceil(clock.target_minutes * at_risk_share())
    clock.at_risk_at = instant_reached(stretches, cal, risk_minutes)
    if clock.is_goal:
        clock.next_check_at = None
    elif clock.at_risk_notified_at is None:
        clock.next_check_at = clock.at_risk_at
    else:
        clock.next_check_at = clock.due_at
