"""What every ticket write shares: the audit trail, input checks, tags and attachments, the
row lock, and moving a ticket to a new status (announced as a ``StatusChanged`` event)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache, lru_cache

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import DatabaseError, connections
from django.db.models import F, Field
from django.db.transaction import TransactionManagementError

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.errors import PayloadTooLarge
from lifebuoy.core.inserts import insert_rows
from lifebuoy.core.planned import model_columns
from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.tickets import events
from lifebuoy.tickets.events import StatusCause
from lifebuoy.tickets.models import (
    Attachment,
    Message,
    Status,
    Tag,
    Ticket,
    TicketEvent,
)

SUBJECT_MAX = 200


BODY_MAX = 50_000


def _event_row(
    ticket: Ticket | None,
    actor: User | None,
    action: str,
    now: datetime,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
) -> TicketEvent:
    """An audit row, not written yet (``ticket`` None: the ticket being written with it)."""
    return TicketEvent(
        ticket=ticket,
        actor=actor,
        action=action,
        field=field,
        old_value=str(old or "")[:300],
        new_value=str(new or "")[:300],
        created_at=now,
    )


def _event(
    ticket: Ticket,
    actor: User | None,
    action: str,
    now: datetime,
    *,
    field: str = "",
    old: object = "",
    new: object = "",
) -> None:
    insert_rows([_event_row(ticket, actor, action, now, field=field, old=old, new=new)])


@dataclass(frozen=True)
class AuditEntry:
    """An audit row written on behalf of another app (e.g. the SLA sweep); ``actor_id`` when a
    person did it elsewhere (e.g. edited their message in Slack)."""

    ticket_id: int
    action: str
    field: str = ""
    new: str = ""
    actor_id: int | None = None


def ticket_audit_record(*, entries: Sequence[AuditEntry], now: datetime) -> None:
    """Add system entries to tickets' audit trails, inside the caller's transaction."""
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=e.ticket_id,
            actor_id=e.actor_id,
            action=e.action,
            field=e.field,
            new_value=e.new[:300],
            created_at=now,
        )
        for e in entries
    )


def _check_choice(errors: dict[str, str], name: str, value: str, choices: type) -> None:
    if value not in _values(choices):
        errors[name] = f"“{value}” is not one of: {', '.join(choices.values)}."  # type: ignore[attr-defined]  # a TextChoices class


@cache
def _values(choices: type) -> frozenset[str]:
    """A choices class's values (``TextChoices.values`` builds its list anew on every use)."""
    return frozenset(choices.values)  # type: ignore[attr-defined]  # a TextChoices class


def _check_status(errors: dict[str, str], value: str) -> None:
    _check_choice(errors, "status", value, Status)
    if value == Status.ESCALATED:
        # Escalating needs the documented checklist and a next level: lifebuoy.escalations.
        errors["status"] = "Use “Escalate…”: escalating needs the escalation checklist."


def _validate_text(errors: dict[str, str], *, subject: str | None, body: str | None) -> None:
    if subject is not None:
        if not subject.strip():
            errors["subject"] = "A subject is required."
        elif len(subject) > SUBJECT_MAX:
            errors["subject"] = f"Keep the subject under {SUBJECT_MAX} characters."
    if body is not None and len(body) > BODY_MAX:
        errors["description"] = f"Keep the text under {BODY_MAX:,} characters."


def _check_files(files: Sequence[UploadedFile]) -> None:
    limit: int = settings.LIFEBUOY_MAX_ATTACHMENT_BYTES
    for upload in files:
        if (upload.size or 0) > limit:
            raise PayloadTooLarge(
                "attachment_too_large",
                f"“{upload.name}” is {upload.size:,} bytes; the limit is {limit:,} bytes.",
                {"filename": upload.name, "limit_bytes": limit},
            )


def _set_tags(ticket: Ticket, names: Iterable[str]) -> list[str]:
    clean = sorted({n.strip().lower()[:50] for n in names if n.strip()})
    tags = [Tag.objects.get_or_create(name=n)[0] for n in clean]
    ticket.tags.set(tags)
    return clean


def _store_attachments(message: Message, files: Sequence[UploadedFile]) -> None:
    for upload in files:
        name = (upload.name or "attachment").replace("/", "_")[-255:]
        Attachment.objects.create(
            message=message,
            file=upload,
            filename=name,
            content_type=(upload.content_type or "application/octet-stream")[:100],
            size=upload.size or 0,
        )


@cache
def _locked_statement(using: str) -> str:
    connection = connections[using]
    quote = connection.ops.quote_name
    tickets = model_columns(Ticket, "t", using)
    organizations = model_columns(Organization, "o", using)
    # Like the ORM's select_for_update() of the join: the ticket's and its organization's rows.
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    return (
        f"SELECT {tickets.select}, {organizations.select} "  # noqa: S608  # names from models
        f"FROM {quote(Ticket._meta.db_table)} t "
        f"JOIN {quote(Organization._meta.db_table)} o "
        f"ON o.{quote('id')} = t.{quote(Ticket._meta.get_field('organization').column)} "
        f"WHERE t.{quote('id')} = %s{lock}"
    )


def _locked(ticket: Ticket, using: str = "default") -> Ticket:
    """The ticket read again and locked, with its organization, by a statement planned once per
    process (every change to a ticket starts here)."""
    connection = connections[using]
    if connection.features.has_select_for_update and connection.get_autocommit():
        # As the ORM's select_for_update() refuses: the lock would end with the statement.
        raise TransactionManagementError("A ticket is locked inside a transaction only.")
    with prepared_cursor(using) as cursor:
        cursor.execute(_locked_statement(using), [ticket.id])
        row = cursor.fetchone()
    if row is None:
        raise Ticket.DoesNotExist(f"Ticket {ticket.id} does not exist.")
    tickets = model_columns(Ticket, "t", using)
    locked = tickets.build(row[: tickets.width], Ticket)
    organization = model_columns(Organization, "o", using).build(row[tickets.width :], Organization)
    Ticket.organization.field.set_cached_value(locked, organization)
    return locked


@lru_cache(maxsize=64)
def _update_statement(using: str, columns: tuple[str, ...]) -> str:
    quote = connections[using].ops.quote_name
    assignments = ", ".join(f"{quote(column)} = %s" for column in columns)
    table = quote(Ticket._meta.db_table)
    return f"UPDATE {table} SET {assignments} WHERE {quote('id')} = %s"  # noqa: S608


def _save_fields(ticket: Ticket, fields: Sequence[str], using: str = "default") -> None:
    """``ticket.save(update_fields=fields)`` by a statement planned once per process and set of
    fields (a reply saves its ticket every time): each value prepared as ``save`` prepares it
    (``auto_now`` for ``updated_at``). A value computed in SQL (``F(...)``) goes through
    ``save`` itself."""
    names = list(dict.fromkeys(fields))
    connection = connections[using]
    concrete = [Ticket._meta.get_field(name) for name in names]
    values = [field.pre_save(ticket, False) for field in concrete if isinstance(field, Field)]
    if len(values) != len(names) or any(hasattr(v, "resolve_expression") for v in values):
        ticket.save(update_fields=names)
        return
    columns = tuple(field.column for field in concrete if isinstance(field, Field))
    params = [
        field.get_db_prep_save(value, connection)
        for field, value in zip(concrete, values, strict=True)
        if isinstance(field, Field)
    ]
    with prepared_cursor(using) as cursor:
        cursor.execute(_update_statement(using, columns), [*params, ticket.id])
        updated = cursor.rowcount
    if not updated:
        raise DatabaseError("Save with update_fields did not affect any rows.")


def _status_to(
    ticket: Ticket,
    actor: User | None,
    new: str,
    now: datetime,
    fields: list[str],
    *,
    cause: StatusCause,
) -> None:
    old = ticket.status
    if new == Status.OPEN and old in (Status.RESOLVED, Status.CLOSED):
        ticket.reopen_count = F("reopen_count") + 1  # updated in SQL
        ticket.resolved_at = None
        ticket.closed_at = None
        fields += ["reopen_count", "resolved_at", "closed_at"]
        _event(ticket, actor, "reopened", now)
    if new == Status.RESOLVED:
        ticket.resolved_at = now
        fields.append("resolved_at")
    if new == Status.CLOSED:
        ticket.closed_at = now
        fields.append("closed_at")
    ticket.status = new
    fields.append("status")
    _event(ticket, actor, "changed", now, field="status", old=old, new=new)
    events.publish(
        events.StatusChanged(
            ticket_id=ticket.id, old=old, new=new, cause=cause, now=now, ticket=ticket
        )
    )
