"""Writes for on-call schedules: overrides a support lead adds from the desk or the API."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.escalations.models import Schedule, ScheduleOverride

SCHEDULE_EDITORS = frozenset({Role.LEAD, Role.ADMIN})


@transaction.atomic
def schedule_override_add(
    *, schedule: Schedule, actor: User, user_id: int, starts_at: datetime, ends_at: datetime
) -> ScheduleOverride:
    """Someone covers ``[starts_at, ends_at)``; the newest override wins where they overlap."""
    if actor.role not in SCHEDULE_EDITORS:
        raise PermissionDenied("not_allowed", "Only support leads change on-call schedules.")
    errors: dict[str, str] = {}
    if ends_at <= starts_at:
        errors["ends_at"] = "The override must end after it starts."
    user = User.objects.filter(id=user_id, is_active=True).first()
    if user is None or not user.is_support_staff:
        errors["user_id"] = "Choose an active member of the support staff."
    if errors or user is None:
        raise ValidationFailed.for_fields(errors)
    return ScheduleOverride.objects.create(
        schedule=schedule, user=user, starts_at=starts_at, ends_at=ends_at
    )
