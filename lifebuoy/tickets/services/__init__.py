"""Writes for tickets: creation and routing, the conversation, changes with their audit trail,
merging duplicates.

Invariants:
- every change to a ticket writes a TicketEvent in the same transaction;
- a customer can never write an internal note, and never changes anything but their own reply
  and the confirmation that a ticket is resolved;
- the ticket row is locked for the length of each change, so concurrent changes serialize.
"""

from .bulk import BULK_MAX, BulkChanges, BulkScope, ticket_bulk_extend, ticket_bulk_update
from .changes import (
    TRANSITIONS,
    TicketChanges,
    ticket_autoclose_sweep,
    ticket_confirm_resolved,
    ticket_escalate_to,
    ticket_field_values,
    ticket_update,
)
from .common import BODY_MAX, SUBJECT_MAX, AuditEntry, ticket_audit_record
from .conversation import message_add
from .creation import NewTicket, ticket_create
from .merge import ticket_merge
from .reopening import Reply, ticket_reopen, ticket_reply
from .window import ticket_may_reopen, ticket_needs_follow_up, ticket_reopen_until

__all__ = [
    "BODY_MAX",
    "BULK_MAX",
    "SUBJECT_MAX",
    "TRANSITIONS",
    "AuditEntry",
    "BulkChanges",
    "BulkScope",
    "NewTicket",
    "Reply",
    "TicketChanges",
    "message_add",
    "ticket_audit_record",
    "ticket_autoclose_sweep",
    "ticket_bulk_extend",
    "ticket_bulk_update",
    "ticket_confirm_resolved",
    "ticket_create",
    "ticket_escalate_to",
    "ticket_field_values",
    "ticket_may_reopen",
    "ticket_merge",
    "ticket_needs_follow_up",
    "ticket_reopen",
    "ticket_reopen_until",
    "ticket_reply",
    "ticket_update",
]
