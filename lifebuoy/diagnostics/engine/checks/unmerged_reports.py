"""Reports that never reached the coordinator: on branches not merged into its branch.

In per-branch deployments a report reaches the coordinator only when its branch is merged;
until then it waits for consolidation and is invisible in a single-branch view. A report is
an agent's commit that writes a report (a report channel, a hub input, a ``*_REPORT.md``, a
sync log) or says in its subject that it reports to C1, and that is not an ancestor of the
coordinator's branch tip (a branch named for the coordinator, else the current branch).
"""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "unmerged_reports"
CATEGORY = Category.SLOW_CONSOLIDATION
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    if not snapshot.refs:
        return []
    limit = snapshot.profile.thresholds.consolidation_slow.total_seconds()
    findings = []
    for branch in snapshot.pending_branches:
        reports = branch.reports.items()
        if not reports:
            continue
        oldest = reports[0].commit.ts
        severity = SEVERITY if snapshot.now_ts - oldest > limit else Severity.INFO
        summary = (
            f"{branch.name} has {branch.reports.total} report(s) in {branch.commits} commit(s) "
            f"not merged into {branch.target}; the oldest is {evidence.ago(snapshot, oldest)}."
        )
        proof = tuple(evidence.write(w, snapshot, "not merged") for w in reports)
        findings.append(Finding(ID, CATEGORY, severity, summary, proof))
    return findings
