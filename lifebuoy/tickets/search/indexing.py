"""Keeping the search index in step with tickets: written by the ticket events' first
subscriber, inside the transaction of the change (a rolled-back change leaves no words
behind), and rebuilt in batches by ``search_reindex`` for tickets written before it existed
or changed outside the services (a requester's new name, an organization renamed).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db import connection, transaction

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.tickets import events
from lifebuoy.tickets.models import Ticket

from . import backend_for
from .base import NewTicketDocument
from .postgres import PostgresBackend

# Before every other subscriber: the index holds whatever they later read.
ORDER_SEARCH = 5
REINDEX_BATCH = 2000
# Set on a new ticket whose documents its own INSERT wrote (``new_ticket_documents_along``).
INDEXED_ATTRIBUTE = "_search_indexed"


def new_ticket_documents_along(
    *, subject: str, description: str, requester: User, organization: Organization
) -> tuple[str, list[Any]] | None:
    """On PostgreSQL, a new ticket's documents (one without tags) as a statement for its own
    INSERT to carry (``insert_rows``' ``also``), one statement fewer than the subscriber's;
    None elsewhere. Mark the ticket with ``INDEXED_ATTRIBUTE`` once it is written."""
    backend = backend_for(connection)
    if not isinstance(backend, PostgresBackend):
        return None
    return backend.new_ticket_along(
        subject=subject,
        description=description,
        requester_name=requester.full_name,
        requester_email=requester.email,
        organization_name=organization.name,
    )


def search_index_tickets(*, ticket_ids: list[int]) -> None:
    """Write these tickets' documents again from their stored rows."""
    with connection.cursor() as cursor:
        backend_for(connection).index_tickets(cursor, sorted(set(ticket_ids)))


def _on_created(event: events.TicketCreated) -> None:
    ticket = event.ticket
    if getattr(ticket, INDEXED_ATTRIBUTE, False):  # written with the ticket
        return
    document = NewTicketDocument(
        ticket_id=ticket.id,
        subject=ticket.subject,
        description=ticket.description,
        requester_name=ticket.requester.full_name,
        requester_email=ticket.requester.email,
        organization_name=ticket.organization.name,
        tags=tuple(tag.name for tag in ticket.tags.all()),
    )
    with prepared_cursor() as cursor:
        backend_for(connection).index_new_ticket(cursor, document)


def _on_message(event: events.MessageAdded) -> None:
    message = event.message
    with connection.cursor() as cursor:
        backend_for(connection).index_message(
            cursor, ticket_id=message.ticket_id, body=message.body, is_internal=message.is_internal
        )


def _on_updated(event: events.TicketUpdated) -> None:
    if "tags" in event.changed:
        search_index_tickets(ticket_ids=[event.ticket.id])


def _on_merged(event: events.TicketMerged) -> None:
    # The sources' conversations moved to the target: both sides read differently now.
    search_index_tickets(ticket_ids=[event.target.id, *event.source_ids])


def register() -> None:
    events.subscribe(events.TicketCreated, _on_created, order=ORDER_SEARCH)
    events.subscribe(events.MessageAdded, _on_message, order=ORDER_SEARCH)
    events.subscribe(events.TicketUpdated, _on_updated, order=ORDER_SEARCH)
    events.subscribe(events.TicketMerged, _on_merged, order=ORDER_SEARCH)


def search_reindex_total(*, after_id: int = 0) -> int:
    """How many tickets ``search_reindex`` will go through."""
    return Ticket.objects.filter(id__gt=after_id).count()


def search_reindex(*, batch_size: int = REINDEX_BATCH, after_id: int = 0) -> Iterator[int]:
    """Index every ticket with an id above ``after_id``, ``batch_size`` per transaction, in id
    order; yields how many each batch held (for a progress bar). Safe beside live traffic: a
    batch rewrites its tickets from their committed rows while holding their row locks."""
    while True:
        with transaction.atomic():
            ids = list(
                Ticket.objects.filter(id__gt=after_id)
                .order_by("id")
                .select_for_update()
                .values_list("id", flat=True)[:batch_size]
            )
            if not ids:
                return
            search_index_tickets(ticket_ids=ids)
        after_id = ids[-1]
        yield len(ids)
