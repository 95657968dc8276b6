"""Work orders through their states, from the channel files: assigned (a task in the
coordinator -> builder channel), in progress (the builder committed after it), reported (a
report in the builder -> coordinator channel) and validated (a validation by C3 after the
report). Work orders assigned and not picked up within ``work_order_pickup`` are flagged here;
a report waiting for its validation is ``unvalidated_reports``' finding, so it is not
reported twice.

Tasks are paired with their reports as ``slow_tasks`` pairs them; validations are the ones
``unvalidated_reports`` reads.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.checks.slow_tasks import tasks_by_trinity
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import CommitRef, FileWrite, RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "work_orders"
CATEGORY = Category.SLOW_CONSOLIDATION
SEVERITY = Severity.WARNING

ASSIGNED = "assigned"
IN_PROGRESS = "in_progress"
REPORTED = "reported"
VALIDATED = "validated"


@dataclass(frozen=True)
class WorkOrder:
    trinity: str
    assigned: FileWrite
    picked_up: CommitRef | None  # the builder's latest commit after the assignment
    reported: FileWrite | None
    validated: FileWrite | None  # the first validation after the report

    @property
    def state(self) -> str:
        if self.validated is not None:
            return VALIDATED
        if self.reported is not None:
            return REPORTED
        return IN_PROGRESS if self.picked_up is not None else ASSIGNED


def work_orders(snapshot: RepoSnapshot) -> dict[str, list[WorkOrder]]:
    """Each trinity's work orders, oldest first, with the state each one reached."""
    profile = snapshot.profile
    history = snapshot.history
    checks: dict[str, list[FileWrite]] = {}
    for validation in history.events.validations:  # oldest first
        checks.setdefault(validation.trinity, []).append(validation)
    orders: dict[str, list[WorkOrder]] = {}
    for trinity, tasks in tasks_by_trinity(snapshot).items():
        builder = history.agents.get(f"{trinity}/{profile.builder}")
        latest = builder.last if builder is not None else None
        validations = checks.get(trinity, [])
        times = [v.commit.ts for v in validations]
        for task in tasks:
            assigned = task.assigned.commit
            picked_up = None
            if latest is not None and latest.ts >= assigned.ts and latest.sha != assigned.sha:
                picked_up = latest
            validated = None
            if task.reported is not None:
                index = bisect_left(times, task.reported.commit.ts)
                validated = validations[index] if index < len(validations) else None
            orders.setdefault(trinity, []).append(
                WorkOrder(trinity, task.assigned, picked_up, task.reported, validated)
            )
    return orders


def run(snapshot: RepoSnapshot) -> list[Finding]:
    findings = []
    for trinity, orders in sorted(work_orders(snapshot).items()):
        findings.extend(_not_picked_up(snapshot, trinity, orders))
    return findings


def _not_picked_up(snapshot: RepoSnapshot, trinity: str, orders: list[WorkOrder]) -> list[Finding]:
    profile = snapshot.profile
    limit = profile.thresholds.work_order_pickup
    waiting = [
        o
        for o in orders
        if o.state == ASSIGNED and snapshot.now_ts - o.assigned.commit.ts > limit.total_seconds()
    ]
    if not waiting:
        return []
    order = waiting[-1]
    builder = profile.agent_label(f"{trinity}/{profile.builder}")
    summary = (
        f"The work order assigned to {builder} "
        f"{evidence.ago(snapshot, order.assigned.commit.ts)} is still waiting to be picked "
        f"up (limit {human_duration(limit)})."
    )
    proof = [evidence.write(order.assigned, snapshot, "assigned")]
    activity = snapshot.history.agents.get(f"{trinity}/{profile.builder}")
    if activity is not None and activity.last is not None:
        proof.append(evidence.commit(activity.last, f"{builder}'s last activity, before it"))
    else:
        proof.append(note(f"{builder} never appears in the history read."))
    return [Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof))]
