"""Every branch against the default branch: when it was last active, how far ahead and
behind, which hold stale work waiting to be merged, and which share no history at all."""

from __future__ import annotations

from datetime import timedelta

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.branchinfo import BranchInfo
from lifebuoy.diagnostics.engine.findings import Category, Evidence, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import from_epoch, human_duration

ID = "branches"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.WARNING


def run(snapshot: RepoSnapshot) -> list[Finding]:
    branches = snapshot.branches
    default = branches.default
    if default is None or not branches.items:
        return []
    findings = [_overview(snapshot, default, branches.items)]
    limit = snapshot.profile.thresholds.branch_stale
    for branch in branches.items:
        age = timedelta(seconds=snapshot.now_ts - branch.last_ts)
        if not branch.related:
            summary = (
                f"{branch.name} shares no history with {default} (there is no merge-base): an "
                f"unrelated history, not work waiting to be merged; last active "
                f"{human_duration(age)} ago."
            )
            findings.append(Finding(ID, CATEGORY, Severity.INFO, summary, (_tip(branch),)))
        elif branch.ahead and age > limit:
            summary = (
                f"{branch.name} has {branch.ahead} commit(s) not in {default} and no activity "
                f"for {human_duration(age)} (limit {human_duration(limit)}): stale work waiting "
                f"to be merged, {branch.behind} commit(s) behind."
            )
            findings.append(Finding(ID, CATEGORY, SEVERITY, summary, (_tip(branch),)))
    return findings


def _overview(snapshot: RepoSnapshot, default: str, items: tuple[BranchInfo, ...]) -> Finding:
    described = [f"{b.name} ({_position(b)}, last active {_ago(snapshot, b)})" for b in items]
    shown = "; ".join(described[: evidence.MAX_EVIDENCE])
    more = f"; and {len(items) - evidence.MAX_EVIDENCE} more" if len(items) > 10 else ""
    summary = f"{len(items)} branch(es) besides {default}: {shown}{more}."
    proof = tuple(_tip(b) for b in items[: evidence.MAX_EVIDENCE])
    return Finding(ID, CATEGORY, Severity.INFO, summary, proof)


def _position(branch: BranchInfo) -> str:
    if not branch.related:
        return "unrelated"
    return f"{branch.ahead} ahead, {branch.behind} behind"


def _ago(snapshot: RepoSnapshot, branch: BranchInfo) -> str:
    return evidence.ago(snapshot, branch.last_ts)


def _tip(branch: BranchInfo) -> Evidence:
    return Evidence(
        kind="commit",
        text=f"tip of {branch.name} ({_position(branch)})",
        commit=branch.sha,
        at=from_epoch(branch.last_ts),
    )
