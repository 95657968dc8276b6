"""Quarterly business reviews: for each Premium and Managed Services organization, a report per
quarter of its tickets, SLA attainment, escalations, satisfaction, deployments and open risks,
shown on the desk and in the portal, downloaded as Markdown or HTML, and emailed to the
organization's contacts once per quarter and contact.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from lifebuoy.accounts.models import Organization
from lifebuoy.core.errors import InvalidState
from lifebuoy.core.links import absolute_url
from lifebuoy.core.periods import Period, previous_quarter

from .csat_source import csat_for
from .mail import email_each, email_enabled, email_payload
from .selectors.common import Metric, Scope
from .selectors.qbr import (
    DeploymentReview,
    QbrSla,
    Risks,
    qbr_deployments,
    qbr_escalations,
    qbr_offered,
    qbr_organization_list,
    qbr_recipients,
    qbr_risks,
    qbr_sla,
    qbr_ticket_counts,
)

UPTIME_TARGET_PERCENT = 99.9


@dataclass(frozen=True)
class QuarterlyReview:
    organization: Organization
    period: Period
    generated_at: datetime
    tickets: dict[str, Any]
    sla: QbrSla
    escalations: dict[str, Any]
    escalation_rate: Metric
    csat: Metric
    deployments: list[DeploymentReview]
    risks: Risks

    @property
    def title(self) -> str:
        return f"Quarterly Business Review - {self.organization.name}, {self.period.label}"


def qbr_build(*, organization: Organization, period: Period, now: datetime) -> QuarterlyReview:
    """Compute one organization's review of ``period``; open risks are as of ``now``."""
    escalations = qbr_escalations(organization=organization, period=period)
    rate = escalations.pop("rate")
    return QuarterlyReview(
        organization=organization,
        period=period,
        generated_at=now,
        tickets=qbr_ticket_counts(organization=organization, period=period),
        sla=qbr_sla(organization=organization, period=period),
        escalations=escalations,
        escalation_rate=rate,
        csat=csat_for(period, Scope(organization_id=organization.id)),
        deployments=qbr_deployments(organization=organization, period=period, now=now),
        risks=qbr_risks(organization=organization, period=period),
    )


def _judged(metric: Metric, counted: str = "decided") -> str:
    verdict = {True: "met", False: "missed", None: "not judged"}[metric.met]
    count = f", {metric.count} {counted}" if metric.count else ""
    return f"{metric.show()} (target {metric.target_text()}: {verdict}{count})"


def _money(amount: Decimal | None) -> str:
    return "no budget" if amount is None else f"{amount:,.2f}"


def _deployment_lines(review: DeploymentReview) -> list[str]:
    lines = [f"### {review.name}"]
    if review.uptime:
        for uptime in review.uptime:
            percent = uptime.percent
            shown = "not monitored" if percent is None else f"{percent:.2f}%"
            lines.append(
                f"- Agent {uptime.agent} uptime: {shown} (target {UPTIME_TARGET_PERCENT}%)"
            )
    else:
        lines.append("- Agent uptime: no agents reported")
    per_task = f", {review.cost / review.tasks:,.4f} per task" if review.tasks else ""
    used = review.budget_used_percent
    budget = "" if used is None else f" of a {_money(review.budget)} budget ({used}%)"
    lines.append(f"- Cost: {_money(review.cost)}{budget}; {review.tasks} agent tasks{per_task}")
    lines.append(f"- Budget alerts: {review.budget_alerts}")
    return [*lines, ""]


def _risk_lines(risks: Risks) -> list[str]:
    lines = [
        *(f"- {t.priority} {t.number} open: {t.subject}" for t in risks.urgent_tickets),
        *(f"- SLA breached on open ticket {t.number}: {t.subject}" for t in risks.breached_tickets),
        *(
            f"- Monitoring problem on {p.deployment.name} since {p.opened_at:%Y-%m-%d}: {p.summary}"
            for p in risks.problems
        ),
        *(
            f"- {a.deployment.name} crossed {a.threshold}% of its monthly budget in "
            f"{a.month:%B %Y} ({_money(a.spent)} spent)"
            for a in risks.budget_alerts
        ),
    ]
    return lines or ["- None."]


def qbr_markdown(review: QuarterlyReview) -> str:
    t = review.tickets
    e = review.escalations
    period = review.period
    last_day = period.end - timedelta(days=1)
    lines = [
        f"# {review.title}",
        "",
        f"Support tier: {review.organization.support_tier.label}. Period: "
        f"{period.start:%Y-%m-%d} to {last_day:%Y-%m-%d} (UTC). "
        f"Open risks as of {review.generated_at:%Y-%m-%d %H:%M} UTC.",
        "",
        "## Tickets",
        f"- Created: {t['created']}",
        f"- Resolved: {t['resolved']}",
        f"- Open at the end of the quarter: {t['open']}",
        "",
        "### By category",
        "| Category | Tickets |",
        "|---|---:|",
        *(f"| {row['label']} | {row['count']} |" for row in t["by_category"]),
        "",
        "### By priority",
        "| Priority | Tickets |",
        "|---|---:|",
        *(f"| {row['label']} | {row['count']} |" for row in t["by_priority"]),
        "",
        "## SLA attainment",
        f"- First response: {_judged(review.sla.first_response)}",
        f"- Resolution: {_judged(review.sla.resolution)}",
        "",
        "| Priority | First response | Resolution |",
        "|---|---:|---:|",
        *(
            f"| {priority} | {first.show()} | {resolution.show()} |"
            for priority, first, resolution in review.sla.by_priority
        ),
        "",
        "## Escalations",
        f"- Tickets escalated: {e['total']} (to Engineering: {e['engineering']}, "
        f"to Product: {e['product']})",
        f"- Escalation rate: {_judged(review.escalation_rate, 'tickets created')}",
        "",
        "## Customer satisfaction",
        f"- CSAT: {_judged(review.csat, 'answers')}",
        "",
        "## Deployments",
    ]
    for deployment in review.deployments:
        lines += _deployment_lines(deployment)
    if not review.deployments:
        lines += ["- No monitored deployments.", ""]
    lines += ["## Open risks", *_risk_lines(review.risks)]
    return "\n".join(lines) + "\n"


def qbr_html(review: QuarterlyReview) -> str:
    """A standalone HTML document of the review (the download)."""
    return render_to_string("reports/qbr_export.html", {"review": review})


def qbr_url(organization: Organization, period: Period) -> str:
    path = reverse("reports_portal:qbr", args=[organization.slug])
    return absolute_url(f"{path}?quarter={period.label}")


@transaction.atomic
def qbr_email_send(*, organization: Organization, period: Period, now: datetime) -> int:
    """Queue the review for each of the organization's contacts who has not been sent this
    quarter's; returns how many were queued."""
    if not qbr_offered(organization):
        raise InvalidState(
            "qbr_not_offered",
            "Quarterly business reviews are for Premium and Managed Services organizations.",
        )
    recipients = list(qbr_recipients(organization=organization))
    if not recipients or not email_enabled():
        return 0
    review = qbr_build(organization=organization, period=period, now=now)
    payload = email_payload(
        subject=review.title,
        markdown=qbr_markdown(review),
        footer="Your quarterly business review, also online:",
        url=qbr_url(organization, period),
    )
    return email_each(
        recipients=recipients,
        key=f"email:qbr:{organization.id}:{period.label}",
        payload=payload,
        now=now,
    )


def qbr_quarter_start_send(*, now: datetime) -> int:
    """At the start of a quarter: every eligible organization's review of the quarter that just
    ended, to its contacts. Running it again sends nothing new."""
    period = previous_quarter(now)
    return sum(
        qbr_email_send(organization=organization, period=period, now=now)
        for organization in qbr_organization_list()
    )
