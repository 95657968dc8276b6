"""Tickets that mirror conversations elsewhere: GitHub issues and forum topics.

Providers' webhook views verify the signature, then call these services. A provider may deliver
the same event more than once; ``inbound_event_claim`` lets exactly one delivery act.
People are known by their login on that provider; each becomes a customer with a synthetic,
never-mailed address (``login@users.<provider>.invalid``) in the organization the repository or
forum belongs to, or in the Community bucket.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction

from lifebuoy.accounts.models import Organization, User
from lifebuoy.accounts.services import community_organization_get_or_create, customer_create
from lifebuoy.core.errors import InvalidState
from lifebuoy.notifications.models import ExternalThread, InboundEvent
from lifebuoy.notifications.services.outbox import ECHO_MARKER
from lifebuoy.tickets.models import Message, Priority, Ticket
from lifebuoy.tickets.services import NewTicket, message_add, ticket_create


def inbound_event_claim(*, source: str, delivery_id: str, now: datetime) -> bool:
    """True for the first delivery of this event; False for a repeat."""
    try:
        with transaction.atomic():
            InboundEvent.objects.create(source=source, delivery_id=delivery_id, received_at=now)
    except IntegrityError:
        return False
    return True


def synthetic_email(source: str, login: str) -> str:
    safe = "".join(c for c in login.lower() if c.isalnum() or c in "-_.")[:60] or "unknown"
    return f"{safe}@users.{source}.invalid"


def external_person(*, source: str, login: str, organization: Organization | None) -> User:
    email = synthetic_email(source, login)
    user = User.objects.filter(email=email).first()
    if user is not None:
        return user
    org = organization or community_organization_get_or_create()
    return customer_create(email=email, full_name=login[:200], organization=org)


@dataclass(frozen=True)
class ExternalPost:
    source: str
    key: str
    url: str
    login: str
    subject: str
    body: str
    organization: Organization | None = None


@transaction.atomic
def external_ticket_open(*, post: ExternalPost, channel: str, now: datetime) -> Ticket:
    """Open the ticket mirroring ``post`` (or return the one that already does)."""
    existing = ExternalThread.objects.filter(source=post.source, key=post.key).first()
    if existing is not None:
        return existing.ticket
    requester = external_person(
        source=post.source, login=post.login, organization=post.organization
    )
    paying = post.organization is not None and post.organization.is_paying
    body = f"{post.body.strip() or '(no text)'}\n\n---\nFrom {post.login} at {post.url}"
    ticket = ticket_create(
        actor=requester,
        data=NewTicket(
            subject=post.subject[:200] or post.key,
            description=body[:45_000],
            channel=channel,
            priority=Priority.P2 if paying else Priority.P4,
        ),
        now=now,
    )
    ExternalThread.objects.create(
        source=post.source, key=post.key, url=post.url[:500], ticket=ticket, created_at=now
    )
    return ticket


@transaction.atomic
def external_reply_add(*, post: ExternalPost, now: datetime) -> Message | None:
    """Add a comment to the mirrored ticket; None when no ticket mirrors that conversation,
    or when the comment is our own reply coming back."""
    if ECHO_MARKER in post.body:
        return None
    thread = ExternalThread.objects.filter(source=post.source, key=post.key).first()
    if thread is None:
        return None
    author = external_person(
        source=post.source, login=post.login, organization=thread.ticket.organization
    )
    try:
        return message_add(
            ticket=thread.ticket, author=author, body=post.body[:45_000] or "(no text)", now=now
        )
    except InvalidState:  # closed in the desk: the conversation goes on without us
        return None


def external_thread_for_ticket(*, ticket_id: int, source: str) -> ExternalThread | None:
    return ExternalThread.objects.filter(ticket_id=ticket_id, source=source).first()
