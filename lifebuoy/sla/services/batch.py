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

from django.db.models import Q

from lifebuoy.accounts.models import Organization
from lifebuoy.sla.models import Clock, ClockKind, Policy, Target
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


def clocks_locked(ticket_ids: Sequence[int], *, with_calendars: bool = True) -> list[Clock]:
    """The tickets' open clocks and their resolution clocks (which a reopen may resume), locked
    in ticket and clock order; with their policies and calendars, unless the caller sets new
    ones."""
    clocks = (
        Clock.objects.select_for_update(of=("self",))
        .filter(ticket_id__in=ticket_ids)
        .filter(Q(stopped_at__isnull=True) | Q(kind=ClockKind.RESOLUTION))
        .order_by("ticket_id", "id")
    )
    if with_calendars:
        clocks = clocks.select_related("policy", "calendar")
    return list(clocks)


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
