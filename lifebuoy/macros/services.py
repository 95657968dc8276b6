"""Writes of macros: creating, changing, reordering and deleting them, filling one in for a
ticket, and applying its actions.

Who may do what: any staff member keeps personal macros; only leads and admins share a macro
or change a shared one; an agent changes only their own. Customers have no macros (NotFound).

A macro's actions go through the tickets app's ``ticket_update``, so they are checked, locked,
audited (one TicketEvent per field) and announced exactly as the agent's own change would be.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import CheckConstraint, Max, UniqueConstraint

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import NotFound, ValidationFailed
from lifebuoy.core.ordering import position_swap
from lifebuoy.notifications.placeholders import fill
from lifebuoy.notifications.services.templates import template_render, ticket_values
from lifebuoy.tickets.models import Message, Ticket
from lifebuoy.tickets.services import (
    TicketChanges,
    message_add,
    ticket_field_values,
    ticket_update,
)

from .actions import MacroData, macro_data_check, macro_ticket_changes
from .models import Macro
from .selectors import MANAGER_ROLES, macro_check_editable

# Which form field each constraint's message belongs to.
_CONSTRAINT_FIELD = {
    "macro_personal_or_shared": "audience",
    "macro_text_or_template": "body",
    "macro_one_assignee": "set_assignee",
    "macro_personal_name_unique": "name",
    "macro_shared_name_unique": "name",
}
_DATA_FIELDS = [
    "name",
    "body",
    "template",
    "audience",
    "set_status",
    "set_priority",
    "set_category",
    "set_assignee",
    "assign_to_applier",
    "add_tags",
    "remove_tags",
]


def _check_staff(actor: User) -> None:
    if not actor.is_support_staff:
        raise NotFound("macro_not_found", "That macro was not found.")


def _checked(actor: User, data: MacroData) -> MacroData:
    cleaned, errors = macro_data_check(data)
    if cleaned.audience and actor.role not in MANAGER_ROLES and "audience" not in errors:
        errors["audience"] = "Only support leads and admins share macros; keep this one yours."
    if errors:
        raise ValidationFailed.for_fields(errors)
    return cleaned


def _fill(macro: Macro, data: MacroData) -> None:
    for name in _DATA_FIELDS:
        value = getattr(data, name)
        setattr(macro, name, list(value) if isinstance(value, tuple) else value)


def _check_constraints(macro: Macro) -> None:
    errors: dict[str, str] = {}
    for constraint in Macro._meta.constraints:
        if not isinstance(constraint, CheckConstraint | UniqueConstraint):
            continue
        try:
            constraint.validate(Macro, macro)  # type: ignore[union-attr]  # the stubs omit it
        except DjangoValidationError as exc:
            errors[_CONSTRAINT_FIELD[constraint.name]] = " ".join(exc.messages)
    if errors:
        raise ValidationFailed.for_fields(errors)


def _save(macro: Macro, update_fields: list[str] | None = None) -> None:
    """Save ``macro``, refusing what its constraints forbid with their own message. A name
    taken by a save that committed after the check is caught by the database and said too."""
    _check_constraints(macro)
    try:
        with transaction.atomic():
            macro.save(update_fields=update_fields)
    except IntegrityError:
        _check_constraints(macro)
        raise


def _next_position(owner: User | None) -> int:
    """After the last macro of its list (the owner's, or the shared ones). Two created at once
    may share a position; the id orders them, and moving one renumbers the list."""
    last = Macro.objects.filter(owner=owner).aggregate(last=Max("position"))["last"]
    return (last or 0) + 1


@transaction.atomic
def macro_create(*, actor: User, data: MacroData, now: datetime) -> Macro:
    """A personal macro of ``actor``, or a shared one when ``data.audience`` names who uses it."""
    _check_staff(actor)
    data = _checked(actor, data)
    owner = None if data.audience else actor
    macro = Macro(owner=owner, created_by=actor, created_at=now, position=_next_position(owner))
    _fill(macro, data)
    _save(macro)
    return macro


@transaction.atomic
def macro_update(*, macro: Macro, actor: User, data: MacroData) -> Macro:
    """Change everything about a macro. A lead may share their own macro or take a shared one
    back as theirs (an empty audience); it then moves to the end of its new list."""
    _check_staff(actor)
    macro_check_editable(user=actor, macro=macro)
    data = _checked(actor, data)
    owner = None if data.audience else (macro.owner or actor)
    if owner != macro.owner:
        macro.owner = owner
        macro.position = _next_position(owner)
    _fill(macro, data)
    _save(macro, update_fields=[*_DATA_FIELDS, "owner", "position", "updated_at"])
    return macro


@transaction.atomic
def macro_move(*, macro: Macro, actor: User, up: bool) -> None:
    """Swap the macro with its neighbour in its list; at either end nothing moves."""
    _check_staff(actor)
    macro_check_editable(user=actor, macro=macro)
    position_swap(Macro.objects.filter(owner=macro.owner), item_id=macro.id, up=up)


def macro_delete(*, macro: Macro, actor: User) -> None:
    _check_staff(actor)
    macro_check_editable(user=actor, macro=macro)
    Macro.objects.filter(id=macro.id).delete()


def macro_render(*, macro: Macro, ticket: Ticket, agent: User) -> str:
    """The macro's text filled in for ``ticket``, as ``agent`` would send it; what the desk
    cannot know stays visible as ``[diagnosis]`` for the agent to fill in."""
    if macro.template is not None:
        return template_render(template=macro.template, ticket=ticket, agent=agent).body
    return fill(macro.body, ticket_values(ticket=ticket, agent=agent))


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class MacroApplied:
    ticket: Ticket
    changes: list[FieldChange]


@transaction.atomic
def macro_apply(*, macro: Macro, ticket: Ticket, actor: User, now: datetime) -> MacroApplied:
    """Make the macro's changes to ``ticket`` as ``actor`` (who is also "the agent applying
    it"), and say which fields changed from what to what. A field already as the macro wants
    it is not a change. A refusal (a status the ticket cannot move to, an assignee who left)
    changes nothing."""
    _check_staff(actor)
    # Lock the ticket before reading its tags: they are replaced as a whole, and a tag another
    # agent adds meanwhile must not be lost.
    locked = Ticket.objects.select_for_update().get(id=ticket.id)
    before = ticket_field_values(locked)
    tags = [tag for tag in before["tags"].split(",") if tag]
    changes = macro_ticket_changes(macro, applier=actor, current_tags=tags)
    if changes == TicketChanges():
        return MacroApplied(ticket=locked, changes=[])  # the macro only inserts text
    updated = ticket_update(ticket=locked, actor=actor, changes=changes, now=now)
    after = ticket_field_values(updated)
    changed = [
        FieldChange(field=name, old=before[name], new=after[name])
        for name in after
        if after[name] != before[name]
    ]
    return MacroApplied(ticket=updated, changes=changed)


@transaction.atomic
def macro_reply_send(
    *,
    ticket: Ticket,
    actor: User,
    macro: Macro | None,
    body: str,
    is_internal: bool,
    files: Sequence[UploadedFile] = (),
    now: datetime,
) -> Message:
    """Add the agent's reply or note, then apply the macro they started it from, in one
    transaction: if the macro's changes are refused, the reply is not sent either."""
    message = message_add(
        ticket=ticket, author=actor, body=body, is_internal=is_internal, files=files, now=now
    )
    if macro is not None:
        macro_apply(macro=macro, ticket=ticket, actor=actor, now=now)
    return message
