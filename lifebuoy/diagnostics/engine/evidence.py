"""Small helpers shared by checks to describe commits, ages and agents the same way."""

from __future__ import annotations

from datetime import timedelta

from lifebuoy.diagnostics.engine.findings import Evidence
from lifebuoy.diagnostics.engine.snapshot import CommitRef, FileWrite, RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_duration, iso

MAX_EVIDENCE = 10


def commit(ref: CommitRef, label: str = "") -> Evidence:
    text = f"{label}: {ref.subject}" if label else ref.subject
    return Evidence(kind="commit", text=text, commit=ref.sha, at=ref.at)


def write(item: FileWrite, snapshot: RepoSnapshot, label: str = "") -> Evidence:
    who = snapshot.profile.agent_label(item.writer) if item.writer else "unattributed"
    text = f"{label + ': ' if label else ''}{item.commit.subject} ({who}, {item.method})"
    return Evidence(
        kind="commit", text=text, commit=item.commit.sha, file=item.path or None, at=item.commit.at
    )


def age(snapshot: RepoSnapshot, ts: int) -> timedelta:
    return timedelta(seconds=snapshot.now_ts - ts)


def ago(snapshot: RepoSnapshot, ts: int) -> str:
    return f"{human_duration(age(snapshot, ts))} ago"


def when(ref: CommitRef) -> str:
    return iso(ref.at) or ""


def trinities_in_use(snapshot: RepoSnapshot) -> set[str]:
    """Trinities with at least one attributed commit."""
    return {agent.partition("/")[0] for agent in snapshot.history.agents}
