"""What the dashboard shows, as tables of the values on the page (so the CSV export is the page).

A fixed number of queries whatever the number of tickets: the metrics of docs/metrics.md for
the period and the scope, and the desk now (``selectors.live``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.urls import reverse

from lifebuoy.accounts.models import User
from lifebuoy.core.periods import Period
from lifebuoy.reports import selectors
from lifebuoy.reports.selectors import Metric
from lifebuoy.reports.selectors import live as desk
from lifebuoy.reports.selectors.common import Scope

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

    def cells(self) -> list[list[tuple[Cell, str]]]:
        """Each row's cells with the link the page puts on them ("" for none)."""
        return [
            [
                (cell, self.links[n] if column == self.link_column and self.links else "")
                for column, cell in enumerate(row)
            ]
            for n, row in enumerate(self.rows)
        ]


@dataclass(frozen=True)
class Dashboard:
    period: Period
    scope: Scope
    now: datetime
    metrics: list[Metric]
    tables: dict[str, Table]


def _ticket_url(ticket_id: int | None) -> str:
    return reverse("desk:detail", args=[ticket_id]) if ticket_id else ""


def _at(moment: datetime | None) -> str:
    return f"{moment:%Y-%m-%d %H:%M}" if moment is not None else "—"


def _metrics(period: Period, scope: Scope) -> tuple[list[Metric], list[Metric]]:
    sla = selectors.sla_attainment(period, scope=scope)
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


def _desk_tables(user: User, scope: Scope, now: datetime) -> list[Table]:
    today = day_period(now.date(), now.date(), "today")
    open_rows = desk.open_by_priority(scope, today)
    risk = desk.sla_at_risk(scope)
    follow_ups = desk.escalations_awaiting(user=user, scope=scope, now=now)
    shown = follow_ups[: desk.LIST_LIMIT]
    oncall = desk.oncall_now(now=now)
    problems, problem_count = desk.deployment_problems(scope)
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


def _period_tables(period: Period, scope: Scope) -> list[Table]:
    counts = selectors.summary_counts(period, scope)
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


def dashboard_build(*, user: User, period: Period, scope: Scope, now: datetime) -> Dashboard:
    metrics, sla_rows = _metrics(period, scope)
    tables = [
        *_desk_tables(user, scope, now),
        *_period_tables(period, scope),
        _metric_table(metrics + sla_rows),
    ]
    return Dashboard(
        period=period,
        scope=scope,
        now=now,
        metrics=metrics + sla_rows,
        tables={t.name: t for t in tables},
    )


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
