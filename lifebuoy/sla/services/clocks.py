"""Clocks on tickets: started, stopped, paused, resumed and rescheduled by ticket events.

The ticket services call the ``sla_on_*`` hooks inside their own transaction, with the ticket
row locked; the hooks lock the ticket's clocks too (``select_for_update``; in a bulk change, the
whole batch's at once, see ``batch``) so the sweep's conditional updates wait for them and then
re-check their conditions.

Rules:
- first response runs from creation until the first public staff reply (not an internal note,
  not an automatic message);
- next response runs from a customer message that nobody answered yet until the next public
  staff reply (one open at a time; not while the first response is still open);
- resolution runs from creation until resolved, paused while pending customer and while resolved
  awaiting confirmation, resumed on reopen, and met when the ticket closes;
- resolving or closing a ticket stops its response clocks;
- a priority change, and every resume, re-reads the current policy and recomputes the deadline
  from the clock's start and the stretches it ran (pauses are not counted); a bulk change
  reads it once for all its tickets.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from functools import cache

from django.db import connections

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.inserts import insert_rows
from lifebuoy.core.prepared import prepared_cursor
from lifebuoy.sla.calendar import BusinessCalendar
from lifebuoy.sla.events import SlaEvent, SlaEventKind
from lifebuoy.sla.models import (
    Clock,
    ClockKind,
    ClockState,
    Hours,
    Policy,
    Summary,
    SummaryState,
    Target,
)
from lifebuoy.tickets.models import Status, Ticket

from .batch import clocks_locked, clocks_take, policy_current, targets_current
from .breaches import sla_events_record
from .policies import (
    ALWAYS,
    sla_business_calendar,
    sla_policy_for_org,
    sla_target_resolve,
    sla_targets_for,
)
from .schedule import clock_apply_target, clock_reschedule

RESPONSE_KINDS = frozenset({ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE})
PAUSED_STATUSES = frozenset({Status.PENDING, Status.RESOLVED})
RUNNING_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.ESCALATED})
_CLOCK_FIELDS = [f.name for f in Clock._meta.concrete_fields if not f.primary_key]


# Set on a ticket instance by the clocks that just started on it (``sla_on_ticket_created``):
# what they computed, so the acknowledgement written in the same transaction need not read it.
STARTED_DUE_ATTRIBUTE = "_sla_first_response_due"


def sla_on_ticket_created(*, ticket: Ticket, now: datetime) -> None:
    """Start the first-response and resolution clocks of a new ticket. The policy may come from
    the configuration cache (a few seconds old at most); the ticket's next event re-reads it."""
    policy = sla_policy_for_org(org=ticket.organization, cached=True)
    if policy is None:
        insert_rows([Summary(ticket_id=ticket.id, **_summary_fields([]))])
        setattr(ticket, STARTED_DUE_ATTRIBUTE, None)
        return
    rows = sla_targets_for(policy=policy, priority=ticket.priority, cached=True)
    clocks = [
        clock
        for kind in (ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION)
        if (clock := _new_clock(ticket, kind, now, policy, rows)) is not None
    ]
    # A new ticket has no summary yet: a plain insert, not an upsert, written with the clocks.
    summary = Summary(ticket_id=ticket.id, **_summary_fields(clocks))
    if clocks:
        insert_rows(clocks, along=[summary])
    else:
        insert_rows([summary])
    first_response = (
        clock.due_at
        for clock in clocks
        if clock.kind == ClockKind.FIRST_RESPONSE and not clock.is_goal
    )
    setattr(ticket, STARTED_DUE_ATTRIBUTE, next(first_response, None))


def sla_on_message(
    *, ticket: Ticket, author: User, is_internal: bool, now: datetime, is_automatic: bool = False
) -> None:
    """A public staff reply answers the open response clocks; a customer message may start one.
    Internal notes and automatic messages (notices, auto-replies) change nothing."""
    if is_internal or is_automatic:
        return
    clocks = _locked_clocks(ticket.id)
    responses = [c for c in clocks if c.kind in RESPONSE_KINDS and c.is_open]
    if author.is_support_staff:
        events = [e for c in responses if (e := _stop(c, ticket.organization, now)) is not None]
        sla_events_record(events=events, now=now)
    elif not responses and ticket.status not in (Status.RESOLVED, Status.CLOSED):
        policy = sla_policy_for_org(org=ticket.organization)
        clock = _start(ticket, ClockKind.NEXT_RESPONSE, now, policy)
        if clock is not None:
            clocks.append(clock)
    _summary_save(ticket.id, clocks)


def sla_on_status_change(
    *, ticket_id: int, old: str, new: str, now: datetime, ticket: Ticket | None = None
) -> None:
    """Pause, resume or stop clocks as the ticket's status moves. ``ticket``, when the caller
    has the locked instance, saves reading its organization again."""
    if old == new:
        return
    clocks = _locked_clocks(ticket_id)
    if not clocks:
        return
    org = ticket.organization if ticket is not None else Organization.objects.get(tickets=ticket_id)
    events: list[SlaEvent] = []
    for clock in clocks:
        event = _follow_status(clock, org, new, now)
        if event is not None:
            events.append(event)
    sla_events_record(events=events, now=now)
    _summary_save(ticket_id, clocks)


def sla_on_priority_change(*, ticket: Ticket, now: datetime) -> None:
    """Recompute the running and paused clocks' deadlines for the ticket's new priority, from
    the current policy and its targets at that priority (read once per batch in a bulk change,
    see ``batch``)."""
    clocks = _locked_clocks(ticket.id, with_calendars=False)  # the moving ones get new ones
    moving = [c for c in clocks if c.state in (ClockState.RUNNING, ClockState.PAUSED)]
    policy = policy_current(ticket.organization) if moving else None
    if policy is not None:
        rows = targets_current(policy, ticket.priority)
        for clock in moving:
            target = sla_target_resolve(
                org=ticket.organization,
                policy=policy,
                kind=clock.kind,
                priority=ticket.priority,
                now=now,
                rows=rows,
            )
            if target is not None:
                clock_apply_target(clock, target, priority=ticket.priority)
                clock.save(update_fields=_CLOCK_FIELDS)
    _summary_save(ticket.id, clocks)


def _follow_status(clock: Clock, org: Organization, new: str, now: datetime) -> SlaEvent | None:
    if clock.kind in RESPONSE_KINDS:
        if clock.is_open and new in (Status.RESOLVED, Status.CLOSED):
            return _stop(clock, org, now)
        return None
    if new in PAUSED_STATUSES:
        return _pause(clock, org, now)
    if new == Status.CLOSED:
        return _stop(clock, org, now)
    if new in RUNNING_STATUSES:
        _resume(clock, org, now)
    return None


def _locked_clocks(ticket_id: int, *, with_calendars: bool = True) -> list[Clock]:
    """The ticket's open clocks and its resolution clock, locked (see ``clocks_locked``)."""
    taken = clocks_take(ticket_id)
    if taken is not None:
        return taken
    return clocks_locked([ticket_id], with_calendars=with_calendars)


def _new_clock(
    ticket: Ticket, kind: str, now: datetime, policy: Policy, rows: dict[str, Target] | None = None
) -> Clock | None:
    """An unsaved clock of ``kind`` for ``ticket``, or None when the policy has no such target."""
    target = sla_target_resolve(
        org=ticket.organization,
        policy=policy,
        kind=kind,
        priority=ticket.priority,
        now=now,
        rows=rows,
    )
    if target is None:
        return None
    clock = Clock(ticket=ticket, kind=kind, started_at=now, running_since=now)
    clock_apply_target(clock, target, priority=ticket.priority)
    return clock


def _start(ticket: Ticket, kind: str, now: datetime, policy: Policy | None) -> Clock | None:
    if policy is None:
        return None
    clock = _new_clock(ticket, kind, now, policy)
    if clock is not None:
        clock.save()
    return clock


def _calendar_of(clock: Clock, org: Organization, now: datetime) -> BusinessCalendar:
    if clock.hours == Hours.CALENDAR or clock.calendar is None:
        return ALWAYS
    return sla_business_calendar(calendar=clock.calendar, org=org, year=now.year)


def _overdue(clock: Clock, now: datetime) -> SlaEvent | None:
    """Record a breach the sweep has not caught yet (the clock passed its deadline)."""
    if clock.is_goal or clock.state != ClockState.RUNNING or clock.due_at is None:
        return None
    if now <= clock.due_at:
        return None
    clock.state = ClockState.BREACHED
    clock.breached_at = clock.due_at
    clock.next_check_at = None
    return SlaEvent(SlaEventKind.BREACHED, clock.ticket_id, clock.id, clock.kind, clock.due_at, now)


def _stop(clock: Clock, org: Organization, now: datetime) -> SlaEvent | None:
    event = _overdue(clock, now)
    if clock.state == ClockState.RUNNING:
        clock.state = ClockState.MET
    elif clock.state == ClockState.PAUSED:
        clock.state = ClockState.MET  # resolved in time, now confirmed: stopped when resolved
    if clock.stopped_at is None:
        clock.stopped_at = clock.paused_at or now
    clock.next_check_at = None
    clock_reschedule(clock, _calendar_of(clock, org, now))
    clock.save(update_fields=_CLOCK_FIELDS)
    return event


def _pause(clock: Clock, org: Organization, now: datetime) -> SlaEvent | None:
    event = _overdue(clock, now)
    if clock.state == ClockState.RUNNING:
        clock.state = ClockState.PAUSED
        clock.paused_at = now
        clock.running_since = None
    elif clock.state == ClockState.BREACHED and clock.stopped_at is None:
        clock.paused_at = now
        clock.stopped_at = now  # a breached clock no longer pauses: this is when it was resolved
    else:
        return event
    clock_reschedule(clock, _calendar_of(clock, org, now))
    clock.save(update_fields=_CLOCK_FIELDS)
    return event


def _resume(clock: Clock, org: Organization, now: datetime) -> None:
    if clock.paused_at is None:
        return
    pause = [clock.paused_at.astimezone(UTC).isoformat(), now.astimezone(UTC).isoformat()]
    clock.pauses = [*clock.pauses, pause]
    clock.paused_at = None
    clock.stopped_at = None
    clock.running_since = now
    if clock.state == ClockState.BREACHED:
        clock.save(update_fields=_CLOCK_FIELDS)
        return
    clock.state = ClockState.RUNNING
    policy = sla_policy_for_org(org=org)
    target = None
    if policy is not None:
        target = sla_target_resolve(
            org=org, policy=policy, kind=clock.kind, priority=clock.ticket.priority, now=now
        )
    if target is not None:
        clock_apply_target(clock, target, priority=clock.ticket.priority)
    else:
        clock_reschedule(clock, _calendar_of(clock, org, now))
    clock.save(update_fields=_CLOCK_FIELDS)


def summary_of(clocks: Iterable[Clock]) -> tuple[SummaryState, datetime | None]:
    """The worst state and nearest deadline among open clocks."""
    open_clocks = [c for c in clocks if c.is_open]
    dues = [
        c.due_at
        for c in open_clocks
        if c.due_at is not None and c.state in (ClockState.RUNNING, ClockState.BREACHED)
    ]
    states = {c.state for c in open_clocks if not c.is_goal}
    if ClockState.BREACHED in states:
        state = SummaryState.BREACHED
    elif any(c.state == ClockState.RUNNING and c.at_risk_notified_at for c in open_clocks):
        state = SummaryState.AT_RISK
    elif ClockState.RUNNING in states:
        state = SummaryState.OK
    elif ClockState.PAUSED in states:
        state = SummaryState.PAUSED
    elif any(c.is_goal and c.state == ClockState.RUNNING for c in open_clocks):
        state = SummaryState.GOAL
    else:
        state = SummaryState.NONE
    return state, min(dues, default=None)


def _summary_fields(clocks: Iterable[Clock]) -> dict[str, object]:
    state, due = summary_of(clocks)
    return {"state": state, "next_due_at": due}


@cache
def _summary_statement(using: str) -> str:
    quote = connections[using].ops.quote_name
    meta = Summary._meta
    return (
        f"UPDATE {quote(meta.db_table)} SET {quote(meta.get_field('state').column)} = %s, "  # noqa: S608  # model names
        f"{quote(meta.get_field('next_due_at').column)} = %s "
        f"WHERE {quote(meta.get_field('ticket').column)} = %s"
    )


def _summary_save(ticket_id: int, clocks: Iterable[Clock], using: str = "default") -> None:
    """Update the ticket's summary: one UPDATE, which also locks it, planned once per process
    (every reply and status change makes it). A ticket that has none yet (written around the
    services, e.g. imported) gets one, safely against a concurrent insert."""
    state, due = summary_of(clocks)
    connection = connections[using]
    due_value = Summary._meta.get_field("next_due_at").get_db_prep_value(due, connection)
    with prepared_cursor(using) as cursor:
        cursor.execute(_summary_statement(using), [str(state), due_value, ticket_id])
        updated = cursor.rowcount
    if not updated:
        fields = {"state": state, "next_due_at": due}
        Summary.objects.update_or_create(ticket_id=ticket_id, defaults=fields)
