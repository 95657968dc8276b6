"""The conversation: public replies and internal notes, and what a reply does to the ticket."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.core.files.uploadedfile import UploadedFile
from django.db import transaction

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.core.inserts import insert_rows
from lifebuoy.core.markdown import render_markdown
from lifebuoy.tickets import events
from lifebuoy.tickets.events import StatusCause
from lifebuoy.tickets.models import Message, Status, Ticket

from .common import (
    BODY_MAX,
    _check_files,
    _event,
    _locked,
    _save_fields,
    _status_to,
    _store_attachments,
)
from .window import ticket_needs_follow_up, window_passed_error


@transaction.atomic
def message_add(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    now: datetime,
    is_internal: bool = False,
    files: Sequence[UploadedFile] = (),
    is_automatic: bool = False,
    unverified: bool = False,
) -> Message:
    """Add a reply or an internal note, and move the ticket along as a support desk would.

    ``is_automatic`` marks a message the system sends in someone's name (a notice, an
    auto-reply): it is never anyone's response, for the SLA clocks or ``first_response_at``.
    ``unverified`` marks mail that did not prove its sender: it is recorded and changes
    nothing else (no status, clock or escalation moves on it).

    A customer's reply reopens a resolved or closed ticket within the reopening window
    (``window.py``) and is refused after it (``ticket_reply`` opens a follow-up instead).
    """
    return _message_add_locked(
        ticket=_locked(ticket),
        author=author,
        body=body,
        now=now,
        is_internal=is_internal,
        files=files,
        is_automatic=is_automatic,
        unverified=unverified,
    )


def _message_add_locked(
    *,
    ticket: Ticket,
    author: User,
    body: str,
    now: datetime,
    is_internal: bool = False,
    files: Sequence[UploadedFile] = (),
    is_automatic: bool = False,
    unverified: bool = False,
) -> Message:
    """``message_add`` on a ticket the caller locked (``_locked``) in its open transaction:
    ``ticket_reply`` locks first to decide where a reply goes, and does not lock again."""
    if is_internal and not author.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can write internal notes.")
    if not body.strip() and not files:
        raise ValidationFailed.for_fields({"body": "Write a message or attach a file."})
    if len(body) > BODY_MAX:
        raise ValidationFailed.for_fields({"body": f"Keep it under {BODY_MAX:,} characters."})
    _check_files(files)
    if not author.is_support_staff and ticket_needs_follow_up(ticket=ticket, now=now):
        raise window_passed_error(ticket)  # ``ticket_reply`` opens a follow-up instead
    (message,) = insert_rows(  # planned once per process: every reply and note writes one
        [
            Message(
                ticket=ticket,
                author=author,
                body=body,
                body_html=render_markdown(body),
                is_internal=is_internal,
                unverified=unverified,
                created_at=now,
            )
        ]
    )
    _store_attachments(message, files)
    _event(ticket, author, "note_added" if is_internal else "reply_added", now)
    if unverified:
        ticket.last_activity_at = now
        _save_fields(ticket, ["last_activity_at", "updated_at"])
    elif not is_internal:
        _after_public_message(ticket, author, now, is_automatic=is_automatic)
    events.publish(
        events.MessageAdded(
            message=message, now=now, is_automatic=is_automatic, unverified=unverified
        )
    )
    return message


def _after_public_message(
    ticket: Ticket, author: User, now: datetime, *, is_automatic: bool
) -> None:
    fields = ["last_activity_at", "updated_at"]
    ticket.last_activity_at = now
    waiting = not author.is_support_staff  # the customer wrote last: the desk owes a reply
    if ticket.waiting_on_us != waiting:
        ticket.waiting_on_us = waiting
        fields.append("waiting_on_us")
    if author.is_support_staff:
        if ticket.first_response_at is None and not is_automatic:
            ticket.first_response_at = now
            fields.append("first_response_at")
        if ticket.owner_id is None:
            ticket.owner = author
            fields.append("owner")
            _event(ticket, author, "changed", now, field="owner", new=author)
        if ticket.status == Status.NEW:
            _status_to(ticket, author, Status.OPEN, now, fields, cause=StatusCause.MESSAGE)
    elif ticket.status in (Status.PENDING, Status.RESOLVED, Status.CLOSED):
        # A closed ticket gets here only within the reopening window (``message_add``).
        _status_to(ticket, author, Status.OPEN, now, fields, cause=StatusCause.MESSAGE)
    _save_fields(ticket, fields)
