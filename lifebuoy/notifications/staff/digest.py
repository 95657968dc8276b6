"""The hourly digest: one email per person with the notifications they chose to get that way.

Each notification leaves ``pending`` by a conditional update (to ``queued``, or to ``skipped``
when the person read it in the desk meanwhile), and only the rows this run moved go into its
email, so two runs at once never mail the same notification; the delivery's key names the
rows, so the outbox sends the email once.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction

from lifebuoy.core.links import desk_ticket_url
from lifebuoy.notifications.models import DeliveryKind, EmailState, Notification
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.notifications.staff.services import preferences_url, staff_email_payload


def notification_digest_send(*, now: datetime, batch_size: int = 200) -> int:
    """Email each person with pending notifications (up to ``batch_size`` people) their
    digest; the number of emails queued."""
    recipient_ids = list(
        Notification.objects.filter(email_state=EmailState.PENDING)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
        .distinct()[:batch_size]
    )
    return sum(_digest_for(recipient_id=rid, now=now) for rid in recipient_ids)


@transaction.atomic
def _digest_for(*, recipient_id: int, now: datetime) -> int:
    pending = list(
        Notification.objects.filter(recipient_id=recipient_id, email_state=EmailState.PENDING)
        .select_related("recipient", "ticket")
        .order_by("id")
    )
    taken = [n for n in pending if n.read_at is None and _take(n, EmailState.QUEUED)]
    for notification in pending:
        if notification.read_at is not None:
            _take(notification, EmailState.SKIPPED)
    if not taken:
        return 0
    recipient = taken[0].recipient
    delivery_enqueue(
        kind=DeliveryKind.EMAIL,
        key=f"email:digest:{recipient.id}:{taken[0].id}-{taken[-1].id}",
        ticket=None,
        target=recipient.email,
        payload=staff_email_payload(subject=_subject(len(taken)), text=_text(taken)),
        now=now,
    )
    return 1


def _take(notification: Notification, state: EmailState) -> bool:
    moved = Notification.objects.filter(id=notification.id, email_state=EmailState.PENDING).update(
        email_state=state
    )
    return moved == 1


def _subject(count: int) -> str:
    return "1 notification from the desk" if count == 1 else f"{count} notifications from the desk"


def _text(notifications: list[Notification]) -> str:
    lines = ["What happened on your tickets since the last digest:", ""]
    for n in notifications:
        lines.append(f"- {n.created_at:%H:%M} UTC  {n.text}")
        if n.excerpt:
            lines.append(f"  “{n.excerpt}”")
        lines.append(f"  {desk_ticket_url(n.ticket_id)}")
    lines += ["", f"Choose what you are emailed about: {preferences_url()}"]
    return "\n".join(lines)
