"""A channel file written to an agent, with no activity from that agent since."""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "unanswered_messages"
CATEGORY = Category.AGENT_NOT_RESPONDING
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    history = snapshot.history
    profile = snapshot.profile
    limit = int(profile.thresholds.agent_offline.total_seconds())
    findings = []
    for path in sorted(history.channels):
        channel = history.channels[path]
        if channel.addressee not in profile.agents:
            continue
        sent = channel.last.commit
        if snapshot.now_ts - sent.ts <= limit:
            continue
        reader = history.agents.get(channel.addressee)
        if reader is not None and reader.last is not None and reader.last.ts >= sent.ts:
            continue
        name = profile.agent_label(channel.addressee)
        summary = (
            f"{path} was written for {name} {evidence.ago(snapshot, sent.ts)} and "
            f"{name} has not committed anything since."
        )
        proof = [evidence.write(channel.last, snapshot, "message")]
        if reader is not None and reader.last is not None:
            proof.append(evidence.commit(reader.last, f"{name}'s last activity"))
        else:
            proof.append(note(f"{name} never appears in the history read."))
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof)))
    return findings
