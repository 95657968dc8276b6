"""The interface every ticket search engine implements, and what it answers.

The engines keep one row per ticket in a table of their own, written in the transaction
that changed the ticket. Each row holds two documents: everything (for staff) and the
public part only (subject, description, requester, organization, tags, number and public
replies), which is the only one a customer's search ever reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from .query import SearchQuery

# Highlight markers inside a snippet, replaced by <mark> once the text around them is escaped.
MARK_START = "\x02"
MARK_END = "\x03"
# Above this many matching tickets, the most recent ones this many are ranked.
RANK_CANDIDATES = 1000


@dataclass(frozen=True)
class Within:
    """The tickets a search may return, as SQL selecting their ids (the visibility rule and
    the desk's filters, compiled by the ORM), or None for every ticket."""

    sql: str
    params: tuple[Any, ...]


@dataclass(frozen=True)
class Hit:
    ticket_id: int
    score: float  # higher is better; comparable only within one answer


@dataclass(frozen=True)
class NewTicketDocument:
    """What a new ticket's documents are made of (it has no replies or notes yet)."""

    ticket_id: int
    subject: str
    description: str
    requester_name: str
    requester_email: str
    organization_name: str
    tags: tuple[str, ...]


class SearchBackend(Protocol):
    vendor: str

    def create_schema(self, cursor: Any) -> None: ...

    def drop_schema(self, cursor: Any) -> None: ...

    def index_tickets(self, cursor: Any, ticket_ids: list[int]) -> None:
        """Write the documents of these tickets from their stored rows (replacing any)."""

    def index_new_ticket(self, cursor: Any, document: NewTicketDocument) -> None:
        """Write the documents of a ticket created in this transaction from the values it was
        created with: what ``index_tickets`` would read back from the rows, without reading."""

    def index_message(self, cursor: Any, *, ticket_id: int, body: str, is_internal: bool) -> None:
        """Add one new message's words to its ticket's documents."""

    def match_sql(self, query: SearchQuery, *, public_only: bool) -> tuple[str, list[Any]]:
        """SQL selecting the ids of every ticket that matches (for the desk's filter)."""

    def search(
        self,
        cursor: Any,
        query: SearchQuery,
        *,
        public_only: bool,
        within: Within | None,
        limit: int,
    ) -> list[Hit]:
        """The best matches, most relevant first, newer first among equals."""

    def snippets(
        self, cursor: Any, query: SearchQuery, *, public_only: bool, ticket_ids: list[int]
    ) -> dict[int, str]:
        """A short passage of each ticket around its match, marked with MARK_START/MARK_END."""

    def similar(self, cursor: Any, *, ticket_id: int, text: str, limit: int) -> list[Hit]:
        """Earlier tickets (ids below ``ticket_id``) whose subject and description share the
        most distinctive words of ``text``, best first."""
