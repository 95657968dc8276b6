"""A ticket read for support staff, with the relations every desk page shows, by one statement
written once per process.

Staff may see every ticket (``ticket_visible``), so their gate is the ticket's existence; the
desk reads it on every page and action with its organization, requester, assignee, owner and
queue. The ORM compiles that five-join query anew each time, which costs more CPU than
PostgreSQL spends answering it. The statement here selects the same rows and builds the same
instances (``lifebuoy.core.planned``), with PostgreSQL preparing it once per connection.
"""

from __future__ import annotations

from functools import cache

from django.db import connections
from django.db.models import ForeignKey, Model

from lifebuoy.accounts.models import Organization, Queue, User
from lifebuoy.core.planned import ModelColumns, model_columns
from lifebuoy.core.prepared import prepared_cursor

from .models import Ticket

# The relations loaded with the ticket: (field, model, alias). Inner joins for the required
# ones, outer joins for the optional (an unassigned ticket has no assignee).
_RELATIONS: tuple[tuple[str, type[Model], str], ...] = (
    ("organization", Organization, "o"),
    ("requester", User, "r"),
    ("assignee", User, "a"),
    ("owner", User, "w"),
    ("queue", Queue, "q"),
)


def _foreign_key(name: str) -> ForeignKey[Model, Model]:
    field = Ticket._meta.get_field(name)
    if not isinstance(field, ForeignKey):
        raise TypeError(f"Ticket.{name} is not a foreign key.")
    return field


@cache
def _statement(using: str) -> tuple[str, tuple[ModelColumns, ...]]:
    quote = connections[using].ops.quote_name
    ticket = model_columns(Ticket, "t", using)
    parts = [ticket]
    joins = []
    for name, model, alias in _RELATIONS:
        field = _foreign_key(name)
        join = "LEFT OUTER JOIN" if field.null else "INNER JOIN"
        joins.append(
            f"{join} {quote(model._meta.db_table)} {alias} "
            f"ON {alias}.{quote(field.target_field.column)} = t.{quote(field.column)}"
        )
        parts.append(model_columns(model, alias, using))
    select = ", ".join(part.select for part in parts)
    sql = (
        f"SELECT {select} FROM {quote(Ticket._meta.db_table)} t "  # noqa: S608  # model names
        + " ".join(joins)
        + f" WHERE t.{quote(Ticket._meta.pk.column)} = %s"
    )
    return sql, tuple(parts)


def ticket_with_relations(*, ticket_id: int, using: str = "default") -> Ticket | None:
    """Ticket ``ticket_id`` with its five relations loaded, or None. No access check: the
    caller is the gate (``lifebuoy.tickets.selectors.ticket_get_for_user``)."""
    low, high = connections[using].ops.integer_field_range(Ticket._meta.pk.get_internal_type())
    if not low <= ticket_id <= high:
        return None  # as the ORM answers an id no column can hold: no such ticket
    sql, parts = _statement(using)
    with prepared_cursor(using) as cursor:
        cursor.execute(sql, [ticket_id])
        row = cursor.fetchone()
    if row is None:
        return None
    ticket_part, *relation_parts = parts
    ticket = ticket_part.build(row[: ticket_part.width], Ticket)
    start = ticket_part.width
    for (name, model, _alias), part in zip(_RELATIONS, relation_parts, strict=True):
        values = row[start : start + part.width]
        start += part.width
        key = values[part.names.index(model._meta.pk.attname)]
        related = None if key is None else part.build(values, model)
        _foreign_key(name).set_cached_value(ticket, related)
    return ticket
