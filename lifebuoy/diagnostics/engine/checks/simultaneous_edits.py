"""Two agents editing the same file within a short window of each other."""

from __future__ import annotations

from lifebuoy.diagnostics.engine.findings import Category, Evidence, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "simultaneous_edits"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.WARNING
RECENT_SECONDS = 7 * 86400


def run(snapshot: RepoSnapshot) -> list[Finding]:
    collisions = snapshot.history.events.collisions
    items = collisions.items()
    if not items:
        return []
    profile = snapshot.profile
    recent = [c for c in items if snapshot.now_ts - c.second.commit.ts <= RECENT_SECONDS]
    severity = SEVERITY if recent else Severity.INFO
    window = human_duration(profile.thresholds.edit_collision_window)
    summary = (
        f"{collisions.total} time(s) two agents edited the same file within {window} "
        f"of each other ({len(recent)} in the last 7 days)."
    )
    proof = []
    for c in items[-10:]:
        gap = human_duration(c.second.commit.at - c.first.commit.at)
        text = (
            f"{profile.agent_label(c.first.writer or '')} then "
            f"{profile.agent_label(c.second.writer or '')} {gap} apart"
        )
        proof.append(
            Evidence(
                "commit",
                f"{text}: {c.first.commit.subject}",
                c.first.commit.sha,
                c.path,
                at=c.first.commit.at,
            )
        )
        proof.append(
            Evidence(
                "commit",
                f"{text}: {c.second.commit.subject}",
                c.second.commit.sha,
                c.path,
                at=c.second.commit.at,
            )
        )
    return [Finding(ID, CATEGORY, severity, summary, tuple(proof))]
