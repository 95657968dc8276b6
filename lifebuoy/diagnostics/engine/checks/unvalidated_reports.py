"""Builder (C2) reports with no validator (C3) validation after them."""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "unvalidated_reports"
CATEGORY = Category.QUALITY_ISSUES
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    profile = snapshot.profile
    grace = profile.thresholds.report_validation_grace.total_seconds()
    events = snapshot.history.events
    findings = []
    for trinity in sorted({r.trinity for r in events.reports}):
        checked = [v.commit.ts for v in events.validations if v.trinity == trinity]
        since = max(checked, default=-1)
        waiting = [
            r
            for r in events.reports
            if r.trinity == trinity
            and r.commit.ts > since
            and snapshot.now_ts - r.commit.ts > grace
        ]
        if not waiting:
            continue
        builder = profile.agent_label(f"{trinity}/{profile.builder}")
        validator = profile.agent_label(f"{trinity}/{profile.validator}")
        summary = (
            f"{len(waiting)} report(s) from {builder}, the oldest "
            f"{evidence.ago(snapshot, waiting[0].commit.ts)}, have no validation by "
            f"{validator} after them."
        )
        proof = tuple(
            evidence.write(r, snapshot, "report") for r in waiting[-evidence.MAX_EVIDENCE :]
        )
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, proof))
    return findings
