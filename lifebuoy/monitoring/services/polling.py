"""Polls: fetch the mirror, stop early when nothing moved, else run the doctor and record.

A poll with nothing new (no ref moved since the last poll) costs one fetch and a few queries:
agents whose last activity has aged past the offline threshold turn offline from the stored
states, without running the doctor. Checks that depend on time alone (C3 validating within
24 h, reports waiting for consolidation) are re-judged by a doctor run at least every
``FULL_RUN_EVERY`` even when nothing moved.

A doctor run continues from the engine state stored with the deployment's latest run and
reads only ``git log OLD...NEW`` (``diagnose_with_state``): the same report as reading the
whole history, at the cost of the new commits. The engine reads everything again when it
must (a force-push, a merge among the new commits, another profile or doctor version) and the
run records why. The state is written behind: a worker keeps the state of the deployments it
polled last in memory and stores it with a run after a full run, every ``STORE_STATE_COMMITS``
commits or ``STORE_STATE_EVERY``; a poll in another process continues from the stored one
(older, so it reads more commits, with the same result). Only one run per deployment keeps a
stored state. That state is looked up, and decoded when needed, while the mirror fetches.

Scheduled polls run anywhere: the ``poll_due_deployments`` task claims the due deployments and
queues one poll task each. A repository that cannot be fetched for
``LIFEBUOY_MONITORING_UNREACHABLE_MINUTES`` becomes a problem of its own, and its agents
"not monitored" until a poll reads it again.
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Q

from lifebuoy.diagnostics.engine.build import Scope
from lifebuoy.diagnostics.engine.checks.consolidation_time import latest_wait
from lifebuoy.diagnostics.engine.git_types import GitError
from lifebuoy.diagnostics.engine.incremental import StatefulReport, diagnose_with_state
from lifebuoy.diagnostics.engine.profiles import Profile, load_profile
from lifebuoy.diagnostics.engine.report import to_json
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.state import (
    EngineState,
    StateError,
    state_decode,
    state_encode,
)
from lifebuoy.diagnostics.engine.timeutil import parse_instant
from lifebuoy.monitoring.mirror import (
    MirrorError,
    count_new_commits,
    mirror_location,
    mirror_sync_while,
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
from lifebuoy.monitoring.selectors import deployment_list_due
from lifebuoy.monitoring.services.agents import (
    ObservedAgent,
    agents_age,
    agents_record,
    agents_unmonitored,
)
from lifebuoy.monitoring.services.common import require_consent
from lifebuoy.monitoring.services.problems import (
    Detected,
    problems_detect,
    problems_reconcile,
    unreachable_detected,
)
from lifebuoy.monitoring.services.usage import budget_evaluate

logger = logging.getLogger(__name__)
FULL_RUN_EVERY = timedelta(hours=6)
DISPATCH_LIMIT = 2000  # deployments claimed per dispatch (one a minute on the beat schedule)
REPO_KINDS = {k for k in ProblemKind.values if k != ProblemKind.BUDGET}
STATE_CACHE_SIZE = 16
# A poll in another worker continues from the stored state and reads every commit since it
# (about 0.1 ms each); writing the state costs about 25 ms at 20,000 commits of history.
STORE_STATE_COMMITS = 500
STORE_STATE_EVERY = FULL_RUN_EVERY
# deployment id -> (id of the run that stored the state, the decoded state). A state is taken
# out while a run continues from it (the run changes it) and put back by the run that wins.
_states: OrderedDict[int, tuple[int, EngineState]] = OrderedDict()


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


def _scope(deployment: Deployment) -> Scope:
    """The deployment's branch, every branch, or (neither set) what the profile says."""
    if deployment.branch:
        return Scope(branch=deployment.branch)
    return Scope(all_branches=True if deployment.all_branches else None)


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
        deployment=deployment,
        detected=detected,
        scope={ProblemKind.AGENT_OFFLINE, ProblemKind.REPO_UNREACHABLE},
        now=now,
    )
    _mark_polled(deployment, now, last_poll_error="", failing_since=None)
    return PollResult("unchanged", None, changes, opened, cleared)


@dataclass(frozen=True)
class _Stored:
    """The latest run that stored a state: when, and how many commits it had read."""

    run_id: int
    created_at: datetime
    commits_read: int


def _stored_state(deployment: Deployment) -> _Stored | None:
    row = (
        DoctorRun.objects.filter(deployment=deployment, engine_state__isnull=False)
        .order_by("-created_at", "-id")
        .values_list("id", "created_at", "commits_read")
        .first()
    )
    return _Stored(*row) if row is not None else None


@dataclass(frozen=True)
class _Prior:
    """What a doctor run would continue from, looked up while the mirror fetches."""

    stored: _Stored | None
    state: EngineState | None  # held in this process's memory until a run takes it
    complete: bool  # False when decoding the stored state was put off


def _prior(deployment: Deployment, *, decode: bool) -> _Prior:
    """The state after the deployment's latest run: from this process's memory when this
    process made that run (or already decoded the stored one), else the one stored in the
    database (possibly a few runs older, which only means more commits to read) when
    ``decode``. None when there is none or it is unusable."""
    stored = _stored_state(deployment)
    cached = _states.get(deployment.id)
    if cached is not None:
        latest = DoctorRun.objects.filter(deployment=deployment).values_list("id", flat=True)
        if cached[0] in (latest.first(), stored.run_id if stored else None):
            return _Prior(stored, cached[1], complete=True)
    if stored is None or not decode:
        return _Prior(stored, None, complete=stored is None)
    blob = DoctorRun.objects.filter(id=stored.run_id).values_list("engine_state", flat=True)
    data = blob.first()
    if data is None:  # cleared by a concurrent poll since
        return _Prior(stored, None, complete=True)
    try:
        state = state_decode(bytes(data))
    except StateError:
        logger.warning("Deployment %s: the stored doctor state is unusable", deployment.id)
        return _Prior(stored, None, complete=True)
    _keep_state(deployment.id, stored.run_id, state)  # decoded once per process
    return _Prior(stored, state, complete=True)


def _take(deployment: Deployment, prior: _Prior) -> EngineState | None:
    """Take the state out of memory for a run that changes it; None if another run in this
    process took it first (the run then reads from the stored state)."""
    if prior.state is None:
        return None
    cached = _states.pop(deployment.id, None)
    return prior.state if cached is not None and cached[1] is prior.state else None


def _speculate(deployment: Deployment) -> bool:
    """Whether to decode a stored state before knowing whether anything moved: when the last
    poll found new commits, this one most likely will too."""
    last = deployment.last_full_run_at
    return last is not None and last == deployment.last_polled_at


def _should_store(result: StatefulReport, stored: _Stored | None, now: datetime) -> bool:
    """Write the state behind: after a full run, then once enough commits or time passed.
    Between, polls in this process continue from memory and others from the stored one."""
    if result.state is None:
        return False
    if not result.incremental or stored is None:
        return True
    behind = result.report.snapshot.history.commits_read - stored.commits_read
    return behind >= STORE_STATE_COMMITS or now - stored.created_at >= STORE_STATE_EVERY


def _keep_state(deployment_id: int, run_id: int, state: EngineState | None) -> None:
    """Remember the state after run ``run_id`` (the most recently used are kept)."""
    if state is None:
        return
    _states[deployment_id] = (run_id, state)
    _states.move_to_end(deployment_id)
    while len(_states) > STATE_CACHE_SIZE:
        _states.popitem(last=False)


@transaction.atomic
def _store_run(
    deployment: Deployment,
    *,
    profile: Profile,
    result: StatefulReport,
    head: str,
    new_commits: int,
    elapsed_ms: int,
    now: datetime,
    store_state: bool,
) -> tuple[DoctorRun, int]:
    """The run with the doctor's JSON (and state when ``store_state``; older runs then give
    theirs up), new task assignments and agent status changes."""
    report = result.report
    data = to_json(report)
    run = DoctorRun.objects.create(
        deployment=deployment,
        created_at=now,
        head_commit=head,
        new_commits=new_commits,
        commits_read=report.snapshot.history.commits_read,
        git_size_bytes=report.snapshot.git_size,
        consolidation_seconds=latest_wait(report.snapshot),
        worst=data["summary"]["worst"] or "",
        duration_ms=elapsed_ms,
        report=data,
        is_incremental=result.incremental,
        full_run_reason=result.reason[:200],
        engine_state=state_encode(result.state) if store_state and result.state else None,
    )
    if run.engine_state is not None:
        DoctorRun.objects.filter(deployment=deployment, engine_state__isnull=False).exclude(
            id=run.id
        ).update(engine_state=None)
    _record_tasks(deployment, report.snapshot)
    changes = agents_record(
        deployment=deployment,
        seen=_observed(data),
        threshold=profile.thresholds.agent_offline,
        now=now,
    )
    return run, changes


def _full_poll(
    deployment: Deployment,
    profile: Profile,
    head: str,
    digest: str,
    now: datetime,
    *,
    prior: _Prior,
) -> PollResult:
    location = _location(deployment)
    started = time.perf_counter()
    if not prior.complete:
        prior = _prior(deployment, decode=True)
    state = _take(deployment, prior)
    if state is None and prior.state is not None:
        prior = _prior(deployment, decode=True)
        state = _take(deployment, prior)
    stored = prior.stored
    old_tip = next(iter(state.tips.values()), "") if state is not None else ""
    result = diagnose_with_state(
        Path(mirrors_root() / location),
        now=now,
        profile=profile,
        state=state,
        scope=_scope(deployment),
    )
    if deployment.branch:  # the analysed branch's tip, not the mirror's HEAD
        head = result.report.snapshot.tips.get(deployment.branch, head)
    if result.new_commits is not None and old_tip == deployment.last_polled_commit:
        new_commits = result.new_commits  # the engine counted them: no rev-list needed
    else:
        new_commits = count_new_commits(
            location=location, head=head, since=deployment.last_polled_commit
        )
    elapsed = int((time.perf_counter() - started) * 1000)
    run, changes = _store_run(
        deployment,
        profile=profile,
        result=result,
        head=head,
        new_commits=new_commits,
        elapsed_ms=elapsed,
        now=now,
        store_state=_should_store(result, stored, now),
    )
    _keep_state(deployment.id, run.id, result.state)
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
        failing_since=None,
    )
    return PollResult("diagnosed", run, changes, opened, cleared)


def deployment_poll(*, deployment: Deployment, now: datetime, force: bool = False) -> PollResult:
    """Fetch and, when something moved (or ``force``), diagnose. Refuses without consent."""
    require_consent(deployment)
    try:
        profile = _profile(deployment.profile)
        decode = force or _speculate(deployment)
        state, prior = mirror_sync_while(
            repository=deployment.repository,
            location=_location(deployment),
            work=lambda: _prior(deployment, decode=decode),
        )
        stale = deployment.last_full_run_at is None or (
            now - deployment.last_full_run_at >= FULL_RUN_EVERY
        )
        # After failed polls the doctor runs even if nothing moved: the agents' statuses were
        # left unknown and only a run can time them again from the git evidence.
        recovering = deployment.failing_since is not None
        if state.refs_digest == deployment.last_refs_digest and not (stale or force or recovering):
            return _cheap_poll(deployment, profile, now)
        return _full_poll(deployment, profile, state.head, state.refs_digest, now, prior=prior)
    except MirrorError as exc:
        return _unreachable_poll(deployment, now, str(exc))
    except (GitError, ValueError) as exc:
        _mark_polled(deployment, now, last_poll_error=str(exc)[:2000])
        return PollResult("failed", error=str(exc))


def _unreachable_poll(deployment: Deployment, now: datetime, error: str) -> PollResult:
    """The repository could not be cloned or fetched. Once that has lasted
    ``LIFEBUOY_MONITORING_UNREACHABLE_MINUTES``, it is a problem with a ticket: a deployment
    nobody can see is not being monitored."""
    since = deployment.failing_since or now
    _mark_polled(deployment, now, last_poll_error=error[:2000], failing_since=since)
    opened: list[Problem] = []
    changes = 0
    if now - since >= timedelta(minutes=settings.LIFEBUOY_MONITORING_UNREACHABLE_MINUTES):
        changes = agents_unmonitored(deployment=deployment, since=since, now=now)
        detected: dict[str, Detected] = {
            ProblemKind.REPO_UNREACHABLE: unreachable_detected(since=since, error=error)
        }
        opened, _ = problems_reconcile(
            deployment=deployment,
            detected=detected,
            scope={ProblemKind.REPO_UNREACHABLE},
            now=now,
        )
    return PollResult("failed", status_changes=changes, opened=opened, error=error)


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


def poll_due_deployments_inline(
    *, now: datetime, batch_size: int = 20, deadline_seconds: float = 240
) -> int:
    """Poll up to ``batch_size`` due deployments with consent in this process, one after another,
    stopping at the deadline (``manage.py monitoring_poll``; workers use the
    ``poll_due_deployments`` task, which queues each claimed poll for any worker)."""
    started = time.monotonic()
    due = deployment_list_due(now=now, limit=batch_size)
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
