"""Warnings and breaches: the sweep that finds due clocks, and how SLA events are recorded.

Exactly once across workers: each transition is a conditional UPDATE whose WHERE clause restates
the condition (still running, not yet warned, deadline passed); only the rows it changed are
returned, and only for those does this process write the audit entry and emit the event. Two
sweeps may select the same candidates; the database lets one of them change each row.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from django.db import connection, transaction

from lifebuoy.sla.events import SlaEvent, SlaEventKind, sla_events_emit
from lifebuoy.sla.models import Clock, ClockState, Summary, SummaryState
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import AuditEntry, ticket_audit_record

AUDIT_ACTIONS = {SlaEventKind.AT_RISK: "sla_at_risk", SlaEventKind.BREACHED: "sla_breached"}


@dataclass(frozen=True)
class ScanResult:
    at_risk: int = 0
    breached: int = 0

    def __add__(self, other: ScanResult) -> ScanResult:
        return ScanResult(self.at_risk + other.at_risk, self.breached + other.breached)


def sla_events_record(*, events: Sequence[SlaEvent], now: datetime) -> None:
    """Write each event to its ticket's audit trail and emit it after commit."""
    ticket_audit_record(
        entries=[
            AuditEntry(
                ticket_id=e.ticket_id,
                action=AUDIT_ACTIONS[e.kind],
                field=e.clock_kind,
                new=e.due_at.isoformat(),
            )
            for e in events
        ],
        now=now,
    )
    sla_events_emit(events)


def sla_breach_scan(*, now: datetime, batch_size: int = 500, max_batches: int = 20) -> ScanResult:
    """Mark due clocks at risk or breached, in bounded batches ordered by ``next_check_at``."""
    total = ScanResult()
    for _ in range(max_batches):
        ids = list(
            Clock.objects.filter(next_check_at__lte=now)
            .order_by("next_check_at", "id")
            .values_list("id", flat=True)[:batch_size]
        )
        if not ids:
            break
        result = _scan_batch(ids, now)
        total += result
        if len(ids) < batch_size or result == ScanResult():
            break
    return total


@transaction.atomic
def _scan_batch(ids: list[int], now: datetime) -> ScanResult:
    _lock_tickets_first(ids)
    # Breaches first, so a clock past both points gets the breach and no late warning.
    breached = _conditional_update(
        ids,
        now,
        set_sql="state = %s, breached_at = due_at, next_check_at = NULL",
        set_params=[ClockState.BREACHED],
        where_sql="due_at < %s",
    )
    warned = _conditional_update(
        ids,
        now,
        set_sql="at_risk_notified_at = %s, next_check_at = due_at",
        set_params=[now],
        where_sql="at_risk_notified_at IS NULL AND at_risk_at <= %s",
    )
    events = [
        *_events(breached, SlaEventKind.BREACHED, now),
        *_events(warned, SlaEventKind.AT_RISK, now),
    ]
    _summaries_worsen(events)
    sla_events_record(events=events, now=now)
    return ScanResult(at_risk=len(warned), breached=len(breached))


def _lock_tickets_first(ids: list[int]) -> None:
    """Take the tickets' key-share locks before touching their clocks (PostgreSQL).

    The ticket services lock the ticket row, then its clocks; the audit rows this sweep inserts
    need a key-share lock on the ticket. Taking it first, in id order, keeps one lock order for
    both, so an agent's reply and the sweep wait for each other instead of deadlocking. SQLite
    runs one writer at a time and needs nothing.
    """
    if connection.vendor != "postgresql":
        return
    tickets = connection.ops.quote_name(Ticket._meta.db_table)
    clocks = connection.ops.quote_name(Clock._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id FROM {tickets} WHERE id IN "  # noqa: S608  # table names; values are parameters
            f"(SELECT ticket_id FROM {clocks} WHERE id IN ({marks})) ORDER BY id FOR KEY SHARE",
            ids,
        )


def _conditional_update(
    ids: list[int], now: datetime, *, set_sql: str, set_params: list[str | datetime], where_sql: str
) -> list[int]:
    """UPDATE the running, checked clocks among ``ids`` that meet ``where_sql``; their ids."""
    adapt = connection.ops.adapt_datetimefield_value
    table = connection.ops.quote_name(Clock._meta.db_table)
    marks = ", ".join(["%s"] * len(ids))
    sql = (
        f"UPDATE {table} SET {set_sql} "  # noqa: S608  # fixed fragments; values are parameters
        f"WHERE id IN ({marks}) AND state = %s AND next_check_at IS NOT NULL AND {where_sql} "
        "RETURNING id"
    )
    params: list[str | int | None] = [
        *(adapt(p) if isinstance(p, datetime) else p for p in set_params),
        *ids,
        ClockState.RUNNING,
        adapt(now),
    ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row[0] for row in cursor.fetchall()]


def _events(ids: list[int], kind: SlaEventKind, now: datetime) -> Iterable[SlaEvent]:
    if not ids:
        return []
    rows = Clock.objects.filter(id__in=ids).values_list("id", "ticket_id", "kind", "due_at")
    return [
        SlaEvent(kind, ticket_id, clock_id, clock_kind, due_at or now, now)
        for clock_id, ticket_id, clock_kind, due_at in sorted(rows)
    ]


def _summaries_worsen(events: list[SlaEvent]) -> None:
    breached = sorted({e.ticket_id for e in events if e.kind == SlaEventKind.BREACHED})
    at_risk = sorted({e.ticket_id for e in events if e.kind == SlaEventKind.AT_RISK})
    if breached:
        Summary.objects.filter(ticket_id__in=breached).update(state=SummaryState.BREACHED)
    if at_risk:
        Summary.objects.filter(ticket_id__in=at_risk, state=SummaryState.OK).update(
            state=SummaryState.AT_RISK
        )
