"""Reads for customer communication: templates, deliveries, a ticket's mail thread, and the
gates for organizations' webhook endpoints."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Case, F, Q, QuerySet, Value, When, Window
from django.db.models.fields.json import KeyTransform
from django.db.models.functions import RowNumber

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.core.errors import NotFound, PermissionDenied, ValidationFailed

from .models import Delivery, DeliveryKind, MailReference, MessageTemplate, WebhookEndpoint


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


# Webhook endpoints. An organization's admins manage its endpoints; support leads and admins
# any organization's; other staff and customers who are not admins none (403). Another
# organization's endpoint is, for a customer, the same 404 as one that does not exist.
WEBHOOK_MANAGER_STAFF = frozenset({Role.LEAD, Role.ADMIN})


def _webhook_manager_required(user: User) -> None:
    if user.is_customer and not user.administers_organization:
        raise PermissionDenied("not_allowed", "Only your organization's admins manage webhooks.")
    if not user.is_customer and user.role not in WEBHOOK_MANAGER_STAFF:
        raise PermissionDenied("not_allowed", "Only support leads and admins manage webhooks.")


def webhook_endpoint_list_for_user(
    *, user: User, organization_id: int | None = None
) -> QuerySet[WebhookEndpoint]:
    """The endpoints ``user`` manages, optionally of one organization."""
    endpoints = WebhookEndpoint.objects.select_related("organization").order_by(
        "organization__name", "id"
    )
    if organization_id is not None:
        organization = webhook_organization_get_for_user(user=user, organization_id=organization_id)
        return endpoints.filter(organization=organization)
    _webhook_manager_required(user)
    if user.is_customer:
        return endpoints.filter(organization__members=user)
    return endpoints


def webhook_endpoint_get_for_user(*, user: User, endpoint_id: int) -> WebhookEndpoint:
    """The gate for webhook endpoints: missing and another organization's are the same 404."""
    endpoint = webhook_endpoint_list_for_user(user=user).filter(id=endpoint_id).first()
    if endpoint is None:
        raise NotFound("webhook_not_found", f"Webhook endpoint {endpoint_id} was not found.")
    return endpoint


def webhook_organization_list_for_user(*, user: User) -> QuerySet[Organization]:
    """The organizations ``user`` may add endpoints to: an organization admin's own; for leads
    and admins, every organization."""
    _webhook_manager_required(user)
    if user.is_customer:
        return Organization.objects.filter(members=user)
    return Organization.objects.all()


def webhook_organization_get_for_user(*, user: User, organization_id: int | None) -> Organization:
    """The organization of a new endpoint. Customers may leave it out (their own); naming
    another is a 404. Leads and admins must name one."""
    if organization_id is None and user.is_customer:
        organization_id = user.organization_id
    if organization_id is None:
        _webhook_manager_required(user)
        raise ValidationFailed.for_fields({"organization_id": "Choose the organization."})
    found = webhook_organization_list_for_user(user=user).filter(id=organization_id).first()
    if found is None:
        raise NotFound("organization_not_found", f"Organization {organization_id} was not found.")
    return found


def webhook_deliveries_recent(
    *, endpoint_ids: list[int], per_endpoint: int = 5
) -> dict[int, list[Delivery]]:
    """The latest deliveries of each endpoint, newest first, in one query.

    Webhook deliveries' keys start with ``webhook:<endpoint id>:``, which the unique index on the
    key can serve; the endpoint id is also in the payload, which the window partitions by.
    """
    if not endpoint_ids:
        return {}
    prefixes = Q()
    for endpoint_id in endpoint_ids:
        prefixes |= Q(idempotency_key__startswith=f"webhook:{endpoint_id}:")
    rows = (
        Delivery.objects.filter(prefixes, kind=DeliveryKind.WEBHOOK)
        .annotate(
            rank=Window(
                RowNumber(),
                partition_by=[KeyTransform("endpoint", "payload")],
                order_by=F("id").desc(),
            )
        )
        .filter(rank__lte=per_endpoint)
        .order_by("-id")
    )
    recent: dict[int, list[Delivery]] = defaultdict(list)
    for delivery in rows:
        recent[int(delivery.idempotency_key.split(":", 2)[1])].append(delivery)
    return dict(recent)
