"""Reads for customer communication: templates, deliveries and a ticket's mail thread."""

from __future__ import annotations

from django.db.models import Case, Q, QuerySet, Value, When

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
    """Staff only: callers are the agent ticket page and the admin."""
    return Delivery.objects.filter(ticket_id=ticket_id)


def delivery_list_for_user(*, user: User, ticket_id: int) -> QuerySet[Delivery]:
    """What was sent about a ticket; staff only (targets include other people's addresses)."""
    if not user.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff see deliveries.")
    return delivery_list_for_ticket(ticket_id=ticket_id).order_by("-id")


def thread_headers(*, ticket_id: int, own_message_id: str) -> tuple[str, list[str]]:
    """In-Reply-To and References for a new message in a ticket's mail thread.

    The root is the first Message-ID the thread knows (the customer's first mail, or our
    acknowledgement); In-Reply-To is the customer's latest mail, else the root. References
    keeps the root plus the latest few, which is what clients need to thread.
    """
    thread = MailReference.objects.filter(ticket_id=ticket_id)
    own = thread.filter(message_id=own_message_id).values("id", "created_at").first()
    earlier = thread.exclude(message_id=own_message_id)
    if own is not None:
        # Only what the thread held when this message was written: earlier mail of ours, and
        # the customer's mail up to that moment (a ticket opened by email records the
        # customer's Message-ID just after our acknowledgement, in the same transaction).
        earlier = earlier.filter(
            Q(id__lt=own["id"])
            | Q(direction=MailReference.Direction.INBOUND, created_at__lte=own["created_at"])
        )
    inbound_first = Case(
        When(direction=MailReference.Direction.INBOUND, then=Value(0)), default=Value(1)
    )
    refs = list(
        earlier.order_by("created_at", inbound_first, "id").values_list("message_id", "direction")
    )
    if not refs:
        return "", []
    root = refs[0][0]
    inbound = [mid for mid, direction in refs if direction == MailReference.Direction.INBOUND]
    in_reply_to = inbound[-1] if inbound else refs[-1][0]
    recent = [mid for mid, _ in refs[1:]][-9:]
    return in_reply_to, [root, *recent]
