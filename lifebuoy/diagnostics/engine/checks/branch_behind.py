"""A branch behind its upstream (as of the repository's last fetch: we never fetch)."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "branch_behind"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    findings = []
    for up in snapshot.upstreams:
        if up.gone:
            summary = f"{up.branch} tracks {up.upstream}, which no longer exists."
            findings.append(Finding(ID, CATEGORY, Severity.INFO, summary))
        elif up.behind:
            summary = (
                f"{up.branch} is {up.behind} commit(s) behind {up.upstream}"
                f"{f' and {up.ahead} ahead' if up.ahead else ''}."
            )
            proof = (note("Counted against the remote-tracking branch as last fetched."),)
            findings.append(Finding(ID, CATEGORY, SEVERITY, summary, proof))
    return findings
