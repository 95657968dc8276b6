"""Problems: detected from a doctor run, opened once with a ticket, cleared with a note.

Opening: the Problem row is inserted first, inside a savepoint; the partial unique constraint
(one open problem per deployment and kind) makes a concurrent poll's insert fail, and that
poll opens nothing. The ticket, the internal note with the diagnosis, the KB link and the
Slack alert are written in the same transaction as the row.

Clearing: a conditional update (``cleared_at IS NULL``) decides which poll clears it. The
ticket gets an internal note, and the deployment's owner is told by email through the outbox
rather than by a public reply on the ticket: an automatic reply would count as the desk's
first response for the SLA and would make the monitoring identity the ticket's owner.
"""

from __future__ import annotations

import html
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction

from lifebuoy.accounts.models import SupportTier
from lifebuoy.core.errors import LifebuoyError
from lifebuoy.core.links import desk_ticket_url
from lifebuoy.kb.selectors import kb_article_get_for_user
from lifebuoy.kb.services import kb_ticket_link
from lifebuoy.monitoring.models import Deployment, Problem, ProblemKind
from lifebuoy.monitoring.services.common import monitoring_actor
from lifebuoy.notifications.models import DeliveryKind
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.tickets.models import Category, Channel, Priority, Ticket
from lifebuoy.tickets.services import NewTicket, message_add, ticket_create

# Which doctor check raises which problem; "agent_offline" comes from the agents' statuses.
CHECK_KINDS: dict[str, str] = {
    "c3_validation": ProblemKind.C3_NOT_VALIDATING,
    "consolidation_time": ProblemKind.CONSOLIDATION_SLOW,
    "protocol_violations": ProblemKind.PROTOCOL_VIOLATION,
    "strict_protocol": ProblemKind.PROTOCOL_VIOLATION,  # its thresholds are the protocol's own
    "conflict_markers": ProblemKind.CONFLICT_MARKERS,
    "repo_size": ProblemKind.REPO_OVER_SIZE,
}
KIND_CATEGORY: dict[str, str] = {
    ProblemKind.AGENT_OFFLINE: Category.AGENT_NOT_RESPONDING,
    ProblemKind.C3_NOT_VALIDATING: Category.QUALITY,
    ProblemKind.CONSOLIDATION_SLOW: Category.SLOW_CONSOLIDATION,
    ProblemKind.PROTOCOL_VIOLATION: Category.GIT_CONFLICTS,
    ProblemKind.CONFLICT_MARKERS: Category.GIT_CONFLICTS,
    ProblemKind.REPO_OVER_SIZE: Category.SLOW_CONSOLIDATION,
    ProblemKind.REPO_UNREACHABLE: Category.CONFIGURATION,
    ProblemKind.BUDGET: Category.COST_OVERRUNS,
}
# Priority from the organization's support tier and the problem's severity.
PRIORITY: dict[tuple[SupportTier, str], str] = {
    (SupportTier.MANAGED, "critical"): Priority.P1,
    (SupportTier.MANAGED, "warning"): Priority.P2,
    (SupportTier.PREMIUM, "critical"): Priority.P1,
    (SupportTier.PREMIUM, "warning"): Priority.P2,
    (SupportTier.STANDARD, "critical"): Priority.P2,
    (SupportTier.STANDARD, "warning"): Priority.P3,
    (SupportTier.COMMUNITY, "critical"): Priority.P3,
    (SupportTier.COMMUNITY, "warning"): Priority.P4,
}
_RANK = {"info": 0, "warning": 1, "critical": 2}
# Kinds whose summary names what is affected (which agents), so a change is news for the
# ticket. Other checks' summaries carry ages and sizes that change on every poll.
RENOTED_KINDS = frozenset({ProblemKind.AGENT_OFFLINE})


@dataclass(frozen=True)
class Detected:
    kind: str
    severity: str
    summary: str
    findings: list[dict[str, Any]] = field(default_factory=list)

    @property
    def kb_article(self) -> str | None:
        return next((f["kb_article"] for f in self.findings if f.get("kb_article")), None)


def priority_for(tier: SupportTier, severity: str) -> str:
    return PRIORITY.get((tier, severity), Priority.P4 if severity == "info" else Priority.P3)


def problems_detect(
    findings: Iterable[dict[str, Any]], offline_agents: list[str]
) -> dict[str, Detected]:
    """Problems in a doctor report (JSON findings, schema v1) and the agents now offline."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for finding in findings:
        kind = CHECK_KINDS.get(finding["check"])
        if kind and _RANK.get(finding["severity"], 0) >= _RANK["warning"]:
            grouped.setdefault(kind, []).append(finding)
    detected = {
        kind: Detected(
            kind=kind,
            severity=max((f["severity"] for f in items), key=lambda s: _RANK[s]),
            summary=items[0]["summary"],
            findings=items,
        )
        for kind, items in grouped.items()
    }
    if offline_agents:
        activity = [
            f
            for f in findings
            if f["check"] == "agent_activity" and any(e["commit"] for e in f["evidence"])
        ]
        names = ", ".join(offline_agents)
        detected[ProblemKind.AGENT_OFFLINE] = Detected(
            kind=ProblemKind.AGENT_OFFLINE,
            severity="warning",
            summary=f"Offline: {names}.",
            findings=activity,
        )
    return detected


def unreachable_detected(*, since: datetime, error: str) -> Detected:
    """The repository could not be fetched since ``since``. The customer's ticket says only
    that; git's own message (which may name hosts and paths) is in the internal note."""
    finding = {
        "check": "repository_access",
        "severity": "warning",
        "summary": error,
        "evidence": [],
        "solutions": [
            {
                "title": "Restore Lifebuoy's read access",
                "expected_time": "15 minutes",
                "steps": [
                    "Check that the repository still exists at the registered URL.",
                    "Check that Lifebuoy's deploy key or access token is still allowed to read.",
                    "Edit the deployment if the repository moved, then run the doctor now.",
                ],
            }
        ],
    }
    when = since.astimezone(UTC)
    return Detected(
        kind=ProblemKind.REPO_UNREACHABLE,
        severity="warning",
        summary=(
            f"Lifebuoy has not been able to read the repository since {when:%Y-%m-%d %H:%M} "
            "UTC, so the deployment is not being monitored."
        ),
        findings=[finding],
    )


def diagnosis_markdown(detected: Detected) -> str:
    """The internal note: every finding with its evidence and the playbook's solutions."""
    lines = [f"**Monitoring diagnosis — {ProblemKind(detected.kind).label}**", ""]
    if not detected.findings:
        lines.append(detected.summary)
    for finding in detected.findings:
        lines.append(
            f"- **{finding['severity'].upper()}** `{finding['check']}`: {finding['summary']}"
        )
        for item in finding.get("evidence", [])[:10]:
            where = " ".join(
                p for p in ((item.get("commit") or "")[:10], item.get("file") or "") if p
            )
            lines.append(f"    - {where + ' ' if where else ''}{item['text']}")
        for solution in finding.get("solutions", []):
            lines.append(f"    - Fix: {solution['title']} ({solution['expected_time']})")
            lines.extend(f"        {n}. {step}" for n, step in enumerate(solution["steps"], 1))
        if finding.get("kb_article"):
            lines.append(f"    - Knowledge base: {finding['kb_article']}")
    return "\n".join(lines)


def _slack(*, key: str, ticket: Ticket, text: str, now: datetime) -> None:
    target: str = settings.LIFEBUOY_SLACK_WEBHOOK_URL
    if not target:
        return
    url = desk_ticket_url(ticket.id)
    line = f"{text} <{url}|{ticket.number}>"
    payload = {
        "text": line,
        "blocks": [
            {
                "type": "section",
                "text": {"type": "mrkdwn", "text": f"{text} <{url}|{ticket.number}>"},
            }
        ],
    }
    delivery_enqueue(
        kind=DeliveryKind.SLACK, key=key, ticket=ticket, target=target, payload=payload, now=now
    )


def _link_article(ticket: Ticket, key: str | None, now: datetime) -> None:
    if not key:
        return
    actor = monitoring_actor()
    try:
        article = kb_article_get_for_user(user=actor, key=key)
        kb_ticket_link(ticket=ticket, article=article, actor=actor, now=now)
    except LifebuoyError:
        return  # an unknown or archived article: the note still names it


def _open_ticket(deployment: Deployment, detected: Detected, now: datetime) -> Ticket:
    org = deployment.organization
    label = ProblemKind(detected.kind).label
    description = (
        f"Lifebuoy's monitoring found a problem in your deployment **{deployment.name}**: "
        f"{detected.summary}\n\nOur engineers have the diagnosis and will follow up here. "
        "You will hear from us when monitoring sees the problem clear."
    )
    actor = monitoring_actor()
    ticket = ticket_create(
        actor=actor,
        requester=deployment.owner,
        data=NewTicket(
            subject=f"{deployment.name}: {label}"[:200],
            description=description,
            priority=priority_for(org.support_tier, detected.severity),
            category=KIND_CATEGORY[detected.kind],
            channel=Channel.MONITORING,
            tags=("monitoring", detected.kind.replace("_", "-")),
            deployment_url=deployment.repository,
        ),
        now=now,
    )
    message_add(
        ticket=ticket, author=actor, body=diagnosis_markdown(detected), now=now, is_internal=True
    )
    _link_article(ticket, detected.kb_article, now)
    return ticket


@transaction.atomic
def problem_open(*, deployment: Deployment, detected: Detected, now: datetime) -> Problem | None:
    """Open the problem and its ticket, or None when one of this kind is already open."""
    try:
        with transaction.atomic():
            problem = Problem.objects.create(
                deployment=deployment,
                kind=detected.kind,
                severity=detected.severity,
                summary=detected.summary[:500],
                opened_at=now,
            )
    except IntegrityError:
        return None
    ticket = _open_ticket(deployment, detected, now)
    problem.ticket = ticket
    problem.save(update_fields=["ticket"])
    _slack(
        key=f"slack:monitoring:{problem.id}:opened",
        ticket=ticket,
        text=f":warning: *{ProblemKind(detected.kind).label}* in *{deployment.name}* "
        f"({deployment.organization.name}): {detected.summary}",
        now=now,
    )
    return problem


def _owner_email(problem: Problem, ticket: Ticket, now: datetime) -> None:
    if not settings.LIFEBUOY_NOTIFY_EMAIL:
        return
    deployment = problem.deployment
    owner = deployment.owner
    label = ProblemKind(problem.kind).label
    text = (
        f"Hello {owner.display_name},\n\nmonitoring no longer sees the problem "
        f"“{label}” in {deployment.name} (ticket {ticket.number}). We will confirm with you "
        "before closing the ticket."
    )
    body_html = "".join(f"<p>{html.escape(p)}</p>" for p in text.split("\n\n"))
    delivery_enqueue(
        kind=DeliveryKind.EMAIL,
        key=f"email:monitoring-cleared:{problem.id}",
        ticket=ticket,
        target=owner.email,
        payload={
            "subject": f"Re: {ticket.subject_token} {ticket.subject}",
            "text": text,
            "html": f"<!doctype html><html><body>{body_html}</body></html>",
            "headers": {"Auto-Submitted": "auto-generated"},
        },
        now=now,
    )


@transaction.atomic
def problem_update(*, problem: Problem, detected: Detected, now: datetime) -> bool:
    """An open problem whose diagnosis changed (another agent offline, more markers): the
    ticket gets the new diagnosis as a note. Conditional on the old summary, so once."""
    summary = detected.summary[:500]
    won = Problem.objects.filter(id=problem.id, cleared_at=None, summary=problem.summary).update(
        summary=summary
    )
    if won != 1:
        return False
    problem.summary = summary
    if problem.ticket is not None:
        message_add(
            ticket=problem.ticket,
            author=monitoring_actor(),
            body=f"Monitoring: the problem changed.\n\n{diagnosis_markdown(detected)}",
            now=now,
            is_internal=True,
        )
    return True


@transaction.atomic
def problem_clear(*, problem: Problem, now: datetime, reason: str) -> bool:
    """Mark the problem cleared, note it on the ticket and tell the owner; False if already."""
    won = Problem.objects.filter(id=problem.id, cleared_at=None).update(cleared_at=now)
    if won != 1:
        return False
    problem.cleared_at = now
    ticket = problem.ticket
    if ticket is None:
        return True
    message_add(
        ticket=ticket,
        author=monitoring_actor(),
        body=f"Monitoring: cleared at {now:%Y-%m-%d %H:%M} UTC. {reason}",
        now=now,
        is_internal=True,
    )
    _owner_email(problem, ticket, now)
    _slack(
        key=f"slack:monitoring:{problem.id}:cleared",
        ticket=ticket,
        text=f":white_check_mark: Cleared: *{ProblemKind(problem.kind).label}* in "
        f"*{problem.deployment.name}*",
        now=now,
    )
    return True


def problems_reconcile(
    *, deployment: Deployment, detected: dict[str, Detected], scope: set[str], now: datetime
) -> tuple[list[Problem], list[Problem]]:
    """Open what is newly detected and clear what no longer is, for the kinds in ``scope``."""
    open_now = {
        p.kind: p
        for p in Problem.objects.filter(
            deployment=deployment, cleared_at=None, kind__in=scope
        ).select_related("deployment__owner", "deployment__organization", "ticket")
    }
    opened = [
        problem
        for kind, found in sorted(detected.items())
        if kind in scope and kind not in open_now
        if (problem := problem_open(deployment=deployment, detected=found, now=now)) is not None
    ]
    for kind, problem in sorted(open_now.items()):
        found = detected.get(kind)
        if kind in RENOTED_KINDS and found and found.summary[:500] != problem.summary:
            problem_update(problem=problem, detected=found, now=now)
    cleared = [
        problem
        for kind, problem in sorted(open_now.items())
        if kind not in detected
        and problem_clear(problem=problem, now=now, reason="The doctor no longer reports it.")
    ]
    return opened, cleared
