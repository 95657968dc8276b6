"""The weekly report's content: the data for one ISO week, built from the metrics, and the
playbook's Markdown template filled in with it. Reads only; storing and mailing it are in
``services.py`` and ``mail.py``."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lifebuoy.core.periods import Period

from . import selectors
from .selectors import Metric

# A category is "up sharply" when it at least doubled week over week and has this many tickets.
SURGE_MIN_TICKETS = 5


@dataclass(frozen=True)
class Report:
    period: Period
    summary: dict[str, Any]
    top_issues: list[dict[str, Any]]
    escalations: dict[str, int]
    action_items: list[str]
    wins: list[str]
    metrics: list[Metric]
    sla_by_tier: list[Metric]
    sla_by_priority: list[Metric]
    sla_by_tier_and_priority: list[Metric]
    volume: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        return {
            "week": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "summary": self.summary,
            "top_issues": self.top_issues,
            "escalations": self.escalations,
            "action_items": self.action_items,
            "wins": self.wins,
            "metrics": [m.as_dict() for m in self.metrics],
            "sla_by_tier": [m.as_dict() for m in self.sla_by_tier],
            "sla_by_priority": [m.as_dict() for m in self.sla_by_priority],
            "sla_by_tier_and_priority": [m.as_dict() for m in self.sla_by_tier_and_priority],
            "volume": self.volume,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Report:
        """The report as ``as_dict`` stored it."""

        def metrics(name: str) -> list[Metric]:
            return [Metric(**{k: v for k, v in row.items() if k != "met"}) for row in data[name]]

        period = Period(
            start=datetime.fromisoformat(data["start"]),
            end=datetime.fromisoformat(data["end"]),
            label=data["week"],
        )
        return cls(
            period=period,
            summary=data["summary"],
            top_issues=data["top_issues"],
            escalations=data["escalations"],
            action_items=data["action_items"],
            wins=data["wins"],
            metrics=metrics("metrics"),
            sla_by_tier=metrics("sla_by_tier"),
            sla_by_priority=metrics("sla_by_priority"),
            sla_by_tier_and_priority=metrics("sla_by_tier_and_priority"),
            volume=data["volume"],
        )


def _action_items(
    trend: list[dict[str, Any]],
    sla: selectors.SlaAttainment,
    metrics: list[Metric],
    article: dict[str, Any] | None,
    budgets: list[dict[str, Any]],
) -> list[str]:
    surges = [
        f"{row['label']} is up sharply: {row['count']} tickets this week, "
        f"{row['previous']} the week before."
        for row in trend
        if row["count"] >= SURGE_MIN_TICKETS and row["count"] >= 2 * row["previous"]
    ]
    below = [
        f"{m.label} is below target: {m.show()} ({m.target_text()})."
        for m in [*sla.by_tier, *sla.by_priority]
        if m.met is False
    ]
    missed = [
        f"{m.label} misses its target: {m.show()} ({m.target_text()})."
        for m in metrics
        if m.met is False and not m.key.startswith("sla_")
    ]
    review = (
        [
            f"{article['id']} “{article['title']}” ({article['views']} views, the most read) "
            "is due for review."
        ]
        if article
        else []
    )
    spend = [
        f"{b['organization']} / {b['deployment']} crossed {b['threshold']}% of its monthly "
        f"budget ({b['spent']} spent)."
        for b in budgets
    ]
    return surges + below + missed + review + spend


def _wins(metrics: list[Metric]) -> list[str]:
    return [
        f"{m.label} on target: {m.show()} ({m.target_text()})." for m in metrics if m.met is True
    ]


def _praise(rows: list[dict[str, Any]]) -> list[str]:
    """Customers' own words from the week's 5/5 survey answers."""
    return [
        f"Praise on {row['number']} ({row['organization']}): “{row['comment']}”" for row in rows
    ]


def weekly_report_build(*, period: Period) -> Report:
    """Compute the report; a fixed number of queries whatever the number of tickets."""
    counts = selectors.summary_counts(period)
    response = selectors.first_response_time(period)["all"]
    csat = selectors.csat(period)
    sla = selectors.sla_attainment(period)
    trend = selectors.category_trend(period)
    metrics = [
        response,
        selectors.first_response_sla_hours(period)["all"],
        sla.overall,
        *selectors.resolution_time(period),
        csat,
        selectors.nps(period),
        selectors.reopen_rate(period),
        selectors.escalation_rate(period),
        selectors.first_contact_resolution(period),
        selectors.average_handle_time(period),
        selectors.kb_deflection(period),
    ]
    resolved_share = counts["resolved"] / counts["total"] if counts["total"] else None
    summary = {
        "total": counts["total"],
        "resolved": counts["resolved"],
        "resolved_share": resolved_share,
        "open": counts["open"],
        "average_response_hours": response.value,
        "csat": csat.value,
    }
    return Report(
        period=period,
        summary=summary,
        top_issues=[row for row in trend if row["count"]][:3],
        escalations=selectors.escalations(period),
        action_items=_action_items(
            trend,
            sla,
            metrics,
            selectors.kb_most_viewed_due_for_review(period),
            selectors.budget_alerts(period),
        ),
        wins=_wins(metrics) + _praise(selectors.csat_praise(period)),
        metrics=metrics,
        sla_by_tier=sla.by_tier,
        sla_by_priority=sla.by_priority,
        sla_by_tier_and_priority=sla.by_tier_and_priority,
        volume=selectors.volume(period),
    )


def weekly_report_markdown(report: Report) -> str:
    """The playbook's weekly report template, filled in."""
    s = report.summary
    share = "" if s["resolved_share"] is None else f" ({s['resolved_share'] * 100:.0f}%)"
    hours = s["average_response_hours"]
    response = "no data" if hours is None else f"{hours:.1f} hours"
    csat = "no data" if s["csat"] is None else f"{s['csat']:.2f}/5"
    lines = [
        f"# Support Weekly Report - Week of {report.period.start:%Y-%m-%d} ({report.period.label})",
        "",
        "## Summary",
        f"- Total tickets: {s['total']}",
        f"- Resolved: {s['resolved']}{share}",
        f"- Open: {s['open']}",
        f"- Average response time: {response}",
        f"- CSAT: {csat}",
        "",
        "## Top Issues",
    ]
    lines += [
        f"{n}. {row['label']} - {row['count']} tickets"
        for n, row in enumerate(report.top_issues, start=1)
    ] or ["- No tickets this week."]
    e = report.escalations
    lines += [
        "",
        "## Escalations",
        f"- Total escalated: {e['total']}",
        f"- To Engineering: {e['engineering']}",
        f"- To Product: {e['product']}",
        "",
        "## Action Items",
    ]
    lines += [f"- {item}" for item in report.action_items] or ["- None: every target is met."]
    lines += ["", "## Wins"]
    lines += [f"- {win}" for win in report.wins] or ["- No target met this week."]
    return "\n".join(lines) + "\n"


def weekly_report_json(report: Report) -> str:
    return json.dumps(report.as_dict(), indent=2, ensure_ascii=False, default=str)
