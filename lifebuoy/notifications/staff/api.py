"""REST handlers for staff notifications, following and CCs: parse, gate, call a service,
return a schema. Mounted beside the templates' router under ``/api/notifications/``."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from ninja import Router

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.accounts.models import User
from lifebuoy.notifications.models import Notification
from lifebuoy.tickets.selectors import ticket_get_for_user

from . import following, selectors, services
from .schemas import (
    CcIn,
    FollowOut,
    MentionCandidateOut,
    NotificationOut,
    PreferencesIn,
    PreferencesOut,
    ReadAllOut,
    WatcherOut,
)

router = Router(tags=["notifications"])
LIMIT_MAX = 100


def _out(n: Notification) -> NotificationOut:
    return NotificationOut(
        id=n.id,
        kind=n.kind,
        ticket_id=n.ticket_id,
        ticket_number=n.ticket.number,
        actor=n.actor.display_name if n.actor else None,
        text=n.text,
        excerpt=n.excerpt,
        created_at=n.created_at,
        read_at=n.read_at,
        url=reverse("desk:detail", args=[n.ticket_id]),
    )


def _people(users: list[User]) -> list[WatcherOut]:
    return [WatcherOut(id=u.id, name=u.display_name, email=u.email) for u in users]


@router.get("/", response=list[NotificationOut])
def notification_list_api(
    request: AuthedRequest, unread: bool = False, limit: int = 50
) -> list[NotificationOut]:
    """The signed-in member of staff's notifications, newest first (``unread=true``: only
    those not read yet)."""
    notifications = selectors.notification_list_for_user(user=request.auth)
    if unread:
        notifications = notifications.filter(read_at__isnull=True)
    return [_out(n) for n in notifications[: max(1, min(limit, LIMIT_MAX))]]


@router.post("/read-all", response=ReadAllOut)
def notification_read_all_api(request: AuthedRequest) -> ReadAllOut:
    marked = services.notification_mark_all_read(user=request.auth, now=timezone.now())
    return ReadAllOut(marked=marked)


@router.post("/{notification_id}/read", response=NotificationOut)
def notification_read_api(request: AuthedRequest, notification_id: int) -> NotificationOut:
    notification = selectors.notification_get_for_user(
        user=request.auth, notification_id=notification_id
    )
    return _out(services.notification_mark_read(notification=notification, now=timezone.now()))


@router.get("/preferences", response=PreferencesOut)
def notification_preferences_api(request: AuthedRequest) -> PreferencesOut:
    return PreferencesOut(choices=selectors.notification_preferences_for_user(user=request.auth))


@router.put("/preferences", response=PreferencesOut)
def notification_preferences_update_api(
    request: AuthedRequest, payload: PreferencesIn
) -> PreferencesOut:
    choices = services.notification_preferences_save(user=request.auth, choices=payload.choices)
    return PreferencesOut(choices=choices)


@router.get("/mentions", response=list[MentionCandidateOut])
def mention_candidates_api(request: AuthedRequest, q: str = "") -> list[MentionCandidateOut]:
    """Active staff whose name or handle starts with ``q``, for the @ autocomplete."""
    found = selectors.mention_candidates(user=request.auth, prefix=q)
    return [
        MentionCandidateOut(id=c.id, name=c.name, handle=c.handle, insert=c.insert) for c in found
    ]


@router.post("/tickets/{ticket_id}/follow", response=FollowOut)
def ticket_follow_api(request: AuthedRequest, ticket_id: int) -> FollowOut:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    followers = following.ticket_follow(ticket=ticket, user=request.auth, now=timezone.now())
    return FollowOut(following=True, followers=_people(followers))


@router.delete("/tickets/{ticket_id}/follow", response=FollowOut)
def ticket_unfollow_api(request: AuthedRequest, ticket_id: int) -> FollowOut:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    followers = following.ticket_unfollow(ticket=ticket, user=request.auth)
    return FollowOut(following=False, followers=_people(followers))


@router.post("/tickets/{ticket_id}/ccs", response=list[WatcherOut])
def ticket_cc_add_api(request: AuthedRequest, ticket_id: int, payload: CcIn) -> list[WatcherOut]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    ccs = following.ticket_cc_add(
        ticket=ticket, actor=request.auth, email=payload.email, now=timezone.now()
    )
    return _people(ccs)


@router.delete("/tickets/{ticket_id}/ccs/{user_id}", response=list[WatcherOut])
def ticket_cc_remove_api(request: AuthedRequest, ticket_id: int, user_id: int) -> list[WatcherOut]:
    ticket = ticket_get_for_user(user=request.auth, ticket_id=ticket_id)
    return _people(following.ticket_cc_remove(ticket=ticket, actor=request.auth, user_id=user_id))
