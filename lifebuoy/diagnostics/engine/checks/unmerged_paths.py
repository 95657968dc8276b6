"""Paths left unmerged in the work tree's index (a merge or rebase stopped half-way)."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, file_evidence
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "unmerged_paths"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.CRITICAL


def run(snapshot: RepoSnapshot) -> list[Finding]:
    paths = snapshot.unmerged_paths
    if not paths:
        return []
    summary = f"{len(paths)} path(s) are unmerged in the work tree: a merge or rebase is stuck."
    proof = tuple(file_evidence(p, "unmerged") for p in paths[:20])
    return [Finding(ID, CATEGORY, SEVERITY, summary, proof)]
