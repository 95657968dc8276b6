"""The ticket page's timeline: the description, replies, internal notes and the audit trail's
changes, in one list, oldest first.

What a viewer gets goes through the tickets app's gates: ``message_list_for_user`` (customers
never get internal notes) and ``event_list_for_user`` (the audit trail is for staff only).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from lifebuoy.accounts.models import User
from lifebuoy.tickets.models import Message, Ticket, TicketEvent
from lifebuoy.tickets.selectors import event_list_for_user, message_list_for_user

# Audit entries the timeline leaves out: the reply or note they record is on it already.
SHOWN_AS_MESSAGES = frozenset({"reply_added", "note_added"})
SLA_ACTIONS = frozenset({"sla_at_risk", "sla_breached"})


@dataclass(frozen=True)
class Opened:
    """The ticket's description, as its requester wrote it."""

    ticket: Ticket
    kind: Literal["opened"] = "opened"

    @property
    def at(self) -> datetime:
        return self.ticket.created_at


@dataclass(frozen=True)
class Post:
    """A public reply or an internal note."""

    message: Message
    kind: Literal["message"] = "message"

    @property
    def at(self) -> datetime:
        return self.message.created_at


@dataclass(frozen=True)
class Change:
    """One audit entry: a field changed, an SLA target at risk, an escalation step …"""

    event: TicketEvent
    kind: Literal["event"] = "event"

    @property
    def at(self) -> datetime:
        return self.event.created_at

    @property
    def due_at(self) -> datetime | None:
        """For an SLA warning, when the target was due (the entry keeps it as ISO text)."""
        if self.event.action not in SLA_ACTIONS:
            return None
        try:
            return datetime.fromisoformat(self.event.new_value)
        except ValueError:
            return None


TimelineEntry = Opened | Post | Change

# At one instant: the description first, then messages, then the changes they caused.
_RANK = {"opened": 0, "message": 1, "event": 2}


def _order(entry: TimelineEntry) -> tuple[datetime, int, int]:
    row_id = entry.ticket.id if isinstance(entry, Opened) else 0
    if isinstance(entry, Post):
        row_id = entry.message.id
    elif isinstance(entry, Change):
        row_id = entry.event.id
    return (entry.at, _RANK[entry.kind], row_id)


def ticket_timeline(*, user: User, ticket: Ticket, attachments: bool = True) -> list[TimelineEntry]:
    """Everything that happened on ``ticket`` that ``user`` may see, oldest first (three
    queries: messages, their attachments, events; two with ``attachments=False``, when the
    caller knows there are none)."""
    messages = message_list_for_user(user=user, ticket=ticket, attachments=attachments)
    events = event_list_for_user(user=user, ticket=ticket).exclude(action__in=SHOWN_AS_MESSAGES)
    entries: list[TimelineEntry] = [Opened(ticket)]
    entries.extend(Post(m) for m in messages)
    entries.extend(Change(e) for e in events)
    return sorted(entries, key=_order)
