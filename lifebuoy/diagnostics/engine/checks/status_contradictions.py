"""Status tables and heartbeat files that claim "online" while git says otherwise."""

from __future__ import annotations

import json
import re
from typing import Any

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import (
    Category,
    Evidence,
    Finding,
    Severity,
    file_evidence,
    line_evidence,
)
from lifebuoy.diagnostics.engine.machines import machine_key, machine_name
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.status import ONLINE, agent_statuses, machine_statuses
from lifebuoy.diagnostics.engine.timeutil import parse_instant

ID = "status_contradictions"
CATEGORY = Category.AGENT_NOT_RESPONDING
SEVERITY = Severity.WARNING

_ROLE = re.compile(r"(?<![\w-])(C[1-3])(?![0-9])", re.IGNORECASE)
_CLAIMS_ONLINE = re.compile(r"🟢|\b(?:ONLINE|ACTIVE|ALIVE|RUNNING)\b", re.IGNORECASE)
_ONLINE_WORDS = {"online", "active", "alive", "running", "up", "ok", "healthy"}
_TIME_KEYS = ("timestamp", "last_heartbeat", "last_seen", "updated_at", "time")
_SKEW_SECONDS = 300


def run(snapshot: RepoSnapshot) -> list[Finding]:
    profile = snapshot.profile
    paths = PathClassifier(profile)
    findings: list[Finding] = []
    for path, text in sorted(snapshot.tip_files.contents.items()):
        if any(p.search(path) for p in profile.heartbeat_files):
            findings.extend(_heartbeat_file(snapshot, path, text))
        elif any(p.search(path) for p in profile.status_files) and path.endswith(".md"):
            findings.extend(_status_table(snapshot, paths.trinity_of(path), path, text))
    return findings


def _status_table(snapshot: RepoSnapshot, trinity: str, path: str, text: str) -> list[Finding]:
    statuses = {s.agent: s for s in agent_statuses(snapshot)}
    findings = []
    for number, line in enumerate(text.splitlines(), start=1):
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 3 or not line.lstrip().startswith("|"):
            continue
        role = _ROLE.search(cells[0])
        claim = next((c for c in cells[1:] if _CLAIMS_ONLINE.search(c)), None)
        status = statuses.get(f"{trinity}/{role.group(1).upper()}") if role else None
        if status is None or claim is None or status.status == ONLINE:
            continue
        truth = (
            f"last active {evidence.ago(snapshot, status.last.ts)}"
            if status.last
            else "never seen in git"
        )
        summary = f"{path} says {status.label} is online, but it is {truth}."
        proof: list[Evidence] = [line_evidence(path, number, line.strip())]
        if status.last is not None:
            proof.append(evidence.commit(status.last, f"{status.label}'s last activity"))
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof)))
    return findings


def _heartbeat_file(snapshot: RepoSnapshot, path: str, text: str) -> list[Finding]:
    try:
        data: Any = json.loads(text)
    except ValueError:
        return []
    if not isinstance(data, dict):
        return []
    findings = []
    claimed_online = str(data.get("status", "")).strip().lower() in _ONLINE_WORDS
    machine = machine_name(data, path)
    known = {machine_key(m.machine): m for m in machine_statuses(snapshot)}
    found = known.get(machine_key(machine))
    if claimed_online and (found is None or found.status != ONLINE):
        truth = (
            f"its last commit was {evidence.ago(snapshot, found.last.ts)}"
            if found is not None and found.last
            else "git has no commit from it"
        )
        summary = f"{path} says machine {machine} is online, but {truth}."
        proof: list[Evidence] = [file_evidence(path, f"status: {data.get('status')}")]
        if found is not None and found.last is not None:
            proof.append(evidence.commit(found.last, f"{machine}'s last commit"))
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof)))
    findings.extend(_future_claim(snapshot, path, data))
    return findings


def _future_claim(snapshot: RepoSnapshot, path: str, data: dict[str, Any]) -> list[Finding]:
    stamp = next((data[k] for k in _TIME_KEYS if isinstance(data.get(k), str)), None)
    written = snapshot.history.last_touch.get(path)
    if stamp is None or written is None:
        return []
    try:
        claimed = parse_instant(stamp)
    except ValueError:
        return []
    if claimed.timestamp() - written.ts <= _SKEW_SECONDS:
        return []
    summary = f"{path} carries a time ({stamp}) later than the commit that wrote it."
    proof = (file_evidence(path, f"claimed time {stamp}"), evidence.commit(written, "written by"))
    return [Finding(ID, CATEGORY, Severity.INFO, summary, proof)]
