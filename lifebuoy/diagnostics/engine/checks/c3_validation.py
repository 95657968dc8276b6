"""The validator (C3) must have validated something within the profile's window (24 h)."""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Evidence, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import FileWrite, RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "c3_validation"
CATEGORY = Category.QUALITY_ISSUES
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    profile = snapshot.profile
    window = profile.thresholds.c3_validation_within
    validations = snapshot.history.events.validations.items()
    findings = []
    for trinity in sorted(evidence.trinities_in_use(snapshot)):
        validator = profile.agent_label(f"{trinity}/{profile.validator}")
        mine = [v for v in validations if v.trinity == trinity]
        last = mine[-1] if mine else None
        if last is not None and snapshot.now_ts - last.commit.ts <= window.total_seconds():
            continue
        proof: list[Evidence] = []
        if last is None:
            summary = f"{validator} has never validated anything in the history read."
        else:
            summary = (
                f"{validator} last validated {evidence.ago(snapshot, last.commit.ts)}, "
                f"not within {human_duration(window)}."
            )
            proof.append(evidence.write(last, snapshot, "last validation"))
        request = _last_request(snapshot, trinity)
        proof.append(
            evidence.write(request, snapshot, "last validation request")
            if request
            else note("No validation request was found either.")
        )
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof)))
    return findings


def _last_request(snapshot: RepoSnapshot, trinity: str) -> FileWrite | None:
    requests = [
        c.last
        for c in snapshot.history.channels.values()
        if c.kind == "validation_request" and c.trinity == trinity
    ]
    return max(requests, key=lambda w: w.commit.ts, default=None)
