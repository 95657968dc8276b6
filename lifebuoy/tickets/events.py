"""What happens to a ticket, announced to whoever cares: the ticket's domain events.

Ticket services publish; the apps above ``tickets`` (SLA clocks, notifications, escalations)
subscribe in their ``AppConfig.ready()``. So ``tickets`` never imports them, and each subscriber
says in one place which events it reacts to.

    from lifebuoy.tickets import events

    def on_created(event: events.TicketCreated) -> None: ...

    events.subscribe(events.TicketCreated, on_created, order=events.ORDER_SLA)

Handlers run synchronously, inside the publisher's transaction, in ascending ``order`` (then
in the order they subscribed): an exception rolls the whole change back, as if the handler's
work were part of the service. Side effects outside the database (mail, Slack, Celery tasks)
are queued by the handlers to run after the commit, as before.

A merge (``ticket_merge``) publishes, for each source, ``StatusChanged`` with
``StatusCause.MERGE`` (the source closes: its SLA clocks stop) and then ``MessageAdded`` for the
public notice on the source ("This request was merged into #N, where we continue."), and at the
end one ``TicketMerged``. The requester of each source is told once, by that notice, mailed like
any public reply: notifications send nothing for a ``MERGE`` close (no "please confirm" mail;
that goes only with a staff resolution). Nothing subscribes to ``TicketMerged`` yet.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from lifebuoy.accounts.models import User
    from lifebuoy.tickets.models import Message, Ticket

# The order subscribers run in: clocks first (notifications read their deadlines), then what the
# customer is told, then escalation rules (which see the clocks and the notices).
ORDER_SLA = 10
ORDER_NOTIFICATIONS = 20
ORDER_ESCALATIONS = 30


class StatusCause(StrEnum):
    """Why a status changed; subscribers decide by it (e.g. only a staff resolution mails)."""

    STAFF_UPDATE = "staff_update"  # a person on the desk or the API set it
    MESSAGE = "message"  # a reply moved the ticket along (reopen, open, pending → open)
    CONFIRMATION = "confirmation"  # the customer confirmed the fix
    ESCALATION = "escalation"  # handed to the next level
    AUTOCLOSE = "autoclose"  # resolved and quiet for the configured days
    MERGE = "merge"  # closed because it was merged into another ticket (told by a public notice)
    REOPEN = "reopen"  # the customer reopened a resolved or closed ticket (the portal's button)


@dataclass(frozen=True, slots=True)
class TicketCreated:
    ticket: Ticket
    now: datetime


@dataclass(frozen=True, slots=True)
class MessageAdded:
    """A reply or an internal note. ``unverified``: mail that did not prove its sender; it is
    recorded and should move nothing (no clock, no escalation)."""

    message: Message
    now: datetime
    is_automatic: bool = False
    unverified: bool = False


@dataclass(frozen=True, slots=True)
class StatusChanged:
    ticket_id: int
    old: str
    new: str
    cause: StatusCause
    now: datetime
    ticket: Ticket | None = None  # the locked instance when the publisher has one


@dataclass(frozen=True, slots=True)
class PriorityChanged:
    ticket: Ticket
    old: str
    new: str
    now: datetime


@dataclass(frozen=True, slots=True)
class AssignmentChanged:
    ticket: Ticket
    old_assignee: User | None
    new_assignee: User | None
    now: datetime


@dataclass(frozen=True, slots=True)
class TicketUpdated:
    """Staff saved changes to a ticket's properties (published once per save, even when nothing
    changed: a save is a moment to look at the ticket again)."""

    ticket: Ticket
    changed: frozenset[str]
    now: datetime


@dataclass(frozen=True, slots=True)
class TicketMerged:
    """Tickets ``source_ids`` were merged into ``target``: their conversations moved there, their
    tags were added to it, and each of them was closed (its own ``StatusChanged`` came first)."""

    target: Ticket
    source_ids: tuple[int, ...]
    now: datetime


Event = (
    TicketCreated
    | MessageAdded
    | StatusChanged
    | PriorityChanged
    | AssignmentChanged
    | TicketUpdated
    | TicketMerged
)
E = TypeVar("E")
Handler = Callable[[E], None]

_handlers: dict[type[Any], list[tuple[int, int, Callable[[Any], None]]]] = {}


def subscribe(event_type: type[E], handler: Handler[E], *, order: int) -> None:
    """Run ``handler`` for every ``event_type`` published from now on; twice is a no-op."""
    entries = _handlers.setdefault(event_type, [])
    if any(existing is handler for _, _, existing in entries):
        return
    entries.append((order, len(entries), handler))
    entries.sort(key=lambda entry: (entry[0], entry[1]))


def publish(event: Event) -> None:
    """Call every handler of the event's type, in order, here and now."""
    for _, _, handler in _handlers.get(type(event), ()):
        handler(event)


def subscribers(event_type: type[Any]) -> list[str]:
    """Who reacts to ``event_type``, in the order they run (for the docs and the tests)."""
    return [
        f"{handler.__module__}.{handler.__qualname__}"
        for _, _, handler in _handlers.get(event_type, ())
    ]
