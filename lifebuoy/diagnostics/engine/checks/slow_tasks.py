"""Tasks from assignment (coordinator -> builder channel) to report (builder -> coordinator)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Finding, Severity
from lifebuoy.diagnostics.engine.snapshot import FileWrite, RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "slow_tasks"
CATEGORY = Category.SLOW_CONSOLIDATION
SEVERITY = Severity.WARNING
RECENT = 5


@dataclass(frozen=True)
class Task:
    assigned: FileWrite
    reported: FileWrite | None


def tasks_by_trinity(snapshot: RepoSnapshot) -> dict[str, list[Task]]:
    """Pair each first unanswered assignment with the next report in the same trinity
    (worked out once per snapshot; do not change the lists)."""
    return snapshot.derived("tasks_by_trinity", _pair_tasks)


def _pair_tasks(snapshot: RepoSnapshot) -> dict[str, list[Task]]:
    events = snapshot.history.events
    timeline = [(w.commit.ts, 0, w) for w in events.assignments]
    timeline += [(w.commit.ts, 1, w) for w in events.reports]
    timeline.sort(key=lambda e: (e[0], e[1]))
    open_task: dict[str, FileWrite] = {}
    done: dict[str, list[Task]] = {}
    for _, is_report, write in timeline:
        if not is_report:
            open_task.setdefault(write.trinity, write)
        elif write.trinity in open_task:
            done.setdefault(write.trinity, []).append(Task(open_task.pop(write.trinity), write))
    for trinity, write in open_task.items():
        done.setdefault(trinity, []).append(Task(write, None))
    return done


def run(snapshot: RepoSnapshot) -> list[Finding]:
    profile = snapshot.profile
    limit = int(profile.thresholds.task_slow.total_seconds())
    findings = []
    for trinity, tasks in sorted(tasks_by_trinity(snapshot).items()):
        builder = profile.agent_label(f"{trinity}/{profile.builder}")
        current = tasks[-1] if tasks[-1].reported is None else None
        if current is not None and snapshot.now_ts - current.assigned.commit.ts > limit:
            summary = (
                f"{builder}'s current task was assigned "
                f"{evidence.ago(snapshot, current.assigned.commit.ts)} and has no report."
            )
            assigned = (evidence.write(current.assigned, snapshot, "assigned"),)
            findings.append(Finding(ID, CATEGORY, SEVERITY, summary, assigned))
        finished = [t for t in tasks if t.reported is not None][-RECENT:]
        slow = [t for t in finished if _duration(t) > limit]
        if slow:
            longest = max(_duration(t) for t in slow)
            summary = (
                f"{len(slow)} of {builder}'s last {len(finished)} tasks took longer than "
                f"{human_duration(profile.thresholds.task_slow)} (longest "
                f"{_span(longest)})."
            )
            proof = tuple(
                evidence.write(t.reported, snapshot, f"reported after {_span(_duration(t))}")
                for t in slow
                if t.reported is not None
            )
            findings.append(Finding(ID, CATEGORY, SEVERITY, summary, proof))
    return findings


def _span(seconds: int) -> str:
    return human_duration(timedelta(seconds=seconds))


def _duration(task: Task) -> int:
    end = task.reported.commit.ts if task.reported else task.assigned.commit.ts
    return end - task.assigned.commit.ts
