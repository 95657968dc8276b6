"""Heartbeat commits that carried other agents' or machines' files.

A heartbeat daemon that commits with ``git add -A`` sweeps whatever lies in the work tree into
its commit: an agent's unfinished message, another machine's heartbeat. The commit proves only
that the daemon's machine was alive; it is never credited to anyone, and the files it swept
are named here with the agent or machine that most likely wrote them.
"""

from __future__ import annotations

import json
from collections import defaultdict
from typing import Any

from lifebuoy.diagnostics.engine.findings import Category, Evidence, Finding, Severity, note
from lifebuoy.diagnostics.engine.machines import machine_from_path, machine_name
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.snapshot import FileWrite, RepoSnapshot

ID = "heartbeat_sweeps"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.WARNING
FILES_NAMED = 5


def run(snapshot: RepoSnapshot) -> list[Finding]:
    swept = snapshot.history.events.swept
    by_machine: dict[str, list[FileWrite]] = defaultdict(list)
    for write in swept:  # oldest first
        by_machine[write.writer or ""].append(write)
    paths = PathClassifier(snapshot.profile)
    findings = []
    for machine in sorted(by_machine):
        latest: dict[str, FileWrite] = {}
        for write in by_machine[machine]:
            latest[write.path] = write  # the latest sweep of each file
        owners = {path: likely_owner(snapshot, paths, path) for path in latest}
        named = sorted(latest, key=lambda p: -latest[p].commit.ts)[:FILES_NAMED]
        listed = ", ".join(f"{p} ({owners[p]})" for p in named)
        more = f" and {len(latest) - len(named)} more" if len(latest) > len(named) else ""
        commits = len({w.commit.sha for w in by_machine[machine]})
        summary = (
            f"{commits} heartbeat commit(s) of {machine} carried {len(latest)} file(s) of other "
            f"agents or machines: {listed}{more}; they are credited to nobody."
        )
        proof: list[Evidence] = [
            Evidence(
                kind="commit",
                text=f"swept {path}, likely {owners[path]}'s: {latest[path].commit.subject}",
                commit=latest[path].commit.sha,
                file=path,
                at=latest[path].commit.at,
            )
            for path in named
        ]
        if swept.truncated:
            proof.append(note(f"{swept.total} swept files in all; the latest kept."))
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof)))
    return findings


def likely_owner(snapshot: RepoSnapshot, paths: PathClassifier, path: str) -> str:
    """Who most likely wrote a file: a channel's sender or a file's owner, the machine a
    heartbeat file speaks for (its ``computer_id`` before its ``hostname``), the agents of
    the trinity whose folder holds it; else nobody known."""
    info = paths.classify(path)
    if info is not None and info.owner is not None:
        return snapshot.profile.agent_label(info.owner)
    if info is not None and info.is_heartbeat_file:
        data = _json(snapshot.tip_files.contents.get(path))
        name = machine_name(data, path) if data is not None else machine_from_path(path)
        return f"machine {name}"
    trinity = paths.root_trinity(path)
    if trinity is not None:
        label = next((t.label for t in snapshot.profile.trinities if t.id == trinity), trinity)
        return f"the {label} agents"
    return "owner unknown"


def _json(text: str | None) -> dict[str, Any] | None:
    if text is None:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    return data if isinstance(data, dict) else None
