"""What the dashboard shows, as tables of the values on the page (so the CSV export is the page),
and the headline figures of those tables as tiles.

A fixed number of queries whatever the number of tickets: the metrics of docs/metrics.md for
the period and the scope, and the desk now (``selectors.live``). The tiles alone
(``dashboard_tiles``, which the page refreshes in place) run only the queries their figures
need, and go through the same code as the tables, so a tile and its table always agree.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

from django.urls import reverse

from lifebuoy.accounts.models import User
from lifebuoy.core.periods import Period
from lifebuoy.escalations.selectors import FollowUp
from lifebuoy.monitoring.models import Problem
from lifebuoy.reports import selectors
from lifebuoy.reports.selectors import Metric
from lifebuoy.reports.selectors import live as desk
from lifebuoy.reports.selectors.common import Scope
from lifebuoy.reports.selectors.live import SlaRisk

from .forms import day_period

Cell = str | int


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    headers: list[str]
    rows: list[list[Cell]]
    links: list[str] = field(default_factory=list)  # per row: the ticket's desk page, or ""
    link_column: int | None = None
    note: str = ""

    def cells(self) -> list[list[tuple[str, Cell, str]]]:
        """Each row's cells with their column's header (phones show it beside the value) and
        the link the page puts on them ("" for none)."""
        return [
            [
                (
                    self.headers[column],
                    cell,
                    self.links[n] if column == self.link_column and self.links else "",
                )
                for column, cell in enumerate(row)
            ]
            for n, row in enumerate(self.rows)
        ]


Tone = Literal["good", "warn", "bad", ""]


@dataclass(frozen=True)
class Tile:
    """One headline figure. ``tone`` is an accent only: ``status`` says the same in words."""

    key: str
    label: str
    value: str
    detail: str = ""  # the comparison, the target, or what the figure counts
    tone: Tone = ""
    status: str = ""
    section: str = ""  # the id of the part of the page with the figure's detail


@dataclass(frozen=True)
class Tiles:
    now: datetime
    period: Period
    desk: list[Tile]  # the desk now
    period_tiles: list[Tile]  # the period's figures


@dataclass(frozen=True)
class Dashboard:
    period: Period
    scope: Scope
    now: datetime
    metrics: list[Metric]
    tables: dict[str, Table]
    tiles: Tiles
    sla_rows: list[Metric] = field(default_factory=list)  # attainment per tier, then priority


@dataclass(frozen=True)
class Desk:
    """The desk now, as the selectors give it; tables and tiles are both made from this."""

    open_rows: list[dict[str, Any]]
    risk: SlaRisk
    follow_ups: list[FollowUp]
    problems: list[Problem]
    problem_count: int


@dataclass(frozen=True)
class Figures:
    """The period's figures that tiles show, picked from what the tables and metrics hold."""

    sla: Metric
    first_response: Metric
    csat: Metric
    counts: dict[str, int]


def _ticket_url(ticket_id: int | None) -> str:
    return reverse("desk:detail", args=[ticket_id]) if ticket_id else ""


def _at(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "—"


def _metrics(period: Period, scope: Scope) -> tuple[list[Metric], list[Metric]]:
    sla = selectors.sla_attainment(period, scope=scope)
    # ``_figures`` picks the tiles' metrics from these by key; ``dashboard_tiles`` computes
    # those few alone.
    main = [
        selectors.first_response_time(period, scope)["all"],
        selectors.first_response_sla_hours(period, scope)["all"],
        sla.overall,
        *selectors.resolution_time(period, scope),
        selectors.csat(period, scope),
        selectors.nps(period, scope),
        selectors.reopen_rate(period, scope),
        selectors.escalation_rate(period, scope),
        selectors.first_contact_resolution(period, scope),
        selectors.average_handle_time(period, scope),
        selectors.kb_deflection(period, scope),
    ]
    return main, [*sla.by_tier, *sla.by_priority]


def _metric_table(metrics: list[Metric]) -> Table:
    def met(m: Metric) -> str:
        return "yes" if m.met is True else "no" if m.met is False else "—"

    return Table(
        "metrics",
        "Metrics",
        ["Metric", "Value", "Target", "Met", "Tickets", "Note"],
        [
            [m.label, m.show(), m.target_text(), met(m), "" if m.count is None else m.count, m.note]
            for m in metrics
        ],
    )


def _desk(user: User, scope: Scope, now: datetime, *, lists: bool = True) -> Desk:
    """The desk now; without ``lists``, only the counts (the tiles need no ticket rows)."""
    today = day_period(now.date(), now.date(), "today")
    risk = desk.sla_at_risk(scope, limit=desk.LIST_LIMIT if lists else 0)
    problems, problem_count = (
        desk.deployment_problems(scope) if lists else desk.deployment_problems(scope, limit=0)
    )
    return Desk(
        open_rows=desk.open_by_priority(scope, today),
        risk=risk,
        follow_ups=desk.escalations_awaiting(user=user, scope=scope, now=now),
        problems=problems,
        problem_count=problem_count,
    )


def _desk_tables(now_desk: Desk, now: datetime) -> list[Table]:
    open_rows, risk = now_desk.open_rows, now_desk.risk
    follow_ups = now_desk.follow_ups
    shown = follow_ups[: desk.LIST_LIMIT]
    oncall = desk.oncall_now(now=now)
    problems, problem_count = now_desk.problems, now_desk.problem_count
    return [
        Table(
            "open",
            "Open tickets by priority",
            ["Priority", "Open now", "Opened today"],
            [[r["priority"], r["open"], r["new"]] for r in open_rows]
            + [["All", sum(r["open"] for r in open_rows), sum(r["new"] for r in open_rows)]],
        ),
        Table(
            "sla",
            "SLA at risk and breached",
            ["Priority", "At risk", "Breached"],
            [[r["priority"], r["at_risk"], r["breached"]] for r in risk.counts],
        ),
        Table(
            "sla_tickets",
            "Tickets at risk or breached",
            ["Ticket", "Subject", "Organization", "Priority", "SLA", "Next deadline (UTC)"],
            [
                [
                    f"#{s.ticket_id}",
                    s.ticket.subject,
                    s.ticket.organization.name,
                    s.ticket.priority,
                    s.get_state_display(),
                    _at(s.next_due_at),
                ]
                for s in risk.tickets
            ],
            links=[_ticket_url(s.ticket_id) for s in risk.tickets],
            link_column=0,
            note=f"{len(risk.tickets)} of {risk.total} shown, breached first",
        ),
        Table(
            "escalations",
            "Escalations awaiting follow-up",
            ["Ticket", "Subject", "Organization", "Level", "Owner", "Update due (UTC)", "Overdue"],
            [
                [
                    f"#{f.ticket.id}",
                    f.ticket.subject,
                    f.ticket.organization.name,
                    f.level_label,
                    f.ticket.owner.display_name if f.ticket.owner else "—",
                    _at(f.update_due_at),
                    "overdue" if f.is_update_overdue else "",
                ]
                for f in shown
            ],
            links=[_ticket_url(f.ticket.id) for f in shown],
            link_column=0,
            note=f"{len(shown)} of {len(follow_ups)} shown, overdue first",
        ),
        Table(
            "oncall",
            "On call now",
            ["Schedule", "On call"],
            [[s["schedule"], s["oncall"] or "nobody"] for s in oncall["schedules"]],
            note=f"{oncall['open_pages']} page(s) waiting for acknowledgement",
        ),
        Table(
            "deployments",
            "Monitored deployments with problems",
            ["Organization", "Deployment", "Problem", "Severity", "Since (UTC)", "Ticket"],
            [
                [
                    p.deployment.organization.name,
                    p.deployment.name,
                    p.get_kind_display(),
                    p.severity,
                    _at(p.opened_at),
                    f"#{p.ticket_id}" if p.ticket_id else "—",
                ]
                for p in problems
            ],
            links=[_ticket_url(p.ticket_id) for p in problems],
            link_column=5,
            note=f"{len(problems)} of {problem_count} open problems shown",
        ),
    ]


def _period_tables(period: Period, scope: Scope, counts: dict[str, int]) -> list[Table]:
    escalated = selectors.escalations(period, scope)
    trend = [row for row in selectors.category_trend(period, scope) if row["count"]]
    return [
        Table(
            "volume",
            "Volume in the period",
            ["Measure", "Tickets"],
            [
                ["Created", counts["total"]],
                ["Resolved", counts["resolved"]],
                ["Open at the end", counts["open"]],
                ["Escalated", escalated["total"]],
                ["Escalated to Engineering", escalated["engineering"]],
                ["Escalated to Product", escalated["product"]],
            ],
        ),
        Table(
            "categories",
            "Tickets by category",
            ["Category", "In the period", "Period before"],
            [[row["label"], row["count"], row["previous"]] for row in trend],
        ),
    ]


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"


def _desk_tiles(now_desk: Desk) -> list[Tile]:
    opened = sum(r["open"] for r in now_desk.open_rows)
    new = sum(r["new"] for r in now_desk.open_rows)
    breached = sum(r["breached"] for r in now_desk.risk.counts)
    at_risk = sum(r["at_risk"] for r in now_desk.risk.counts)
    overdue = sum(1 for f in now_desk.follow_ups if f.is_update_overdue)
    problems = now_desk.problem_count
    return [
        Tile("open", "Open tickets", str(opened), f"{new} opened today", section="open"),
        Tile(
            "breached",
            "SLA breached",
            str(breached),
            f"{at_risk} more at risk",
            tone="bad" if breached else "warn" if at_risk else "good",
            status="Needs action" if breached else "At risk" if at_risk else "All within SLA",
            section="sla",
        ),
        Tile(
            "escalations",
            "Escalations awaiting follow-up",
            str(len(now_desk.follow_ups)),
            _plural(overdue, "customer update overdue", "customer updates overdue"),
            tone="bad" if overdue else "",
            status="Overdue" if overdue else "",
            section="escalations",
        ),
        Tile(
            "problems",
            "Deployment problems",
            str(problems),
            "open on monitored deployments",
            tone="warn" if problems else "good",
            status="Needs a look" if problems else "None open",
            section="deployments",
        ),
    ]


def _against_target(metric: Metric) -> tuple[Tone, str]:
    if metric.met is None:
        return "", ""
    return ("good", "Target met") if metric.met else ("bad", "Target missed")


def _period_tiles(figures: Figures) -> list[Tile]:
    sla, first, csat, counts = figures.sla, figures.first_response, figures.csat, figures.counts
    nothing = "—"
    return [
        Tile(
            "sla",
            "First-response SLA attainment",
            sla.show() if sla.value is not None else nothing,
            f"target {sla.target_text()} · "
            + _plural(sla.count or 0, "clock decided", "clocks decided"),
            *_against_target(sla),
            section="sla-attainment",
        ),
        Tile(
            "first_response",
            "Average first response",
            first.show() if first.value is not None else nothing,
            _plural(first.count or 0, "ticket answered", "tickets answered") + " · calendar hours",
            section="metrics",
        ),
        Tile(
            "csat",
            "CSAT",
            csat.show() if csat.value is not None else nothing,
            f"target {csat.target_text()} · " + _plural(csat.count or 0, "answer", "answers"),
            *_against_target(csat),
            section="metrics",
        ),
        Tile(
            "resolved",
            "Resolved",
            str(counts["resolved"]),
            f"{counts['total']} created · {counts['open']} open at the end",
            section="volume",
        ),
    ]


def _tiles(now_desk: Desk, figures: Figures, period: Period, now: datetime) -> Tiles:
    return Tiles(
        now=now, period=period, desk=_desk_tiles(now_desk), period_tiles=_period_tiles(figures)
    )


def _figures(metrics: list[Metric], counts: dict[str, int]) -> Figures:
    by_key = {m.key: m for m in metrics}
    return Figures(
        sla=by_key["sla_first_response"],
        first_response=by_key["first_response_time"],
        csat=by_key["csat"],
        counts=counts,
    )


def dashboard_build(*, user: User, period: Period, scope: Scope, now: datetime) -> Dashboard:
    metrics, sla_rows = _metrics(period, scope)
    counts = selectors.summary_counts(period, scope)
    now_desk = _desk(user, scope, now)
    from .background import background_table  # it builds a Table of this module

    tables = [
        *_desk_tables(now_desk, now),
        *_period_tables(period, scope, counts),
        _metric_table(metrics + sla_rows),
        background_table(now=now),
    ]
    return Dashboard(
        period=period,
        scope=scope,
        now=now,
        metrics=metrics + sla_rows,
        tables={t.name: t for t in tables},
        tiles=_tiles(now_desk, _figures(metrics, counts), period, now),
        sla_rows=sla_rows,
    )


def dashboard_tiles(*, user: User, period: Period, scope: Scope, now: datetime) -> Tiles:
    """The tiles alone, with the queries their figures need and nothing else."""
    figures = Figures(
        sla=selectors.sla_attainment(period, scope=scope).overall,
        first_response=selectors.first_response_time(period, scope)["all"],
        csat=selectors.csat(period, scope),
        counts=selectors.summary_counts(period, scope),
    )
    return _tiles(_desk(user, scope, now, lists=False), figures, period, now)


def board_as_dict(board: Dashboard) -> dict[str, object]:
    """The dashboard as JSON: its period and filters, the metrics, and every table's rows."""
    return {
        "period": {
            "label": board.period.label,
            "start": board.period.start.isoformat(),
            "end": board.period.end.isoformat(),
        },
        "tier": board.scope.tier,
        "organization_id": board.scope.organization_id,
        "as_of": board.now.isoformat(),
        "metrics": [metric.as_dict() for metric in board.metrics],
        "tables": {
            name: {"title": t.title, "headers": t.headers, "rows": t.rows, "note": t.note}
            for name, t in board.tables.items()
        },
    }
