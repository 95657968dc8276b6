"""Reopening a solved ticket, and the follow-up ticket after the reopening window.

For ``LIFEBUOY_REOPEN_DAYS`` days after a ticket was resolved, its customers may reopen it,
resolved or closed: with the portal's button (``ticket_reopen``) or by replying, in the portal
or by mail (``ticket_reply``). After that window a customer's reply opens a new ticket linked to
the old one (``Ticket.follow_up_of``); while that follow-up is open, further replies to the old
ticket join it instead of opening another. Staff may reopen at any time (``ticket_update``).

Every change locks the old ticket's row first, so a double click or two mails at once reopen
once, or open one follow-up, never two.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import InvalidState
from lifebuoy.core.savepoints import atomic_service
from lifebuoy.tickets.events import StatusCause
from lifebuoy.tickets.models import OPEN_STATUSES, Channel, Message, Status, Ticket

from .common import _locked, _status_to
from .conversation import _message_add_locked, message_add
from .creation import NewTicket, ticket_create
from .window import SOLVED, ticket_may_reopen, ticket_needs_follow_up, window_passed_error


@transaction.atomic
def ticket_reopen(*, ticket: Ticket, actor: User, now: datetime) -> Ticket:
    """Reopen a resolved or closed ticket: status Open, the desk owes a reply, audited as a
    reopening and a status change, announced as ``StatusChanged`` (cause ``REOPEN``)."""
    ticket = _locked(ticket)
    if ticket.status not in SOLVED:
        raise InvalidState(
            "not_solved",
            f"Ticket {ticket.number} is {ticket.get_status_display().lower()}, not resolved "
            "or closed: there is nothing to reopen.",
        )
    if not actor.is_support_staff and not ticket_may_reopen(ticket=ticket, now=now):
        raise window_passed_error(ticket)
    fields = ["updated_at", "last_activity_at", "waiting_on_us"]
    ticket.last_activity_at = now
    ticket.waiting_on_us = not actor.is_support_staff
    _status_to(ticket, actor, Status.OPEN, now, fields, cause=StatusCause.REOPEN)
    ticket.save(update_fields=list(dict.fromkeys(fields)))
    ticket.refresh_from_db()
    return ticket


@dataclass(frozen=True)
class Reply:
    """Where a customer's reply landed: ``ticket`` is the old one, or its follow-up
    (``is_follow_up``), new (``created``) or already open."""

    ticket: Ticket
    message: Message | None
    is_follow_up: bool = False
    created: bool = False


@atomic_service
def ticket_reply(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    now: datetime,
    files: Sequence[UploadedFile] = (),
    channel: str = Channel.PORTAL,
    unverified: bool = False,
) -> Reply:
    """A public reply from the portal or by mail. Within the reopening window it joins the
    ticket (``message_add`` reopens a resolved or closed one); past it, a customer's reply goes
    to the ticket's open follow-up, or opens one."""
    ticket = _locked(ticket)
    if author.is_support_staff or not ticket_needs_follow_up(ticket=ticket, now=now):
        message = _message_add_locked(
            ticket=ticket, author=author, body=body, files=files, unverified=unverified, now=now
        )
        return Reply(ticket=ticket, message=message)
    open_follow_up = (
        Ticket.objects.filter(follow_up_of=ticket, status__in=OPEN_STATUSES).order_by("-id").first()
    )
    if open_follow_up is not None:
        message = message_add(
            ticket=open_follow_up,
            author=author,
            body=body,
            files=files,
            unverified=unverified,
            now=now,
        )
        return Reply(ticket=open_follow_up, message=message, is_follow_up=True)
    follow_up = ticket_create(
        actor=author,
        files=files,
        now=now,
        data=NewTicket(
            subject=ticket.subject,
            description=f"Follow-up to {ticket.number}, which is closed.\n\n{body}",
            priority=ticket.priority,
            category=ticket.category,
            channel=channel,
            follow_up_of_id=ticket.id,
        ),
    )
    return Reply(ticket=follow_up, message=None, is_follow_up=True, created=True)
