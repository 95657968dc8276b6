"""Commits whose message mentions a conflict."""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "conflict_commits"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.WARNING
RECENT_SECONDS = 86400


def run(snapshot: RepoSnapshot) -> list[Finding]:
    mentions = snapshot.history.events.conflict_mentions
    items = mentions.items()
    if not items:
        return []
    recent = [c for c in items if snapshot.now_ts - c.ts <= RECENT_SECONDS]
    severity = SEVERITY if recent else Severity.INFO
    when = f", {len(recent)} in the last 24 h" if recent else ", none in the last 24 h"
    summary = f"{mentions.total} commit(s) mention conflicts{when}."
    proof = tuple(evidence.commit(c) for c in items[-evidence.MAX_EVIDENCE :])
    return [Finding(ID, CATEGORY, severity, summary, proof)]
