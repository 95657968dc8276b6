"""The size of the git directory, packs included, against the maintenance threshold."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_size

ID = "repo_size"
CATEGORY = Category.SLOW_CONSOLIDATION
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    limit = snapshot.profile.thresholds.git_size
    if snapshot.git_size is None or snapshot.git_size <= limit:
        return []
    summary = (
        f"The git directory takes {human_size(snapshot.git_size)}, above the "
        f"{human_size(limit)} at which maintenance is due."
    )
    return [Finding(ID, CATEGORY, SEVERITY, summary, (note("Measured on disk, packs included."),))]
