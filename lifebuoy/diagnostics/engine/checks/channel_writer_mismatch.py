"""Channel files written by an agent other than the one they belong to."""

from __future__ import annotations

from collections import Counter

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "channel_writer_mismatch"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.INFO


def run(snapshot: RepoSnapshot) -> list[Finding]:
    profile = snapshot.profile
    findings = []
    for path in sorted(snapshot.history.channels):
        channel = snapshot.history.channels[path]
        foreign = channel.foreign.items()
        if not foreign:
            continue
        writers = Counter(profile.agent_label(w.writer or "") for w in foreign)
        names = ", ".join(f"{name} ({count}x)" for name, count in writers.most_common())
        summary = (
            f"{path} belongs to {profile.agent_label(channel.sender)} but was also "
            f"written by {names}; those writes are not treated as its messages."
        )
        proof = tuple(evidence.write(w, snapshot) for w in foreign[-evidence.MAX_EVIDENCE :])
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, proof))
    return findings
