from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from ninja import Field, Schema

from lifebuoy.accounts.models import User
from lifebuoy.accounts.schemas import StaffOnlyFieldsIn
from lifebuoy.core.schemas import PlainIn, PlainOut

from .models import Message, Ticket, TicketEvent


class PersonOut(PlainOut):
    id: int
    name: str = Field(..., alias="display_name")

    @classmethod
    def plain_of(cls, obj: Any) -> dict[str, Any] | None:
        return person_plain(obj) if isinstance(obj, User) else None


def person_plain(user: User) -> dict[str, Any]:
    return {"id": user.id, "display_name": user.display_name}


class TicketCreateIn(StaffOnlyFieldsIn):
    STAFF_ONLY = frozenset({"channel", "tags", "requester_id"})

    subject: str
    description: str
    priority: str = "P3"
    category: str = "bug"
    channel: str = Field("portal", description="Staff only: how the customer got in touch.")
    tags: list[str] = Field([], description="Staff only.")
    deployment_url: str = ""
    requester_id: int | None = Field(
        None, description="Staff only: the customer the ticket is for."
    )


class TicketUpdateIn(StaffOnlyFieldsIn):
    """Every field is the staff's: customers change a ticket by replying or confirming."""

    STAFF_ONLY = frozenset({"status", "priority", "category", "assignee_id", "tags"})

    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assignee_id: int | None = Field(None, description="A staff member's id; 0 unassigns.")
    tags: list[str] | None = None
    version: datetime | None = Field(
        None,
        description="The ticket's `version` as you read it: a field you send that someone "
        "else changed since is refused with 409 and the current values.",
    )


class TicketOut(PlainOut):
    id: int
    number: str
    subject: str
    description: str
    description_html: str
    status: str
    priority: str
    category: str
    channel: str
    organization_id: int
    organization: str
    requester: PersonOut
    assignee: PersonOut | None
    owner: PersonOut | None
    tags: list[str]
    deployment_url: str
    created_at: datetime
    updated_at: datetime
    version: datetime = Field(
        description="Send it back with a change (PATCH) to be told of conflicts."
    )
    last_activity_at: datetime
    first_response_at: datetime | None
    resolved_at: datetime | None
    closed_at: datetime | None

    @classmethod
    def plain_of(cls, obj: Any) -> dict[str, Any] | None:
        return ticket_plain(obj) if isinstance(obj, Ticket) else None


def ticket_plain(ticket: Ticket) -> dict[str, Any]:
    """``TicketOut``'s values for ``ticket``."""
    assignee, owner = ticket.assignee, ticket.owner
    return {
        "id": ticket.id,
        "number": ticket.number,
        "subject": ticket.subject,
        "description": ticket.description,
        "description_html": ticket.description_html,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "channel": ticket.channel,
        "organization_id": ticket.organization_id,
        "organization": ticket.organization.name,
        "requester": person_plain(ticket.requester),
        "assignee": None if assignee is None else person_plain(assignee),
        "owner": None if owner is None else person_plain(owner),
        "tags": sorted(tag.name for tag in ticket.tags.all()),
        "deployment_url": ticket.deployment_url,
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "version": ticket.updated_at,
        "last_activity_at": ticket.last_activity_at,
        "first_response_at": ticket.first_response_at,
        "resolved_at": ticket.resolved_at,
        "closed_at": ticket.closed_at,
    }


class TicketPageOut(Schema):
    items: list[TicketOut]
    next_cursor: str | None


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int
    url: str


class MessageIn(PlainIn):
    body: str
    is_internal: bool = False


class MessageOut(Schema):
    id: int
    author: PersonOut
    body: str
    body_html: str
    is_internal: bool
    created_at: datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_attachments(obj: Message) -> list[dict[str, object]]:
        return [
            {
                "id": a.id,
                "filename": a.filename,
                "content_type": a.content_type,
                "size": a.size,
                "url": reverse("api-1.0.0:attachment_download_api", args=[a.id]),
            }
            for a in obj.attachments.all()
        ]


class EventOut(Schema):
    action: str
    field: str
    old_value: str
    new_value: str
    actor: str | None
    created_at: datetime

    @staticmethod
    def resolve_actor(obj: TicketEvent) -> str | None:
        return obj.actor.display_name if obj.actor else None
