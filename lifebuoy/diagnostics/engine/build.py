"""Build a ``RepoSnapshot``: open the repository, stream its history, read its branch tips."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from lifebuoy.diagnostics.engine.collect import HistoryCollector
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.repo import Repo
from lifebuoy.diagnostics.engine.snapshot import (
    CommitRef,
    FileWrite,
    History,
    NotRead,
    PendingBranch,
    RepoSnapshot,
    UsageRecord,
)
from lifebuoy.diagnostics.engine.tipfiles import read_tip_files

_REPORTS = ("report", "validation_report")


class UnknownBranchError(ValueError):
    """``--branch`` named something that is not a commit in the repository."""


class ProgressSink(Protocol):
    def advance(self, done: int) -> None:
        """Called with the number of commits read so far, every few thousand commits."""


@dataclass(frozen=True)
class Scope:
    branch: str | None = None
    all_branches: bool | None = None  # None: the profile decides


def build_snapshot(
    path: Path,
    *,
    now: datetime,
    profile: Profile,
    scope: Scope | None = None,
    usage: list[UsageRecord] | None = None,
    not_read: list[NotRead] | None = None,
    progress: ProgressSink | None = None,
) -> RepoSnapshot:
    """Raises ``UnreadableRepositoryError`` or ``UnknownBranchError``; reports the rest."""
    repo = Repo.open(path)
    problems = list(not_read or [])
    tips = _tips(repo, profile, scope or Scope())
    revs = list(dict.fromkeys(tips.values()))
    history = History()
    if revs:
        collector = HistoryCollector(profile, int(now.timestamp()))
        advance = progress.advance if progress is not None else None
        history = collector.consume(repo.iter_log(revs), advance)
        if repo.log_error:
            problems.append(NotRead("part of the history", repo.log_error))
    else:
        problems.append(NotRead("history", "the repository has no commits yet"))
    if repo.is_shallow:
        problems.append(NotRead("history before the shallow boundary", "this is a shallow clone"))
    tip_files = read_tip_files(repo, profile, tips, problems)
    snapshot = RepoSnapshot(
        path=str(path),
        now=now,
        profile=profile,
        refs=list(tips),
        tips=tips,
        is_bare=repo.is_bare,
        is_shallow=repo.is_shallow,
        has_work_tree=repo.work_tree is not None,
        history=history,
        tip_files=tip_files,
        unmerged_paths=repo.unmerged_paths(),
        git_size=repo.git_dir_size(),
        upstreams=[u for u in repo.upstreams() if u.branch in tips],
        usage=usage,
        not_read=list(dict.fromkeys(problems)),  # git may report one missing object twice
    )
    snapshot.consolidation_content = _consolidation_content(repo, profile, history)
    if len(revs) > 1:
        snapshot.pending_branches = _pending_branches(repo, profile, tips, int(now.timestamp()))
    return snapshot


def _pending_branches(
    repo: Repo, profile: Profile, tips: dict[str, str], now_ts: int
) -> list[PendingBranch]:
    """Reports on branches not merged into the first (current) branch wait for consolidation."""
    paths = PathClassifier(profile)
    primary = next(iter(tips.values()))
    pending = []
    for name, sha in list(tips.items())[1:]:
        if sha == primary:
            continue
        branch = PendingBranch(name)
        for commit in repo.iter_log([sha, f"^{primary}"]):
            if commit.author_time > now_ts:
                continue
            branch.commits += 1
            ref = CommitRef(commit.sha, commit.author_time, commit.subject)
            for path in commit.files:
                info = paths.classify(path)
                if info is not None and (info.is_hub_input or info.kind in _REPORTS):
                    write = FileWrite(path, ref, None, "branch", info.trinity)
                    branch.reports.add(ref.ts, write)
        if branch.commits:
            pending.append(branch)
    return pending


def _consolidation_content(repo: Repo, profile: Profile, history: History) -> dict[str, str]:
    """Tell real consolidations from placeholders by reading what each commit wrote."""
    names = [f"{w.commit.sha}:{w.path}" for w in history.events.consolidations]
    blobs = repo.read_blobs(names)
    kinds = {}
    for name in names:
        blob = blobs.get(name)
        if blob is None:
            kinds[name] = "unavailable"
            continue
        text = blob.decode("utf-8", "replace")
        empty = not text.strip() or text.strip() in ("{}", "[]")
        placeholder = empty or any(p.search(text) for p in profile.placeholders)
        kinds[name] = "placeholder" if placeholder else "real"
    return kinds


def _tips(repo: Repo, profile: Profile, scope: Scope) -> dict[str, str]:
    if scope.branch:
        sha = repo.resolve(scope.branch)
        if sha is None:
            raise UnknownBranchError(
                f"There is no branch or commit named '{scope.branch}' in {repo.path}."
            )
        return {scope.branch: sha}
    every = scope.all_branches if scope.all_branches is not None else profile.scope != "branch"
    head = repo.resolve("HEAD")
    current = repo.current_branch() or "HEAD"
    tips: dict[str, str] = {current: head} if head else {}
    if every:
        for name, sha in repo.branch_tips().items():
            tips.setdefault(name, sha)
    return tips
