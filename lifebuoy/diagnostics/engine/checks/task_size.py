"""The size of the current assignment in each coordinator -> builder channel."""

from __future__ import annotations

import re

from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, file_evidence
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "task_size"
CATEGORY = Category.SLOW_CONSOLIDATION
SEVERITY = Severity.WARNING

_MESSAGE_START = re.compile(r"^#{1,3} .*(?:→|->)", re.MULTILINE)
_STEP = re.compile(r"^\s*(?:[-*] \[[ xX]\]|\d+[.)]\s)", re.MULTILINE)


def current_message(text: str) -> str:
    """The last ``# FROM → TO: TYPE`` block, or the whole file when there are no headers."""
    starts = [m.start() for m in _MESSAGE_START.finditer(text)]
    return text[starts[-1] :] if starts else text


def run(snapshot: RepoSnapshot) -> list[Finding]:
    paths = PathClassifier(snapshot.profile)
    limit = snapshot.profile.thresholds.task_size_words
    findings = []
    for path, text in sorted(snapshot.tip_files.contents.items()):
        info = paths.classify(path)
        if info is None or info.kind != "task" or not text.strip():
            continue
        message = current_message(text)
        words = len(message.split())
        steps = len(_STEP.findall(message))
        severity = SEVERITY if words > limit else Severity.INFO
        verdict = f", above the {limit}-word guideline" if words > limit else ""
        summary = f"The current assignment in {path} has {words} words and {steps} steps{verdict}."
        first_line = message.strip().splitlines()[0][:120]
        findings.append(
            Finding(ID, CATEGORY, severity, summary, (file_evidence(path, first_line),))
        )
    return findings
