"""Step 1 with help from the doctor: ``lifebuoy doctor --json`` output fills the checklist's
git commit logs and error messages (only where the agent has not written them already)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from lifebuoy.accounts.models import User
from lifebuoy.escalations.models import EscalationState
from lifebuoy.escalations.services.escalate import escalation_checklist_save
from lifebuoy.tickets.models import Ticket

MAX_LINES = 30
REPORTED = ("critical", "warning")


def _commit_line(commit: Mapping[str, Any] | None) -> str | None:
    if not commit or not commit.get("sha"):
        return None
    return f"{str(commit['sha'])[:10]} {commit.get('subject', '')}".strip()


def checklist_from_doctor(report: Mapping[str, Any]) -> dict[str, str]:
    """The two items a diagnosis can answer, as text; empty strings when it has nothing."""
    commits: list[str] = []
    errors: list[str] = []
    for finding in report.get("findings", []):
        if finding.get("severity") in REPORTED:
            errors.append(
                f"[{finding['severity']}] {finding.get('check')}: {finding.get('summary')}"
            )
        for item in finding.get("evidence", []):
            if item.get("kind") == "commit":
                commits.append(
                    _commit_line({"sha": item.get("commit"), "subject": item.get("text")}) or ""
                )
            elif item.get("kind") == "line" and finding.get("severity") in REPORTED:
                errors.append(f"  {item.get('file')}:{item.get('line')}: {item.get('text')}")
    for agent in report.get("agents", []):
        line = _commit_line(agent.get("commit"))
        if line:
            commits.append(f"{line} ({agent.get('label') or agent.get('id')})")
    unique = [c for c in dict.fromkeys(commits) if c]
    return {
        "git_commit_logs": "\n".join(unique[:MAX_LINES]),
        "error_messages": "\n".join(errors[:MAX_LINES]),
    }


def escalation_checklist_from_doctor(
    *, ticket: Ticket, actor: User, report: Mapping[str, Any]
) -> EscalationState:
    found = checklist_from_doctor(report)
    current = EscalationState.objects.filter(ticket=ticket).values_list("checklist", flat=True)
    existing: dict[str, str] = next(iter(current), {}) or {}
    missing = {k: v for k, v in found.items() if v and not str(existing.get(k, "")).strip()}
    return escalation_checklist_save(ticket=ticket, actor=actor, checklist=missing)
