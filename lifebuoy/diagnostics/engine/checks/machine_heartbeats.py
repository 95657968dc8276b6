"""Machines whose heartbeat daemon has stopped committing."""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.status import OFFLINE, machine_statuses
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "machine_heartbeats"
CATEGORY = Category.AGENT_NOT_RESPONDING
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    limit = human_duration(snapshot.profile.thresholds.machine_offline)
    findings = []
    for machine in machine_statuses(snapshot):
        beat = machine.last_heartbeat
        if beat is None or machine.status != OFFLINE or machine.age is None:
            continue
        summary = (
            f"Machine {machine.machine} sent its last heartbeat "
            f"{human_duration(machine.age)} ago (limit {limit})."
        )
        proof = evidence.commit(beat, "last heartbeat")
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, (proof,)))
    return findings
