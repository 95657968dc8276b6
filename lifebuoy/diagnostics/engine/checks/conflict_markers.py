"""Conflict markers committed into tracked files (exactly seven <, = or > then space or EOL)."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, line_evidence
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "conflict_markers"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.CRITICAL
MAX_LINES = 20


def run(snapshot: RepoSnapshot) -> list[Finding]:
    hits = snapshot.tip_files.markers
    if not hits:
        return []
    files = sorted({(h.rev, h.path) for h in hits})
    summary = f"{len(hits)} conflict marker line(s) are committed in {len(files)} file(s)."
    proof = tuple(line_evidence(h.path, h.line, f"{h.rev}: {h.text}") for h in hits[:MAX_LINES])
    return [Finding(ID, CATEGORY, SEVERITY, summary, proof)]
