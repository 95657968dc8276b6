"""Writes for tickets: creation and routing, the conversation, changes with their audit trail.

Invariants:
- every change to a ticket writes a TicketEvent in the same transaction;
- a customer can never write an internal note, and never changes anything but their own reply
  and the confirmation that a ticket is resolved;
- the ticket row is locked for the length of each change, so concurrent changes serialize.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Q

from lifebuoy.accounts.models import Organization, Queue, Role, User
from lifebuoy.core.config_cache import config_cached
from lifebuoy.core.errors import InvalidState, PayloadTooLarge, PermissionDenied, ValidationFailed
from lifebuoy.core.markdown import render_markdown
from lifebuoy.escalations.hooks import escalations_on_ticket_event
from lifebuoy.notifications.services.outbox import (
    notifications_on_message_added,
    notifications_on_priority_change,
    notifications_on_resolved,
    notifications_on_ticket_created,
)
from lifebuoy.sla.services import (
    sla_on_message,
    sla_on_priority_change,
    sla_on_status_change,
    sla_on_ticket_created,
)

from .models import (
    Attachment,
    Category,
    Channel,
    Message,
    Priority,
    Status,
    Tag,
    Ticket,
    TicketEvent,
)

SUBJECT_MAX = 200
BODY_MAX = 50_000

# Staff may move a ticket between these statuses; closing needs a resolved ticket first,
# because the playbook closes only after the customer confirms the fix.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.NEW: frozenset({Status.OPEN, Status.PENDING, Status.ESCALATED, Status.RESOLVED}),
    Status.OPEN: frozenset({Status.PENDING, Status.ESCALATED, Status.RESOLVED}),
    Status.PENDING: frozenset({Status.OPEN, Status.ESCALATED, Status.RESOLVED}),
    Status.ESCALATED: frozenset({Status.OPEN, Status.PENDING, Status.RESOLVED}),
    Status.RESOLVED: frozenset({Status.OPEN, Status.CLOSED}),
    Status.CLOSED: frozenset({Status.OPEN}),
}


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
    TicketEvent.objects.create(
        ticket=ticket,
        actor=actor,
        action=action,
        field=field,
        old_value=str(old or "")[:300],
        new_value=str(new or "")[:300],
        created_at=now,
    )


@dataclass(frozen=True)
class AuditEntry:
    """An audit row written on behalf of another app (e.g. the SLA sweep), without an actor."""

    ticket_id: int
    action: str
    field: str = ""
    new: str = ""


def ticket_audit_record(*, entries: Sequence[AuditEntry], now: datetime) -> None:
    """Add system entries to tickets' audit trails, inside the caller's transaction."""
    TicketEvent.objects.bulk_create(
        TicketEvent(
            ticket_id=e.ticket_id,
            action=e.action,
            field=e.field,
            new_value=e.new[:300],
            created_at=now,
        )
        for e in entries
    )


def _check_choice(errors: dict[str, str], name: str, value: str, choices: type) -> None:
    if value not in choices.values:  # type: ignore[attr-defined]  # a TextChoices class
        errors[name] = f"“{value}” is not one of: {', '.join(choices.values)}."  # type: ignore[attr-defined]  # idem


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


@dataclass(frozen=True)
class NewTicket:
    subject: str
    description: str
    priority: str = Priority.P3
    category: str = Category.BUG
    channel: str = Channel.PORTAL
    tags: tuple[str, ...] = ()
    deployment_url: str = ""


@transaction.atomic
def ticket_create(
    *,
    actor: User,
    data: NewTicket,
    now: datetime,
    requester: User | None = None,
    files: Sequence[UploadedFile] = (),
) -> Ticket:
    """Open a ticket. Customers file for themselves; staff file on behalf of a customer."""
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
    org = requester.organization
    queue_id, engineer = _route(org)
    ticket = Ticket.objects.create(
        subject=data.subject.strip(),
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
        last_activity_at=now,
        created_at=now,
    )
    if data.tags:
        _set_tags(ticket, data.tags)
    else:
        # Known to have no tags: whoever shows the new ticket needs no query to find that out.
        ticket._prefetched_objects_cache = {"tags": Tag.objects.none()}  # type: ignore[attr-defined]
    if files:
        message = Message.objects.create(
            ticket=ticket, author=requester, body="", body_html="", created_at=now
        )
        _store_attachments(message, files)
    _event(ticket, actor, "created", now, new=f"{data.priority} via {data.channel}")
    sla_on_ticket_created(ticket=ticket, now=now)
    notifications_on_ticket_created(ticket=ticket, now=now)
    escalations_on_ticket_event(ticket_id=ticket.id, now=now)
    return ticket


def _locked(ticket: Ticket) -> Ticket:
    return Ticket.objects.select_for_update().select_related("organization").get(id=ticket.id)


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
) -> Message:
    """Add a reply or an internal note, and move the ticket along as a support desk would.

    ``is_automatic`` marks a message the system sends in someone's name (a notice, an
    auto-reply): it is never anyone's response, for the SLA clocks or ``first_response_at``.
    """
    if is_internal and not author.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can write internal notes.")
    if not body.strip() and not files:
        raise ValidationFailed.for_fields({"body": "Write a message or attach a file."})
    if len(body) > BODY_MAX:
        raise ValidationFailed.for_fields({"body": f"Keep it under {BODY_MAX:,} characters."})
    _check_files(files)
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED and not author.is_support_staff:
        raise InvalidState(
            "ticket_closed", f"Ticket {ticket.number} is closed; please open a new ticket."
        )
    message = Message.objects.create(
        ticket=ticket,
        author=author,
        body=body,
        body_html=render_markdown(body),
        is_internal=is_internal,
        created_at=now,
    )
    _store_attachments(message, files)
    _event(ticket, author, "note_added" if is_internal else "reply_added", now)
    if not is_internal:
        _after_public_message(ticket, author, now, is_automatic=is_automatic)
    sla_on_message(
        ticket=ticket, author=author, is_internal=is_internal, is_automatic=is_automatic, now=now
    )
    notifications_on_message_added(message=message, now=now, is_automatic=is_automatic)
    escalations_on_ticket_event(ticket_id=ticket.id, now=now)
    return message


def _after_public_message(
    ticket: Ticket, author: User, now: datetime, *, is_automatic: bool
) -> None:
    fields = ["last_activity_at", "updated_at"]
    ticket.last_activity_at = now
    if author.is_support_staff:
        if ticket.first_response_at is None and not is_automatic:
            ticket.first_response_at = now
            fields.append("first_response_at")
        if ticket.owner_id is None:
            ticket.owner = author
            fields.append("owner")
            _event(ticket, author, "changed", now, field="owner", new=author)
        if ticket.status == Status.NEW:
            _status_to(ticket, author, Status.OPEN, now, fields)
    elif ticket.status in (Status.PENDING, Status.RESOLVED):
        _status_to(ticket, author, Status.OPEN, now, fields)
    ticket.save(update_fields=fields)


def _status_to(
    ticket: Ticket, actor: User | None, new: str, now: datetime, fields: list[str]
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
    sla_on_status_change(ticket_id=ticket.id, old=old, new=new, now=now)


@dataclass(frozen=True)
class TicketChanges:
    status: str | None = None
    priority: str | None = None
    category: str | None = None
    assignee_id: int | None = None
    unassign: bool = False
    tags: tuple[str, ...] | None = None


def _validated_assignee(changes: TicketChanges) -> User | None:
    """Check every field of ``changes`` at once; the new assignee, if one is named."""
    errors: dict[str, str] = {}
    if changes.priority is not None:
        _check_choice(errors, "priority", changes.priority, Priority)
    if changes.category is not None:
        _check_choice(errors, "category", changes.category, Category)
    if changes.status is not None:
        _check_status(errors, changes.status)
    assignee = None
    if changes.assignee_id is not None:
        assignee = User.objects.filter(id=changes.assignee_id, is_active=True).first()
        if assignee is None or not assignee.is_support_staff:
            errors["assignee_id"] = "Assign the ticket to an active member of the support staff."
    if errors:
        raise ValidationFailed.for_fields(errors)
    return assignee


def _change_status(ticket: Ticket, actor: User, new: str, now: datetime, fields: list[str]) -> None:
    if new not in TRANSITIONS[ticket.status]:
        raise InvalidState(
            "invalid_transition",
            f"A {ticket.get_status_display().lower()} ticket cannot become "
            f"{Status(new).label.lower()}.",
            {"allowed": sorted(TRANSITIONS[ticket.status])},
        )
    _status_to(ticket, actor, new, now, fields)
    if new == Status.RESOLVED:
        notifications_on_resolved(ticket=ticket, now=now)


@transaction.atomic
def ticket_update(*, ticket: Ticket, actor: User, changes: TicketChanges, now: datetime) -> Ticket:
    """Staff change status, priority, category, assignee or tags; each change is audited."""
    if not actor.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can change a ticket.")
    assignee = _validated_assignee(changes)
    ticket = _locked(ticket)
    fields: list[str] = ["updated_at"]
    for name in ("priority", "category"):
        value = getattr(changes, name)
        if value is not None and value != getattr(ticket, name):
            _event(ticket, actor, "changed", now, field=name, old=getattr(ticket, name), new=value)
            setattr(ticket, name, value)
            fields.append(name)
    if assignee is not None and assignee.id != ticket.assignee_id:
        _event(ticket, actor, "changed", now, field="assignee", old=ticket.assignee, new=assignee)
        ticket.assignee = assignee
        fields.append("assignee")
    elif changes.unassign and ticket.assignee_id is not None:
        _event(ticket, actor, "changed", now, field="assignee", old=ticket.assignee)
        ticket.assignee = None
        fields.append("assignee")
    if changes.status is not None and changes.status != ticket.status:
        _change_status(ticket, actor, changes.status, now, fields)
    if changes.tags is not None:
        old_tags = sorted(t.name for t in ticket.tags.all())
        new_tags = _set_tags(ticket, changes.tags)
        if new_tags != old_tags:
            _event(
                ticket,
                actor,
                "changed",
                now,
                field="tags",
                old=",".join(old_tags),
                new=",".join(new_tags),
            )
    if len(fields) > 1:
        ticket.last_activity_at = now
        fields.append("last_activity_at")
    ticket.save(update_fields=fields)
    if "priority" in fields:
        sla_on_priority_change(ticket=ticket, now=now)
        notifications_on_priority_change(ticket=ticket, now=now)
    escalations_on_ticket_event(ticket_id=ticket.id, now=now)
    ticket.refresh_from_db()
    return ticket


@transaction.atomic
def ticket_escalate_to(
    *, ticket: Ticket, actor: User | None, queue: Queue | None, assignee: User | None, now: datetime
) -> Ticket:
    """Escalation (lifebuoy.escalations) hands the ticket to the next level: status Escalated,
    the level's queue and person. The owner stays; each change is audited like any other."""
    ticket = _locked(ticket)
    if not ticket.is_open:
        raise InvalidState("ticket_closed", f"Ticket {ticket.number} is not open.")
    fields = ["updated_at", "last_activity_at"]
    ticket.last_activity_at = now
    if queue is not None and queue.id != ticket.queue_id:
        _event(ticket, actor, "changed", now, field="queue", old=ticket.queue, new=queue)
        ticket.queue = queue
        fields.append("queue")
    if (assignee.id if assignee else None) != ticket.assignee_id:
        # Nobody at the level had room: the ticket waits in the level's queue, unassigned.
        _event(ticket, actor, "changed", now, field="assignee", old=ticket.assignee, new=assignee)
        ticket.assignee = assignee
        fields.append("assignee")
    if ticket.status != Status.ESCALATED:
        _status_to(ticket, actor, Status.ESCALATED, now, fields)
    ticket.save(update_fields=fields)
    return ticket


@transaction.atomic
def ticket_confirm_resolved(*, ticket: Ticket, actor: User, now: datetime) -> Ticket:
    """The customer says the problem is solved: that is the confirmation that closes the ticket."""
    ticket = _locked(ticket)
    if ticket.status == Status.CLOSED:
        raise InvalidState("ticket_closed", f"Ticket {ticket.number} is already closed.")
    fields = ["updated_at", "last_activity_at"]
    ticket.last_activity_at = now
    if ticket.status != Status.RESOLVED:
        _status_to(ticket, actor, Status.RESOLVED, now, fields)
    _status_to(ticket, actor, Status.CLOSED, now, fields)
    ticket.save(update_fields=list(dict.fromkeys(fields)))
    return ticket


def ticket_autoclose_sweep(*, now: datetime, quiet_days: int, batch_size: int = 500) -> int:
    """Close resolved tickets that stayed quiet for ``quiet_days``. Safe with several workers:
    each ticket closes only if it is still resolved and quiet at the moment of the update."""
    cutoff = now - timedelta(days=quiet_days)
    closed = 0
    ids = list(
        Ticket.objects.filter(status=Status.RESOLVED, last_activity_at__lt=cutoff)
        .order_by("id")
        .values_list("id", flat=True)[:batch_size]
    )
    for ticket_id in ids:
        with transaction.atomic():
            won = Ticket.objects.filter(
                id=ticket_id, status=Status.RESOLVED, last_activity_at__lt=cutoff
            ).update(status=Status.CLOSED, closed_at=now, updated_at=now)
            if won == 1:
                TicketEvent.objects.create(
                    ticket_id=ticket_id,
                    actor=None,
                    action="closed_automatically",
                    field="status",
                    old_value=Status.RESOLVED,
                    new_value=Status.CLOSED,
                    created_at=now,
                )
                sla_on_status_change(
                    ticket_id=ticket_id, old=Status.RESOLVED, new=Status.CLOSED, now=now
                )
                closed += 1
    return closed
