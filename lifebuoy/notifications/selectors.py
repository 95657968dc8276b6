"""Reads for customer communication: templates, deliveries and a ticket's mail thread."""

from __future__ import annotations

from django.db.models import QuerySet

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound, PermissionDenied

from .models import Delivery, MailReference, MessageTemplate


def template_list(*, user: User) -> QuerySet[MessageTemplate]:
    if not user.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff use reply templates.")
    return MessageTemplate.objects.all()


def template_get(*, user: User, key: str) -> MessageTemplate:
    template = template_list(user=user).filter(key=key).first()
    if template is None:
        raise NotFound("template_not_found", f"No template “{key}”.")
    return template


def delivery_list_for_ticket(*, ticket_id: int) -> QuerySet[Delivery]:
    return Delivery.objects.filter(ticket_id=ticket_id)


def thread_headers(*, ticket_id: int, own_message_id: str) -> tuple[str, list[str]]:
    """In-Reply-To and References for a new message in a ticket's mail thread.

    The root is the first Message-ID the thread knows (the customer's first mail, or our
    acknowledgement); In-Reply-To is the customer's latest mail, else the root. References
    keeps the root plus the latest few, which is what clients need to thread.
    """
    earlier = MailReference.objects.filter(ticket_id=ticket_id)
    own = earlier.filter(message_id=own_message_id).values_list("id", flat=True).first()
    if own is not None:  # only what the thread held when this message was written
        earlier = earlier.filter(id__lt=own)
    refs = list(earlier.order_by("id").values_list("message_id", "direction"))
    if not refs:
        return "", []
    root = refs[0][0]
    inbound = [mid for mid, direction in refs if direction == MailReference.Direction.INBOUND]
    in_reply_to = inbound[-1] if inbound else refs[-1][0]
    recent = [mid for mid, _ in refs[1:]][-9:]
    return in_reply_to, [root, *recent]
