"""Message templates: support leads edit them; agents render them into a reply (a macro)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.core.links import portal_ticket_url
from lifebuoy.notifications.models import MessageTemplate
from lifebuoy.notifications.placeholders import PlaceholderError, fill, placeholders_in
from lifebuoy.tickets.models import Ticket

EDITOR_ROLES = frozenset({Role.LEAD, Role.ADMIN})


def template_validate(*, subject: str, body: str) -> None:
    """Raise ValidationFailed naming each field with an unknown or malformed placeholder."""
    errors: dict[str, str] = {}
    for field, text in (("subject", subject), ("body", body)):
        try:
            placeholders_in(text)
        except PlaceholderError as exc:
            errors[field] = str(exc)
    if not subject.strip():
        errors["subject"] = "A subject is required."
    if not body.strip():
        errors["body"] = "The template needs some text."
    if errors:
        raise ValidationFailed.for_fields(errors)


@transaction.atomic
def template_update(
    *, template: MessageTemplate, actor: User, name: str, subject: str, body: str
) -> MessageTemplate:
    if actor.role not in EDITOR_ROLES:
        raise PermissionDenied("not_allowed", "Only support leads edit reply templates.")
    template_validate(subject=subject, body=body)
    template.name = name.strip()[:100] or template.name
    template.subject = subject.strip()
    template.body = body
    template.updated_by = actor
    template.save(update_fields=["name", "subject", "body", "updated_by", "updated_at"])
    return template


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str


def ticket_values(*, ticket: Ticket, agent: User) -> dict[str, str]:
    """What the desk knows about a ticket, by placeholder name."""
    return {
        "customer_name": ticket.requester.display_name,
        "ticket_number": ticket.number,
        "ticket_token": ticket.subject_token,
        "summary": ticket.subject,
        "organization": ticket.organization.name,
        "priority": ticket.priority,
        "agent_name": agent.full_name or agent.display_name,
        "ticket_url": portal_ticket_url(ticket.id),
    }


def template_render(
    *,
    template: MessageTemplate,
    ticket: Ticket,
    agent: User,
    values: Mapping[str, str] | None = None,
) -> Rendered:
    """Fill the template for this ticket. Values the desk cannot know (the diagnosis, the next
    steps) come from ``values``; any still missing stay visible as ``[diagnosis]``."""
    merged = {**ticket_values(ticket=ticket, agent=agent), **(values or {})}
    return Rendered(subject=fill(template.subject, merged), body=fill(template.body, merged))
