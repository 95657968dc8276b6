"""Reads for staff notifications, following and CCs.

``notification_list_for_user`` is the gate: only staff have notifications (a customer is
refused with 403, as for every staff-only list), and only their own (another person's
notification is the same 404 as one that does not exist).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cache

from django.db import connections
from django.db.models import F, Q, QuerySet

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import NotFound, PermissionDenied
from lifebuoy.core.planned import model_columns
from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.notifications.models import (
    EmailChoice,
    Notification,
    NotificationKind,
    NotificationPreference,
    TicketCc,
    TicketFollower,
)
from lifebuoy.tickets.models import TicketEvent

DEFAULT_CHOICE = EmailChoice.IMMEDIATELY


def _staff_required(user: User) -> None:
    if not (user.is_active and user.is_support_staff):
        raise PermissionDenied("not_allowed", "Only support staff have notifications.")


def notification_list_for_user(*, user: User) -> QuerySet[Notification]:
    """``user``'s notifications, newest first, with what the list shows."""
    _staff_required(user)
    return (
        Notification.objects.filter(recipient=user)
        .select_related("ticket", "actor")
        .order_by("-id")
    )


def notification_get_for_user(*, user: User, notification_id: int) -> Notification:
    found = notification_list_for_user(user=user).filter(id=notification_id).first()
    if found is None:
        raise NotFound("notification_not_found", f"Notification {notification_id} was not found.")
    return found


def notification_unread_count(*, user: User) -> int:
    """The bell's number; 0 for anyone who is not staff."""
    if not user.is_support_staff:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


def notification_preferences_for_user(*, user: User) -> dict[str, str]:
    """Every kind with ``user``'s choice for it (immediately unless they chose otherwise)."""
    _staff_required(user)
    return notification_choices(user_ids=[user.id]).get(user.id, _defaults())


def _defaults() -> dict[str, str]:
    return dict.fromkeys(NotificationKind.values, DEFAULT_CHOICE.value)


def notification_choices(*, user_ids: list[int]) -> dict[int, dict[str, str]]:
    """The choices of several people at once, by user id, in one query."""
    choices = {user_id: _defaults() for user_id in user_ids}
    if not user_ids:  # e.g. a customer's reply on a ticket nobody owns or follows
        return choices
    rows = NotificationPreference.objects.filter(user_id__in=user_ids)
    for user_id, kind, email in rows.values_list("user_id", "kind", "email"):
        choices[user_id][kind] = email
    return choices


def ticket_change_actor(*, ticket_id: int, action: str, field: str, at: datetime) -> int | None:
    """Who made the change audited as ``action`` on ``field`` at ``at`` (the ticket's events
    name no actor; its audit trail, written in the same transaction, does)."""
    audited = TicketEvent.objects.filter(
        ticket_id=ticket_id, action=action, field=field, created_at=at
    )
    actor_id: int | None = audited.order_by("-id").values_list("actor_id", flat=True).first()
    return actor_id


@cache
def _followers_statement(using: str) -> str:
    quote = connections[using].ops.quote_name
    users = model_columns(User, "u", using)
    follower = TicketFollower._meta
    user = User._meta
    return (
        f"SELECT {users.select} FROM {quote(follower.db_table)} f "  # noqa: S608  # model names
        f"JOIN {quote(user.db_table)} u "
        f"ON u.{quote('id')} = f.{quote(follower.get_field('user').column)} "
        f"WHERE f.{quote(follower.get_field('ticket').column)} = %s "
        f"AND u.{quote(user.get_field('is_active').column)} = %s "
        f"ORDER BY u.{quote(user.get_field('full_name').column)}, "
        f"u.{quote(user.get_field('email').column)}"
    )


def ticket_follower_list(*, ticket_id: int, using: str = "default") -> list[User]:
    """The active members of staff following the ticket, by name. Read on every customer reply,
    by a statement planned once per process."""
    connection = connections[using]
    active = User._meta.get_field("is_active").get_db_prep_value(True, connection)
    with prepared_cursor(using) as cursor:
        cursor.execute(_followers_statement(using), [ticket_id, active])
        rows = cursor.fetchall()
    users = model_columns(User, "u", using)
    return [users.build(row, User) for row in rows]


def ticket_cc_list(*, ticket_id: int) -> list[User]:
    """The customers CC'd on the ticket who can still be mailed (active, of its organization)."""
    return [
        cc.user
        for cc in TicketCc.objects.filter(
            ticket_id=ticket_id,
            user__is_active=True,
            user__role=Role.CUSTOMER,
            user__organization=F("ticket__organization"),
        )
        .select_related("user")
        .order_by("user__email")
    ]


@dataclass(frozen=True)
class MentionCandidate:
    id: int
    name: str
    handle: str
    insert: str  # what to type after ``@`` to name this person and nobody else


def mention_candidates(*, user: User, prefix: str, limit: int = 8) -> list[MentionCandidate]:
    """Active staff whose name (any word of it) or handle starts with ``prefix``, for the
    note's @ autocomplete; not ``user``, whom a mention never notifies. Staff only."""
    _staff_required(user)
    prefix = " ".join(prefix.split())[:100]
    staff = User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).exclude(id=user.id)
    if prefix:
        staff = staff.filter(
            Q(full_name__istartswith=prefix)
            | Q(full_name__icontains=f" {prefix}")
            | Q(email__istartswith=prefix)
        )
    people = list(staff.order_by("full_name", "email")[:limit])
    if not people:
        return []
    handles = {p.email.split("@")[0].lower() for p in people}
    same_handle = Q()
    for handle in handles:
        same_handle |= Q(email__istartswith=f"{handle}@")
    taken: dict[str, int] = {}
    others = User.objects.filter(same_handle, is_active=True).exclude(role=Role.CUSTOMER)
    for email in others.values_list("email", flat=True):
        local = email.split("@")[0].lower()
        taken[local] = taken.get(local, 0) + 1
    return [_candidate(p, taken) for p in people]


def _candidate(person: User, taken: dict[str, int]) -> MentionCandidate:
    handle = person.email.split("@")[0]
    unique = taken.get(handle.lower(), 0) <= 1
    insert = handle if unique or not person.full_name else f'"{person.full_name}"'
    return MentionCandidate(person.id, person.display_name, handle, insert)
