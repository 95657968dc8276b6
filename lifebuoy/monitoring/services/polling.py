"""Polls: fetch the mirror, stop early when nothing moved, else run the doctor and record.

A poll with nothing new (no ref moved since the last poll) costs one fetch and a few queries:
agents whose last activity has aged past the offline threshold turn offline from the stored
states, without running the doctor. Checks that depend on time alone (C3 validating within
24 h, reports waiting for consolidation) are re-judged by a full run at least every
``FULL_RUN_EVERY`` even when nothing moved.

The doctor reads the mirror's whole history on each full run (the engine has no incremental
mode); "only new commits" is realised by the early stop, and by recording only changes.
"""

from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import transaction
from django.db.models import Q

from lifebuoy.diagnostics.engine.profiles import Profile, load_profile
from lifebuoy.diagnostics.engine.repo import GitError
from lifebuoy.diagnostics.engine.report import to_json
from lifebuoy.diagnostics.engine.runner import Report, diagnose
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import parse_instant
from lifebuoy.monitoring.mirror import (
    MirrorError,
    count_new_commits,
    mirror_location,
    mirror_sync,
    mirrors_root,
)
from lifebuoy.monitoring.models import (
    AgentState,
    AgentStatus,
    AgentTask,
    Deployment,
    DoctorRun,
    Problem,
    ProblemKind,
)
from lifebuoy.monitoring.services.agents import ObservedAgent, agents_age, agents_record
from lifebuoy.monitoring.services.deployments import require_consent
from lifebuoy.monitoring.services.problems import Detected, problems_detect, problems_reconcile
from lifebuoy.monitoring.services.usage import budget_evaluate

logger = logging.getLogger(__name__)
FULL_RUN_EVERY = timedelta(hours=6)
REPO_KINDS = {k for k in ProblemKind.values if k != ProblemKind.BUDGET}


@dataclass
class PollResult:
    outcome: str  # "diagnosed" | "unchanged" | "failed"
    run: DoctorRun | None = None
    status_changes: int = 0
    opened: list[Problem] = field(default_factory=list)
    cleared: list[Problem] = field(default_factory=list)
    error: str = ""


@lru_cache(maxsize=64)
def _profile(name: str) -> Profile:
    return load_profile(name)


def _location(deployment: Deployment) -> str:
    return deployment.mirror_path or mirror_location(deployment_id=deployment.id)


def _mark_polled(deployment: Deployment, now: datetime, **fields: Any) -> None:
    values = {
        "last_polled_at": now,
        "next_poll_at": now + timedelta(seconds=deployment.poll_interval_seconds),
        **fields,
    }
    Deployment.objects.filter(id=deployment.id).update(**values)
    for name, value in values.items():
        setattr(deployment, name, value)


def _observed(data: dict[str, Any]) -> list[ObservedAgent]:
    return [
        ObservedAgent(
            agent=a["id"],
            label=a["label"],
            status=a["status"],
            last_seen_at=parse_instant(a["last_seen"]) if a["last_seen"] else None,
        )
        for a in data["agents"]
    ]


def _offline_labels(deployment: Deployment) -> list[str]:
    states = AgentState.objects.filter(deployment=deployment, status=AgentStatus.OFFLINE)
    return [s.label or s.agent for s in states]


def _consolidation_seconds(snapshot: RepoSnapshot) -> int | None:
    """How long the latest real consolidation waited after its last input."""
    events = snapshot.history.events
    kinds = snapshot.consolidation_content
    real = [
        w.commit for w in events.consolidations if kinds.get(f"{w.commit.sha}:{w.path}") == "real"
    ]
    real.extend(events.consolidation_merges)
    if not real:
        return None
    ordered = sorted({c.sha: c for c in real}.values(), key=lambda c: c.ts)
    last = ordered[-1]
    previous = ordered[-2].ts if len(ordered) > 1 else -1
    inputs = sorted(w.commit.ts for w in events.inputs)
    lo, hi = bisect.bisect_right(inputs, previous), bisect.bisect_right(inputs, last.ts)
    return last.ts - inputs[hi - 1] if hi > lo else None


def _record_tasks(deployment: Deployment, snapshot: RepoSnapshot) -> None:
    """Store assignments from the newest one already stored on (the doctor keeps the last
    2,000, so a first run records at most that many)."""
    newest = (
        AgentTask.objects.filter(deployment=deployment)
        .order_by("-assigned_at")
        .values_list("assigned_at", flat=True)
        .first()
    )
    since = int(newest.timestamp()) if newest else None
    AgentTask.objects.bulk_create(
        [
            AgentTask(
                deployment=deployment, commit=w.commit.sha, path=w.path, assigned_at=w.commit.at
            )
            for w in snapshot.history.events.assignments
            if since is None or w.commit.ts >= since
        ],
        ignore_conflicts=True,
    )


def _cheap_poll(deployment: Deployment, profile: Profile, now: datetime) -> PollResult:
    changes = agents_age(deployment=deployment, threshold=profile.thresholds.agent_offline, now=now)
    offline = _offline_labels(deployment)
    detected = problems_detect([], offline)
    opened, cleared = problems_reconcile(
        deployment=deployment, detected=detected, scope={ProblemKind.AGENT_OFFLINE}, now=now
    )
    _mark_polled(deployment, now, last_poll_error="")
    return PollResult("unchanged", None, changes, opened, cleared)


@transaction.atomic
def _store_run(
    deployment: Deployment,
    *,
    profile: Profile,
    report: Report,
    head: str,
    new_commits: int,
    elapsed_ms: int,
    now: datetime,
) -> tuple[DoctorRun, int]:
    """The run with the doctor's JSON, new task assignments and agent status changes."""
    data = to_json(report)
    run = DoctorRun.objects.create(
        deployment=deployment,
        created_at=now,
        head_commit=head,
        new_commits=new_commits,
        commits_read=report.snapshot.history.commits_read,
        git_size_bytes=report.snapshot.git_size,
        consolidation_seconds=_consolidation_seconds(report.snapshot),
        worst=data["summary"]["worst"] or "",
        duration_ms=elapsed_ms,
        report=data,
    )
    _record_tasks(deployment, report.snapshot)
    changes = agents_record(
        deployment=deployment,
        seen=_observed(data),
        threshold=profile.thresholds.agent_offline,
        now=now,
    )
    return run, changes


def _full_poll(
    deployment: Deployment, profile: Profile, head: str, digest: str, now: datetime
) -> PollResult:
    location = _location(deployment)
    started = time.perf_counter()
    report = diagnose(Path(mirrors_root() / location), now=now, profile=profile)
    new_commits = count_new_commits(
        location=location, head=head, since=deployment.last_polled_commit
    )
    elapsed = int((time.perf_counter() - started) * 1000)
    run, changes = _store_run(
        deployment,
        profile=profile,
        report=report,
        head=head,
        new_commits=new_commits,
        elapsed_ms=elapsed,
        now=now,
    )
    findings = run.report["findings"]
    detected: dict[str, Detected] = problems_detect(findings, _offline_labels(deployment))
    opened, cleared = problems_reconcile(
        deployment=deployment, detected=detected, scope=REPO_KINDS, now=now
    )
    budget_evaluate(deployment=deployment, now=now)
    _mark_polled(
        deployment,
        now,
        last_polled_commit=head,
        last_refs_digest=digest,
        last_full_run_at=now,
        last_poll_error="",
    )
    return PollResult("diagnosed", run, changes, opened, cleared)


def deployment_poll(*, deployment: Deployment, now: datetime, force: bool = False) -> PollResult:
    """Fetch and, when something moved (or ``force``), diagnose. Refuses without consent."""
    require_consent(deployment)
    try:
        state = mirror_sync(repository=deployment.repository, location=_location(deployment))
        profile = _profile(deployment.profile)
        stale = deployment.last_full_run_at is None or (
            now - deployment.last_full_run_at >= FULL_RUN_EVERY
        )
        if state.refs_digest == deployment.last_refs_digest and not stale and not force:
            return _cheap_poll(deployment, profile, now)
        return _full_poll(deployment, profile, state.head, state.refs_digest, now)
    except (MirrorError, GitError, ValueError) as exc:
        _mark_polled(deployment, now, last_poll_error=str(exc)[:2000])
        return PollResult("failed", error=str(exc))


def deployment_due_claim(*, deployment: Deployment, now: datetime) -> bool:
    """Take a due deployment for this worker: the conditional update lets one worker win, and
    fails if consent was withdrawn since the deployment was listed."""
    due = (
        Q(next_poll_at__isnull=True)
        if deployment.next_poll_at is None
        else Q(next_poll_at=deployment.next_poll_at)
    )
    lease = now + timedelta(seconds=deployment.poll_interval_seconds)
    claimed = Deployment.objects.filter(due, id=deployment.id, has_read_consent=True)
    return claimed.update(next_poll_at=lease) == 1


def poll_due_deployments(
    *, now: datetime, batch_size: int = 20, deadline_seconds: float = 240
) -> int:
    """Poll up to ``batch_size`` due deployments with consent, stopping at the deadline."""
    started = time.monotonic()
    due = (
        Deployment.objects.filter(is_active=True, has_read_consent=True)
        .filter(Q(next_poll_at__isnull=True) | Q(next_poll_at__lte=now))
        .select_related("organization", "owner")
        .order_by("next_poll_at", "id")[:batch_size]
    )
    polled = 0
    for deployment in due:
        if time.monotonic() - started > deadline_seconds:
            break
        if not deployment_due_claim(deployment=deployment, now=now):
            continue
        try:
            deployment_poll(deployment=deployment, now=now)
        except Exception:  # one broken deployment must not starve the others
            logger.exception("Polling deployment %s failed", deployment.id)
        polled += 1
    return polled
