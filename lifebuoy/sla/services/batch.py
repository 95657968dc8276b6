"""Reading once for a batch of tickets what the clock hooks would read ticket by ticket.

A bulk change (``ticket_bulk_update``) enters ``sla_batch`` once it has locked its tickets. Inside
it, the hooks in ``clocks`` take each ticket's clocks from one locking query for the whole batch
(the first hook for a ticket takes them; a second one for the same ticket, e.g. a priority change
after a status change, reads them again), and a priority change looks the policy and its
targets up once per organization and priority. The clocks are locked when the first hook asks,
in the order the hooks would have locked them (by ticket, then clock), and only their ticket's
hooks change them, so what a hook takes is what it would have read. A policy edit that commits
while the batch runs reaches its tickets at their next event, like one that commits just after.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from django.db import connections
from django.db.models import Field
from django.db.transaction import TransactionManagementError

from lifebuoy.accounts.models import Organization
from lifebuoy.core.planned import model_columns
from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.sla.models import Calendar, Clock, ClockKind, Policy, Target
from lifebuoy.tickets.models import Ticket

from .policies import sla_policy_for_org, sla_targets_for


@dataclass(eq=False)
class _Batch:
    ticket_ids: list[int]
    clocks: dict[int, list[Clock]] | None = None  # by ticket id, once a hook asked for them
    policies: dict[int, Policy | None] = field(default_factory=dict)  # by organization id
    targets: dict[tuple[int, int, str], dict[str, Target]] = field(default_factory=dict)

    def take(self, ticket_id: int) -> list[Clock] | None:
        if self.clocks is None:
            self.clocks = {each: [] for each in self.ticket_ids}
            for clock in clocks_locked(self.ticket_ids):
                self.clocks[clock.ticket_id].append(clock)
        return self.clocks.pop(ticket_id, None)


_current: ContextVar[_Batch | None] = ContextVar("lifebuoy_sla_batch", default=None)


@contextmanager
def sla_batch(tickets: Sequence[Ticket]) -> Iterator[None]:
    """Let the hooks run inside the block share their reads for ``tickets`` (locked by the
    caller, in its transaction): the first hook that asks for a ticket's clocks locks those of
    every ticket, in one query; a change that moves no clock locks none."""
    token = _current.set(_Batch([ticket.id for ticket in tickets]))
    try:
        yield
    finally:
        _current.reset(token)


@lru_cache(maxsize=64)
def _clocks_statement(using: str, count: int, with_calendars: bool) -> str:
    connection = connections[using]
    quote = connection.ops.quote_name
    clock = Clock._meta

    def column(name: str) -> str:
        field = clock.get_field(name)
        if not isinstance(field, Field):  # a relation's reverse side has no column
            raise TypeError(f"sla.Clock.{name} is not a column")
        return f"c.{quote(field.column)}"

    selected = [model_columns(Clock, "c", using).select]
    joins = ""
    if with_calendars:
        selected += [model_columns(Policy, "p", using).select]
        selected += [model_columns(Calendar, "k", using).select]
        joins = (
            f" LEFT JOIN {quote(Policy._meta.db_table)} p ON p.{quote('id')} = {column('policy')}"
            f" LEFT JOIN {quote(Calendar._meta.db_table)} k"
            f" ON k.{quote('id')} = {column('calendar')}"
        )
    # Only the clocks' rows are locked (the ORM's select_for_update(of=("self",))).
    lock = " FOR UPDATE OF c" if connection.features.has_select_for_update_of else ""
    placeholders = ", ".join(["%s"] * count)
    return (
        f"SELECT {', '.join(selected)} FROM {quote(clock.db_table)} c{joins} "  # noqa: S608
        f"WHERE {column('ticket')} IN ({placeholders}) "
        f"AND ({column('stopped_at')} IS NULL OR {column('kind')} = %s) "
        f"ORDER BY {column('ticket')}, c.{quote('id')}{lock}"
    )


def clocks_locked(
    ticket_ids: Sequence[int], *, with_calendars: bool = True, using: str = "default"
) -> list[Clock]:
    """The tickets' open clocks and their resolution clocks (which a reopen may resume), locked
    in ticket and clock order; with their policies and calendars, unless the caller sets new
    ones. Every reply and status change reads them: the statement is planned once per process."""
    if not ticket_ids:
        return []
    connection = connections[using]
    if connection.features.has_select_for_update and connection.get_autocommit():
        # As the ORM's select_for_update() refuses: the locks would end with the statement.
        raise TransactionManagementError("Clocks are locked inside a transaction only.")
    statement = _clocks_statement(using, len(ticket_ids), with_calendars)
    with prepared_cursor(using) as cursor:
        cursor.execute(statement, [*ticket_ids, ClockKind.RESOLUTION.value])
        rows = cursor.fetchall()
    clocks_part = model_columns(Clock, "c", using)
    policies = model_columns(Policy, "p", using)
    calendars = model_columns(Calendar, "k", using)
    clocks = []
    for row in rows:
        clock = clocks_part.build(row[: clocks_part.width], Clock)
        if with_calendars:
            at = clocks_part.width
            policy = None
            if clock.policy_id is not None:
                policy = policies.build(row[at : at + policies.width], Policy)
            calendar = None
            if clock.calendar_id is not None:
                calendar = calendars.build(row[at + policies.width :], Calendar)
            Clock.policy.field.set_cached_value(clock, policy)
            Clock.calendar.field.set_cached_value(clock, calendar)
        clocks.append(clock)
    return clocks


def clocks_take(ticket_id: int) -> list[Clock] | None:
    """Inside ``sla_batch``, the clocks it locked for the ticket, the first time they are asked
    for; None otherwise (the caller locks them itself)."""
    batch = _current.get()
    return batch.take(ticket_id) if batch is not None else None


def policy_current(org: Organization) -> Policy | None:
    """``sla_policy_for_org``, read once per organization inside ``sla_batch``."""
    batch = _current.get()
    if batch is None:
        return sla_policy_for_org(org=org)
    if org.id not in batch.policies:
        batch.policies[org.id] = sla_policy_for_org(org=org)
    return batch.policies[org.id]


def targets_current(policy: Policy, priority: str) -> dict[str, Target]:
    """``sla_targets_for``, read once per policy and priority inside ``sla_batch``."""
    batch = _current.get()
    if batch is None:
        return sla_targets_for(policy=policy, priority=priority)
    key = (policy.id, policy.version, priority)
    if key not in batch.targets:
        batch.targets[key] = sla_targets_for(policy=policy, priority=priority)
    return batch.targets[key]
