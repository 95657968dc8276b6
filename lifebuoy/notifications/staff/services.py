"""Writes for staff notifications: creating them (and their email), reading them, and each
person's choices.

Invariants:
- a notification is never for the person whose action caused it, nor for a customer or an
  inactive account;
- a kind someone turned off creates nothing; otherwise the notification is always in the desk,
  and its email follows the person's choice: queued in the outbox in the same transaction
  (sent after the commit, once), or left ``pending`` for the hourly digest;
- ``key`` is unique, so an event handled twice notifies once.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from django.db import transaction
from django.urls import reverse

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.links import absolute_url, desk_ticket_url
from lifebuoy.notifications.models import (
    DeliveryKind,
    EmailChoice,
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.notifications.staff.selectors import (
    notification_choices,
    notification_list_for_user,
    notification_preferences_for_user,
)
from lifebuoy.tickets.models import Ticket

EXCERPT_MAX = 280


def excerpt_of(body: str) -> str:
    flat = " ".join(body.split())
    if len(flat) <= EXCERPT_MAX:
        return flat
    return flat[: EXCERPT_MAX - 1].rstrip(" .,;:") + "…"


def notification_send(
    *,
    recipients: Iterable[User | None],
    kind: NotificationKind,
    ticket: Ticket,
    actor: User | None,
    text: str,
    cause: str,
    now: datetime,
    excerpt: str = "",
) -> list[Notification]:
    """Notify each of ``recipients`` (duplicates and ``None`` ignored) of one thing that
    happened; ``cause`` names it, to make the notification's key. Call inside the transaction
    of the change: the emails leave after its commit. The notifications created."""
    people = {
        person.id: person
        for person in recipients
        if person is not None
        and person.is_active
        and person.is_support_staff
        and (actor is None or person.id != actor.id)
    }
    choices = notification_choices(user_ids=list(people))
    created = []
    for person in people.values():
        choice = choices[person.id][kind]
        if choice == EmailChoice.OFF:
            continue
        notification, is_new = Notification.objects.get_or_create(
            key=f"{kind}:{cause}:{person.id}",
            defaults={
                "recipient": person,
                "kind": kind,
                "ticket": ticket,
                "actor": actor,
                "text": text[:300],
                "excerpt": excerpt[:300],
                "email_state": EmailState.PENDING
                if choice == EmailChoice.DIGEST
                else EmailState.QUEUED,
                "created_at": now,
            },
        )
        if not is_new:
            continue
        if choice == EmailChoice.IMMEDIATELY:
            _email_now(notification, now)
        created.append(notification)
    return created


def preferences_url() -> str:
    return absolute_url(reverse("staff_notifications:preferences"))


def _email_now(notification: Notification, now: datetime) -> None:
    ticket = notification.ticket
    lines = [notification.text]
    if notification.excerpt:
        lines += ["", f"“{notification.excerpt}”"]
    lines += ["", f"Open the ticket: {desk_ticket_url(ticket.id)}"]
    lines += ["", f"Choose what you are emailed about: {preferences_url()}"]
    text = "\n".join(lines)
    delivery_enqueue(
        kind=DeliveryKind.EMAIL,
        key=f"email:notification:{notification.id}",
        ticket=ticket,
        target=notification.recipient.email,
        payload=staff_email_payload(subject=notification.text, text=text),
        now=now,
    )


def staff_email_payload(*, subject: str, text: str) -> dict[str, Any]:
    """A plain notice from the desk to a member of staff (never answered by an autoresponder)."""
    paragraphs = "".join(
        "<p>" + html.escape(part).replace("\n", "<br>") + "</p>" for part in text.split("\n\n")
    )
    return {
        "subject": subject[:200],
        "text": text + "\n",
        "html": f'<!doctype html><html><body style="font-family:sans-serif">{paragraphs}'
        "</body></html>",
        "headers": {"Auto-Submitted": "auto-generated"},
    }


def notification_mark_read(*, notification: Notification, now: datetime) -> Notification:
    """Mark one notification read (a second time changes nothing)."""
    Notification.objects.filter(id=notification.id, read_at__isnull=True).update(read_at=now)
    notification.refresh_from_db(fields=["read_at"])
    return notification


def notification_mark_all_read(*, user: User, now: datetime) -> int:
    """Mark every unread notification of ``user`` read; how many were unread."""
    unread = notification_list_for_user(user=user).filter(read_at__isnull=True)
    return unread.update(read_at=now)


@transaction.atomic
def notification_preferences_save(*, user: User, choices: Mapping[str, str]) -> dict[str, str]:
    """Set ``user``'s choice for the kinds named in ``choices``; every kind's choice after."""
    current = notification_preferences_for_user(user=user)
    errors = {
        kind: f"Choose one of: {', '.join(EmailChoice.values)}."
        for kind, choice in choices.items()
        if choice not in EmailChoice.values
    }
    errors.update(
        {kind: "No such kind of notification." for kind in choices if kind not in current}
    )
    if errors:
        raise ValidationFailed.for_fields(errors)
    for kind, choice in choices.items():
        NotificationPreference.objects.update_or_create(
            user=user, kind=kind, defaults={"email": choice}
        )
    return {**current, **choices}
