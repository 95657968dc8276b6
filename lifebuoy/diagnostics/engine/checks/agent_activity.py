"""Per agent: online, offline or never seen, proved by a commit and an attribution method."""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.status import NEVER_SEEN, OFFLINE, agent_statuses
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "agent_activity"
CATEGORY = Category.AGENT_NOT_RESPONDING
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    if snapshot.history.commits_read == 0:
        return [Finding(ID, CATEGORY, Severity.INFO, "There are no commits to judge agents by.")]
    limit = human_duration(snapshot.profile.thresholds.agent_offline)
    findings = []
    for status in agent_statuses(snapshot):
        if status.status == OFFLINE and status.last and status.age:
            summary = (
                f"{status.label} ({status.role_name}) has been silent for "
                f"{human_duration(status.age)}, longer than {limit}."
            )
            proof = evidence.commit(status.last, f"last activity, by {status.method}")
            findings.append(Finding(ID, CATEGORY, SEVERITY, summary, (proof,)))
        elif status.status == NEVER_SEEN:
            summary = f"{status.label} ({status.role_name}) never appears in the history read."
            hint = note(
                f"No commit was attributed to {status.role} of this trinity by subject "
                "prefix, body signature, channel files or the author map."
            )
            findings.append(Finding(ID, CATEGORY, SEVERITY, summary, (hint,)))
    return findings
