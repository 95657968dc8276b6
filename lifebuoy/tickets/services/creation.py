"""Opening a ticket: validation, routing to a queue (and a Premium organization's named
engineer), and the ``TicketCreated`` event that starts its clocks, acknowledgement and
escalation follow-up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db.models import Q

from lifebuoy.accounts.models import Organization, Queue, Role, User
from lifebuoy.core.config_cache import config_cached
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.core.inserts import insert_rows
from lifebuoy.core.markdown import render_markdown
from lifebuoy.core.savepoints import atomic_service
from lifebuoy.tickets import events
from lifebuoy.tickets.models import (
    Category,
    Channel,
    Message,
    Priority,
    Tag,
    Ticket,
)
from lifebuoy.tickets.search.indexing import INDEXED_ATTRIBUTE, new_ticket_documents_along

from .common import (
    _check_choice,
    _check_files,
    _event_row,
    _set_tags,
    _store_attachments,
    _validate_text,
)


def _route(org: Organization) -> tuple[int | None, User | None]:
    """Premium organizations go to their dedicated queue and named engineer; others by tier.
    Returns the queue's id and the engineer."""
    tier = min(int(org.support_tier), 3)

    def queue_id() -> int | None:
        candidates = Queue.objects.filter(
            Q(organization=org) | Q(tier=tier, organization__isnull=True)
        ).values_list("id", "organization_id")
        # A dedicated queue (organization set) wins over the shared queue of the tier.
        best = min(candidates, key=lambda row: (row[1] is None, row[0]), default=None)
        return None if best is None else best[0]

    return config_cached(("route", org.id, tier), queue_id), org.named_engineer


@dataclass(frozen=True)
class NewTicket:
    subject: str
    description: str
    priority: str = Priority.P3
    category: str = Category.BUG
    channel: str = Channel.PORTAL
    tags: tuple[str, ...] = ()
    deployment_url: str = ""
    follow_up_of_id: int | None = None  # the closed ticket whose late reply opened this one


def ticket_create(
    *,
    actor: User,
    data: NewTicket,
    now: datetime,
    requester: User | None = None,
    files: Sequence[UploadedFile] = (),
) -> Ticket:
    """Open a ticket. Customers file for themselves; staff file on behalf of a customer.
    Refusals come before the transaction begins."""
    requester = actor if requester is None else requester
    if actor.is_customer and requester != actor:
        raise PermissionDenied("not_allowed", "Customers file tickets for themselves only.")
    if requester.role != Role.CUSTOMER or requester.organization is None:
        raise ValidationFailed.for_fields({"requester": "The requester must be a customer."})
    errors: dict[str, str] = {}
    _validate_text(errors, subject=data.subject, body=data.description)
    if not data.description.strip():
        errors["description"] = "Describe the problem."
    _check_choice(errors, "priority", data.priority, Priority)
    _check_choice(errors, "category", data.category, Category)
    _check_choice(errors, "channel", data.channel, Channel)
    if errors:
        raise ValidationFailed.for_fields(errors)
    _check_files(files)
    return _ticket_write(
        actor=actor,
        data=data,
        now=now,
        requester=requester,
        org=requester.organization,
        files=files,
    )


@atomic_service
def _ticket_write(
    *,
    actor: User,
    data: NewTicket,
    now: datetime,
    requester: User,
    org: Organization,
    files: Sequence[UploadedFile],
) -> Ticket:
    queue_id, engineer = _route(org)
    # The audit's "created" event is written by the ticket's own INSERT statement, and on
    # PostgreSQL so are the search documents of a ticket without tags.
    created = _event_row(None, actor, "created", now, new=f"{data.priority} via {data.channel}")
    subject = data.subject.strip()
    documents = None
    if not data.tags:
        documents = new_ticket_documents_along(
            subject=subject, description=data.description, requester=requester, organization=org
        )
    (ticket,) = insert_rows(
        [
            Ticket(
                subject=subject,
                description=data.description,
                description_html=render_markdown(data.description),
                requester=requester,
                organization=org,
                priority=data.priority,
                category=data.category,
                channel=data.channel,
                queue_id=queue_id,
                assignee=engineer,
                owner=engineer,
                deployment_url=data.deployment_url[:500],
                follow_up_of_id=data.follow_up_of_id,
                last_activity_at=now,
                created_at=now,
            )
        ],
        along=[created],
        along_key="ticket",
        also=() if documents is None else [documents],
    )
    if documents is not None:
        setattr(ticket, INDEXED_ATTRIBUTE, True)
    if data.tags:
        _set_tags(ticket, data.tags)
    else:
        # Known to have no tags: whoever shows or indexes the new ticket needs no query to find
        # that out. An evaluated empty queryset, as ``prefetch_related`` leaves one (iterating
        # ``none()`` would still compile a query to find it has nothing to run).
        no_tags = Tag.objects.none()
        no_tags._result_cache = []
        ticket._prefetched_objects_cache = {"tags": no_tags}  # type: ignore[attr-defined]
    if files:
        message = Message.objects.create(
            ticket=ticket, author=requester, body="", body_html="", created_at=now
        )
        _store_attachments(message, files)
    events.publish(events.TicketCreated(ticket=ticket, now=now))
    return ticket
