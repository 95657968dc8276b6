"""Who is on call, and the on-call reads. ``oncall_at`` and its helpers are pure arithmetic
over a schedule's layers and overrides at an instant; the selectors below them read schedules
and pages from the database for the desk and the API.

Overrides beat layers; among layers the highest position whose weekly restrictions cover the
instant wins; within a layer members take turns of ``shift_hours`` from ``rotation_start``.
So exactly one person (or nobody) is on call per schedule at any instant.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import QuerySet

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound
from lifebuoy.tickets.models import Ticket

from .models import (
    EmergencyContact,
    EscalationPolicy,
    Page,
    PageStatus,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)


def within_restrictions(restrictions: Sequence[Sequence[object]], local: datetime) -> bool:
    """Empty means always; else any ``[weekday, "HH:MM", "HH:MM"]`` window containing ``local``."""
    if not restrictions:
        return True
    for weekday, start, end in restrictions:
        if local.weekday() != weekday:
            continue
        if time.fromisoformat(str(start)) <= local.time() < time.fromisoformat(str(end)):
            return True
    return False


def layer_oncall(
    layer: ScheduleLayer, members: Sequence[User], at: datetime, tz: str
) -> User | None:
    if not members or at < layer.rotation_start:
        return None
    if not within_restrictions(layer.restrictions, at.astimezone(zoneinfo.ZoneInfo(tz))):
        return None
    shift = int((at - layer.rotation_start).total_seconds() // (layer.shift_hours * 3600))
    return members[shift % len(members)]


def oncall_at(*, schedule: Schedule, at: datetime) -> User | None:
    override = (
        schedule.overrides.filter(starts_at__lte=at, ends_at__gt=at)
        .select_related("user")
        .order_by("-id")
        .first()
    )
    if override is not None:
        return override.user
    layers = schedule.layers.prefetch_related("members__user").order_by("-position", "id")
    for layer in layers:
        members = [m.user for m in layer.members.all() if m.user.is_active]
        user = layer_oncall(layer, members, at, schedule.timezone)
        if user is not None:
            return user
    return None


@dataclass(frozen=True)
class ScheduleNow:
    schedule: Schedule
    oncall: User | None
    layers: list[ScheduleLayer]
    overrides: list[ScheduleOverride]


def schedule_overview(*, now: datetime) -> list[ScheduleNow]:
    """Every schedule with who is on call now, its layers and current or coming overrides."""
    result = []
    for schedule in Schedule.objects.prefetch_related("layers__members__user").order_by("name"):
        overrides = list(schedule.overrides.filter(ends_at__gt=now).select_related("user"))
        result.append(
            ScheduleNow(
                schedule,
                oncall_at(schedule=schedule, at=now),
                list(schedule.layers.all()),
                overrides,
            )
        )
    return result


def page_get_for_user(*, user: User, page_id: int) -> Page:
    """The gate for pages: staff only; anyone else gets the same 404 as a missing page."""
    page = (
        Page.objects.select_related("ticket", "policy", "paged_user", "acknowledged_by")
        .filter(id=page_id)
        .first()
        if user.is_active and user.is_support_staff
        else None
    )
    if page is None:
        raise NotFound("page_not_found", f"Page {page_id} was not found.")
    return page


def page_list_for_ticket(*, user: User, ticket: Ticket) -> list[Page]:
    if not user.is_support_staff:
        return []
    return list(
        Page.objects.filter(ticket=ticket).select_related("policy", "paged_user", "acknowledged_by")
    )


def open_pages() -> list[Page]:
    return list(
        Page.objects.filter(status=PageStatus.TRIGGERED).select_related(
            "ticket__organization", "paged_user", "policy"
        )
    )


@dataclass(frozen=True)
class ContactRow:
    contact: EmergencyContact
    oncall: User | None


def contact_list_for_user(*, user: User, now: datetime) -> list[ContactRow]:
    """The emergency contacts directory: for agents, never for customers."""
    if not user.is_support_staff:
        return []
    return [
        ContactRow(c, oncall_at(schedule=c.schedule, at=now) if c.schedule else None)
        for c in EmergencyContact.objects.select_related("schedule")
    ]


def policy_list() -> QuerySet[EscalationPolicy]:
    return EscalationPolicy.objects.prefetch_related("levels__schedule", "levels__user")


def schedule_get(*, user: User, schedule_id: int) -> Schedule:
    """Schedules are for staff; anyone else gets the same 404 as a missing schedule."""
    schedule = Schedule.objects.filter(id=schedule_id).first() if user.is_support_staff else None
    if schedule is None:
        raise NotFound("schedule_not_found", f"Schedule {schedule_id} was not found.")
    return schedule
