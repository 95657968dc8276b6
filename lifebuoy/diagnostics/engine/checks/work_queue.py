"""Work orders a work queue still holds open although the coordinator declared them done.

In a ``work_queue/{pending,active,completed}`` layout an order moves from folder to folder and
its status from PENDING to IN_PROGRESS to COMPLETED. An order still PENDING or IN_PROGRESS at
the tip, named as done in a commit of the coordinator, was never moved: whoever reads the
queue takes finished work for open work.
"""

from __future__ import annotations

import json
import re
from pathlib import PurePosixPath
from typing import Any

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, file_evidence
from lifebuoy.diagnostics.engine.snapshot import FileWrite, RepoSnapshot
from lifebuoy.diagnostics.engine.workqueue import order_keys

ID = "work_queue"
CATEGORY = Category.SLOW_CONSOLIDATION
SEVERITY = Severity.WARNING

OPEN = {"PENDING": "PENDING", "IN_PROGRESS": "IN_PROGRESS", "CLAIMED": "IN_PROGRESS"}
_FOLDER_STATE = {"pending": "PENDING", "active": "IN_PROGRESS"}
_STATUS_LINE = re.compile(r"(?im)^\W*(?:status|state)\W*:\W*(?P<value>[A-Za-z][A-Za-z _-]*)")
_ID_KEYS = ("id", "work_order_id", "order_id", "wo_id", "task_id", "work_order")


def run(snapshot: RepoSnapshot) -> list[Finding]:
    patterns = snapshot.profile.work_queue
    if not patterns:
        return []
    declared: dict[str, FileWrite] = {}
    for write in snapshot.history.events.completions:  # oldest first: the latest wins
        declared[write.path] = write
    if not declared:
        return []
    findings = []
    for path, text in sorted(snapshot.tip_files.contents.items()):
        if not any(p.search(path) for p in patterns):
            continue
        state, shown = _state(path, text)
        if state is None:
            continue
        keys = order_keys(_names(path, text))
        done = max(
            (declared[k] for k in keys if k in declared),
            key=lambda w: (w.commit.ts, w.commit.sha),
            default=None,
        )
        if done is None:
            continue
        who = snapshot.profile.agent_label(done.writer) if done.writer else "the coordinator"
        name = PurePosixPath(path).stem
        summary = (
            f"Work order {name} is still {state} in {path}, but {who} declared it complete "
            f"{evidence.ago(snapshot, done.commit.ts)}."
        )
        proof = (
            file_evidence(path, shown),
            evidence.commit(done.commit, f"{who} declared it complete"),
        )
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, proof))
    return findings


def _state(path: str, text: str) -> tuple[str | None, str]:
    """PENDING or IN_PROGRESS as the order says (its folder's when it says nothing); None
    for an order in any other state."""
    written = _written_status(path, text)
    if written is None:
        folder = PurePosixPath(path).parent.name.lower()
        state = _FOLDER_STATE.get(folder)
        return state, f"in the {folder} folder"
    value = re.sub(r"[\s-]+", "_", written.strip()).upper()
    return OPEN.get(value), f"status: {written.strip()}"


def _written_status(path: str, text: str) -> str | None:
    if path.lower().endswith(".json"):
        data = _json(text)
        value = next((data[k] for k in ("status", "state") if isinstance(data.get(k), str)), None)
        return value
    found = _STATUS_LINE.search(text)
    return found["value"] if found is not None else None


def _names(path: str, text: str) -> str:
    """Where an order's name is: its file name and, in JSON, its id fields."""
    names = [PurePosixPath(path).stem]
    if path.lower().endswith(".json"):
        data = _json(text)
        names += [str(data[k]) for k in _ID_KEYS if isinstance(data.get(k), str | int)]
    return " ".join(names)


def _json(text: str) -> dict[str, Any]:
    try:
        data = json.loads(text)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
