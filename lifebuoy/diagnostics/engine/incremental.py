"""Diagnose from an earlier run's state plus only the commits added since (monitoring polls).

``diagnose_with_state`` gives exactly the report a full run would give at the same reference
time; it reads ``git log OLD...NEW`` instead of the whole history when it safely can:

- the state was written by this version of the doctor, with the same profile and scope;
- one branch is analysed, before and after, and the old tip is an ancestor of the new one
  (``--left-right`` shows no commit only on the old side: nothing was force-pushed away);
- the new commits are a linear run (no merge), so in ``git log`` order they come right before
  the old history and every order-dependent rule continues where it stopped;
- the reference time did not go back and no commit dated after the previous one became due;
- no usage records are given (their 30-day counts are not kept).

Otherwise it runs in full and says why. Either way it returns the state for the next run.
The state shares objects with the report: encode it (``state_encode``) before running again.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from lifebuoy.diagnostics.engine.branchinfo import read_branches
from lifebuoy.diagnostics.engine.build import (
    ProgressSink,
    Scope,
    assemble,
    build_full,
    consolidation_kinds,
    consolidation_names,
    consolidation_reads,
    header_hits,
    message_names,
    resolve_tips,
)
from lifebuoy.diagnostics.engine.collect import HistoryCollector
from lifebuoy.diagnostics.engine.git_types import RawCommit, Upstream
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.repo import Repo
from lifebuoy.diagnostics.engine.runner import Report, run_checks
from lifebuoy.diagnostics.engine.snapshot import FileWrite, NotRead, RepoSnapshot, UsageRecord
from lifebuoy.diagnostics.engine.state import (
    EDGE_KEEP,
    STATE_VERSION,
    EngineState,
    no_gc,
    profile_fingerprint,
    prune_edges,
)
from lifebuoy.diagnostics.engine.tipfiles import read_tip_files, update_tip_files


@dataclass(frozen=True)
class StatefulReport:
    report: Report
    state: EngineState | None  # keep it for the next run; None when no state can be kept
    incremental: bool
    reason: str  # why the run was a full one ("" for an incremental run)
    new_commits: int | None  # commits read on top of the previous tip (incremental runs)


class _Fallback(Exception):
    """The new commits cannot be added to the state; the message says why."""


def scope_key(scope: Scope) -> str:
    return f"branch={scope.branch or ''};all={scope.all_branches}"


def diagnose_with_state(
    path: Path,
    *,
    now: datetime,
    profile: Profile,
    state: EngineState | None,
    scope: Scope | None = None,
    usage: list[UsageRecord] | None = None,
    progress: ProgressSink | None = None,
) -> StatefulReport:
    """Raises ``UnreadableRepositoryError`` or ``UnknownBranchError`` like ``diagnose``."""
    with no_gc():
        return _diagnose(
            path, now=now, profile=profile, state=state, scope=scope, usage=usage, progress=progress
        )


def _diagnose(
    path: Path,
    *,
    now: datetime,
    profile: Profile,
    state: EngineState | None,
    scope: Scope | None,
    usage: list[UsageRecord] | None,
    progress: ProgressSink | None,
) -> StatefulReport:
    scope = scope or Scope()
    repo = Repo.open(path)
    tips, upstreams = resolve_tips(repo, profile, scope)
    fingerprint = profile_fingerprint(profile)
    reason = _refusal(
        state,
        repo,
        fingerprint=fingerprint,
        scope=scope,
        now_ts=int(now.timestamp()),
        tips=tips,
        usage=usage,
    )
    if state is not None and not reason:
        try:
            return _resume(
                repo, str(path), state, now=now, profile=profile, tips=tips, ups=upstreams
            )
        except _Fallback as exc:
            reason = str(exc)
    snapshot, collector = build_full(
        repo,
        str(path),
        tips=tips,
        upstreams=upstreams,
        now=now,
        profile=profile,
        usage=usage,
        progress=progress,
        track_edges=True,
    )
    kept = None
    if collector is not None and len(tips) == 1 and not repo.log_error and not repo.is_shallow:
        kept = _state(
            snapshot,
            collector,
            fingerprint=fingerprint,
            scope=scope_key(scope),
            edges={},
            after_now=None,
        )
    return StatefulReport(Report(snapshot, run_checks(snapshot)), kept, False, reason, None)


def _refusal(
    state: EngineState | None,
    repo: Repo,
    *,
    fingerprint: str,
    scope: Scope,
    now_ts: int,
    tips: dict[str, str],
    usage: list[UsageRecord] | None,
) -> str:
    if state is None:
        return "there is no earlier state"
    if state.version != STATE_VERSION:
        return "the doctor's version changed"
    if state.profile != fingerprint:
        return "the profile changed"
    if state.scope != scope_key(scope):
        return "the branches to analyse changed"
    if usage is not None:
        return "usage records are judged on a full run"
    if len(tips) != 1 or len(state.tips) != 1:
        return "more than one branch is analysed"
    if repo.is_shallow:
        return "the repository is a shallow clone"
    if now_ts < state.now_ts:
        return "the reference time is earlier than the last run's"
    if state.after_now_min_ts is not None and state.after_now_min_ts <= now_ts:
        return "commits dated after the last run's reference time are now due"
    return ""


def _resume(
    repo: Repo,
    path: str,
    state: EngineState,
    *,
    now: datetime,
    profile: Profile,
    tips: dict[str, str],
    ups: list[Upstream],
) -> StatefulReport:
    now_ts = int(now.timestamp())
    old = next(iter(state.tips.values()))
    branch, new = next(iter(tips.items()))
    checked = set(message_names(state.history))  # before the new commits change the list
    collector = HistoryCollector(profile, now_ts, state.history, track_edges=True)
    new_commits = _NewCommits()
    if old != new:
        with closing(repo.iter_log([f"{old}...{new}"], left_right=True)) as log:
            collector.consume(new_commits.read(log))
        if repo.log_error:
            raise _Fallback(f"the new commits could not be read ({repo.log_error})")
    window = int(profile.thresholds.edit_collision_window.total_seconds())
    for file, write in collector.last_edits().items():
        if file not in state.edges and write.commit.ts <= state.edge_horizon + window:
            raise _Fallback(f"a new commit to {file} is older than the file history kept")
    collector.connect(state.edges)
    history = collector.history
    problems: list[NotRead] = []
    names = consolidation_names(history)
    unknown = [n for n in names if n not in state.consolidation_content]
    messages = message_names(history)
    unread = [n for n in messages if n not in checked]
    reads = consolidation_reads(history, unknown) + unread
    updated = update_tip_files(
        repo,
        profile,
        branch=branch,
        sha=new,
        previous=state.tip_files,
        changed=new_commits.changed,
        not_read=problems,
        extra=reads,
    )
    tip_files, objects = updated or read_tip_files(repo, profile, tips, problems, extra=reads)
    snapshot = assemble(
        repo,
        path,
        now=now,
        profile=profile,
        tips=tips,
        upstreams=ups,
        history=history,
        tip_files=tip_files,
        usage=None,
        problems=problems,
    )
    before = state.branches
    on_default = before.default == branch and before.default_sha == old
    snapshot.branches = read_branches(repo, before, new_commits.shas if on_default else None)
    fresh = consolidation_kinds(profile, unknown, objects, history)
    snapshot.consolidation_content = {
        n: state.consolidation_content.get(n) or fresh[n] for n in names
    }
    fresh_hits = header_hits(profile, unread, objects)
    snapshot.history_headers = {
        n: hits
        for n in messages
        if (hits := state.history_headers.get(n) or fresh_hits.get(n)) is not None
    }
    after_now = state.after_now_min_ts
    kept = _state(
        snapshot,
        collector,
        fingerprint=state.profile,
        scope=state.scope,
        edges=state.edges,
        after_now=after_now,
    )
    return StatefulReport(Report(snapshot, run_checks(snapshot)), kept, True, "", new_commits.count)


class _NewCommits:
    """The commits of ``OLD...NEW`` that are new, checking on the way that the old tip is an
    ancestor and that the new commits are linear; counts them and collects changed paths."""

    def __init__(self) -> None:
        self.changed: set[str] = set()
        self.count = 0
        self.shas: list[str] = []  # newest first

    def read(self, log: Iterable[RawCommit]) -> Iterator[RawCommit]:
        for commit in log:
            if not commit.sha.startswith(">"):
                raise _Fallback(
                    "the branch was rewritten: the last tip is no longer in its history"
                )
            if len(commit.parents) > 1:
                raise _Fallback("the new commits include a merge")
            self.changed.update(commit.files)
            self.count += 1
            self.shas.append(commit.sha[1:])
            yield commit._replace(sha=commit.sha[1:])


def _state(
    snapshot: RepoSnapshot,
    collector: HistoryCollector,
    *,
    fingerprint: str,
    scope: str,
    edges: dict[str, FileWrite],
    after_now: int | None,
) -> EngineState:
    now_ts = snapshot.now_ts
    horizon = now_ts - int(EDGE_KEEP.total_seconds())
    merged = {**edges, **(collector.first_edit or {})}
    candidates = [t for t in (after_now, collector.after_now_min_ts) if t is not None]
    return EngineState(
        profile=fingerprint,
        scope=scope,
        now_ts=now_ts,
        tips=dict(snapshot.tips),
        history=snapshot.history,
        edges=prune_edges(merged, horizon),
        edge_horizon=horizon,
        after_now_min_ts=min(candidates, default=None),
        tip_files=snapshot.tip_files,
        consolidation_content=dict(snapshot.consolidation_content),
        history_headers=dict(snapshot.history_headers),
        branches=snapshot.branches,
    )
