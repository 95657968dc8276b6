"""The registry of checks, and ``diagnose``: snapshot -> findings -> report."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from lifebuoy.diagnostics.engine.build import ProgressSink, Scope, build_snapshot
from lifebuoy.diagnostics.engine.checks import (
    agent_activity,
    branch_behind,
    branches,
    c3_validation,
    channel_writer_mismatch,
    conflict_commits,
    conflict_markers,
    consolidation_time,
    cost_overrun,
    heartbeat_sweeps,
    layout,
    machine_heartbeats,
    protocol_violations,
    repo_size,
    simultaneous_edits,
    slow_tasks,
    status_contradictions,
    strict_protocol,
    task_size,
    unanswered_messages,
    unmerged_paths,
    unmerged_reports,
    unvalidated_reports,
    work_orders,
    work_queue,
)
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity
from lifebuoy.diagnostics.engine.kb import kb_article_for
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.snapshot import NotRead, RepoSnapshot, UsageRecord
from lifebuoy.diagnostics.engine.solutions import solutions_for


class Check(Protocol):
    ID: str
    CATEGORY: Category
    SEVERITY: Severity

    def run(self, snapshot: RepoSnapshot) -> list[Finding]: ...


CHECKS: tuple[Check, ...] = (
    layout,
    agent_activity,
    machine_heartbeats,
    status_contradictions,
    unanswered_messages,
    strict_protocol,
    repo_size,
    consolidation_time,
    slow_tasks,
    work_orders,
    work_queue,
    task_size,
    unmerged_reports,
    c3_validation,
    unvalidated_reports,
    conflict_markers,
    unmerged_paths,
    conflict_commits,
    simultaneous_edits,
    protocol_violations,
    channel_writer_mismatch,
    heartbeat_sweeps,
    branch_behind,
    branches,
    cost_overrun,
)


@dataclass(frozen=True)
class Report:
    snapshot: RepoSnapshot
    findings: list[Finding]

    @property
    def worst(self) -> Severity | None:
        return max((f.severity for f in self.findings), key=lambda s: s.rank, default=None)

    @property
    def has_problems(self) -> bool:
        worst = self.worst
        return worst is not None and worst.rank >= Severity.WARNING.rank


def run_checks(snapshot: RepoSnapshot, checks: Sequence[Check] = CHECKS) -> list[Finding]:
    """Every check's findings with solutions and KB article attached, worst first. Without
    any Dual Trinity layout there is one finding, which asks for a profile: the checks would
    only say, each its own way, that nothing of the profile is there."""
    if layout in checks and not layout.found(snapshot):
        checks = (layout,)
    findings = [
        dataclasses.replace(
            finding,
            solutions=finding.solutions or solutions_for(finding.check),
            kb_article=finding.kb_article or kb_article_for(finding.check),
        )
        for check in checks
        for finding in check.run(snapshot)
    ]
    order = {check.ID: index for index, check in enumerate(checks)}
    findings.sort(key=lambda f: (-f.severity.rank, order.get(f.check, len(order))))
    return findings


def diagnose(
    path: Path,
    *,
    now: datetime,
    profile: Profile,
    scope: Scope | None = None,
    usage: list[UsageRecord] | None = None,
    not_read: list[NotRead] | None = None,
    progress: ProgressSink | None = None,
) -> Report:
    snapshot = build_snapshot(
        path,
        now=now,
        profile=profile,
        scope=scope,
        usage=usage,
        not_read=not_read,
        progress=progress,
    )
    return Report(snapshot, run_checks(snapshot))
