"""Build a ``RepoSnapshot``: open the repository, stream its history, read its branch tips."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from lifebuoy.diagnostics.engine.attribution import Attributor
from lifebuoy.diagnostics.engine.branchinfo import read_branches
from lifebuoy.diagnostics.engine.collect import HistoryCollector
from lifebuoy.diagnostics.engine.git_types import GitObject, Upstream
from lifebuoy.diagnostics.engine.headers import message_pairs
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.repo import Repo
from lifebuoy.diagnostics.engine.snapshot import (
    CommitRef,
    FileWrite,
    HeaderHit,
    History,
    NotRead,
    PendingBranch,
    RepoSnapshot,
    TipFiles,
    UsageRecord,
)
from lifebuoy.diagnostics.engine.tipfiles import MAX_DOCUMENT_BYTES, read_tip_files

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
    tips, upstreams = resolve_tips(repo, profile, scope or Scope())
    snapshot, _ = build_full(
        repo,
        str(path),
        tips=tips,
        upstreams=upstreams,
        now=now,
        profile=profile,
        usage=usage,
        not_read=not_read,
        progress=progress,
    )
    return snapshot


def build_full(
    repo: Repo,
    path: str,
    *,
    tips: dict[str, str],
    upstreams: list[Upstream],
    now: datetime,
    profile: Profile,
    usage: list[UsageRecord] | None = None,
    not_read: list[NotRead] | None = None,
    progress: ProgressSink | None = None,
    track_edges: bool = False,
) -> tuple[RepoSnapshot, HistoryCollector | None]:
    """The whole history of ``tips``; the collector is returned for a state to be kept."""
    problems = list(not_read or [])
    revs = list(dict.fromkeys(tips.values()))
    history = History()
    collector = None
    if revs:
        collector = HistoryCollector(profile, int(now.timestamp()), track_edges=track_edges)
        advance = progress.advance if progress is not None else None
        history = collector.consume(repo.iter_log(revs), advance)
        if repo.log_error:
            problems.append(NotRead("part of the history", repo.log_error))
    else:
        problems.append(NotRead("history", "the repository has no commits yet"))
    if repo.is_shallow:
        problems.append(NotRead("history before the shallow boundary", "this is a shallow clone"))
    names = consolidation_names(history)
    messages = message_names(history)
    reads = consolidation_reads(history, names) + messages
    tip_files, objects = read_tip_files(repo, profile, tips, problems, extra=reads)
    snapshot = assemble(
        repo,
        path,
        now=now,
        profile=profile,
        tips=tips,
        upstreams=upstreams,
        history=history,
        tip_files=tip_files,
        usage=usage,
        problems=problems,
    )
    snapshot.consolidation_content = consolidation_kinds(profile, names, objects, history)
    snapshot.history_headers = header_hits(profile, messages, objects)
    snapshot.branches = read_branches(repo)
    if len(revs) > 1:
        snapshot.pending_branches, snapshot.off_branch = _pending_branches(
            repo, profile, tips, int(now.timestamp())
        )
    return snapshot, collector


def assemble(
    repo: Repo,
    path: str,
    *,
    now: datetime,
    profile: Profile,
    tips: dict[str, str],
    upstreams: list[Upstream],
    history: History,
    tip_files: TipFiles,
    usage: list[UsageRecord] | None,
    problems: list[NotRead],
) -> RepoSnapshot:
    return RepoSnapshot(
        path=path,
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
        upstreams=upstreams,
        usage=usage,
        not_read=list(dict.fromkeys(problems)),  # git may report one missing object twice
    )


def coordinator_branch(profile: Profile, tips: dict[str, str]) -> str:
    """The branch the coordinator works on: one named for it (``c1``, ``agent/c1``,
    ``coordinator``, its role name), else the first analysed branch (the current one)."""
    words = {profile.coordinator.lower(), "coordinator", profile.role_names[profile.coordinator]}
    named = re.compile(
        r"(?i)(?:^|[/_-])(?:" + "|".join(re.escape(w) for w in sorted(words)) + r")(?:$|[/_-])"
    )
    return next((name for name in tips if named.search(name)), next(iter(tips)))


def _pending_branches(
    repo: Repo, profile: Profile, tips: dict[str, str], now_ts: int
) -> tuple[list[PendingBranch], frozenset[str]]:
    """Reports that never reached the coordinator: commits on other branches that are not
    ancestors of the coordinator's branch tip and that report to it, by writing a report
    (a report channel, a hub input, a ``*_REPORT.md``, a sync log) or by their subject. Each
    report is listed once, under the first branch that holds it."""
    paths = PathClassifier(profile)
    attributor = Attributor(profile, paths)
    target = coordinator_branch(profile, tips)
    base = tips[target]
    coordinator = "/" + profile.coordinator
    listed: set[str] = set()
    inputs: set[str] = set()
    pending = []
    for name, sha in tips.items():
        if name == target or sha == base:
            continue
        branch = PendingBranch(name)
        unrelated = False
        for commit in repo.iter_log([sha, f"^{base}"]):
            unrelated = unrelated or not commit.parents  # a root the coordinator lacks
            if commit.author_time > now_ts:
                continue
            branch.commits += 1
            if commit.sha in listed:
                continue
            who = attributor.attribute(commit)
            if who.is_heartbeat:
                continue  # a daemon's sweep reports nothing
            ref = CommitRef(commit.sha, commit.author_time, commit.subject)
            if any(_is_input(paths, p) for p in commit.files):
                inputs.add(commit.sha)
            reports = [p for p in commit.files if _is_report(profile, paths, p)]
            by_agent = who.agent is not None and not who.agent.endswith(coordinator)
            if not reports and by_agent and profile.report_words.search(commit.subject):
                reports = [""]  # reported in the subject only
            for path in reports:
                trinity = paths.trinity_of(path) if path else profile.default_trinity
                write = FileWrite(path, ref, who.agent, who.method, trinity)
                branch.reports.add(ref.ts, write)
            if reports:
                listed.add(commit.sha)
        if branch.commits and not unrelated:  # an unrelated history is no work to merge
            branch.target = target
            pending.append(branch)
    return pending, frozenset(inputs)


def _is_input(paths: PathClassifier, path: str) -> bool:
    info = paths.classify(path)
    return (
        info is not None
        and not info.is_consolidation
        and (info.is_hub_input or info.kind in _REPORTS)
    )


def _is_report(profile: Profile, paths: PathClassifier, path: str) -> bool:
    return _is_input(paths, path) or any(p.search(path) for p in profile.report_files)


def consolidation_names(history: History) -> list[str]:
    """``<sha>:<path>`` of the consolidation writes kept, whose content tells real from not."""
    return [f"{w.commit.sha}:{w.path}" for w in history.events.consolidations]


def consolidation_reads(history: History, names: list[str]) -> list[str]:
    """The objects that tell what each consolidation write in ``names`` is: what it wrote,
    and the versions before the commit of the other paths it changed (a rename's source)."""
    wanted = {name.partition(":")[0] for name in names}
    sources = [
        f"{w.commit.sha}^:{w.path}"
        for w in history.events.consolidation_sources
        if w.commit.sha in wanted
    ]
    return [*names, *sources]


def consolidation_kinds(
    profile: Profile, names: list[str], objects: dict[str, GitObject | None], history: History
) -> dict[str, str]:
    """Tell real consolidations from placeholders and renames by what each commit wrote: a
    file that holds exactly what another path changed in the same commit held before is a
    rename (or a copy), which consolidates nothing."""
    sources: dict[str, list[str]] = {}
    for write in history.events.consolidation_sources:
        sources.setdefault(write.commit.sha, []).append(f"{write.commit.sha}^:{write.path}")
    kinds = {}
    for name in names:
        found = objects.get(name)
        if found is None:
            kinds[name] = "unavailable"
            continue
        before = (objects.get(n) for n in sources.get(name.partition(":")[0], ()))
        if any(b is not None and b.data == found.data for b in before):
            kinds[name] = "renamed"
            continue
        text = found.data.decode("utf-8", "replace")
        empty = not text.strip() or text.strip() in ("{}", "[]")
        placeholder = empty or any(p.search(text) for p in profile.placeholders)
        kinds[name] = "placeholder" if placeholder else "real"
    return kinds


def message_names(history: History) -> list[str]:
    """``<sha>:<path>`` of the channel writes whose headers are read: the latest ones only
    (``events.channel_messages``), so the cost is bounded whatever the history's length."""
    return [f"{w.commit.sha}:{w.path}" for w in history.events.channel_messages]


def header_hits(
    profile: Profile, names: list[str], objects: dict[str, GitObject | None]
) -> dict[str, tuple[HeaderHit, ...]]:
    """The messages in each channel write that pair agents outside ``allowed_pairs``."""
    allowed = profile.allowed_pairs
    hits = {}
    for name in names:
        found = objects.get(name)
        if found is None or found.kind != "blob" or len(found.data) > MAX_DOCUMENT_BYTES:
            continue
        path = name.partition(":")[2]
        text = found.data.decode("utf-8", "replace")
        forbidden = tuple(
            HeaderHit(a, b, ev.line or 0, ev.text)
            for (a, b), ev in message_pairs(path, text)
            if a != b and (a, b) not in allowed
        )
        if forbidden:
            hits[name] = forbidden
    return hits


def resolve_tips(
    repo: Repo, profile: Profile, scope: Scope
) -> tuple[dict[str, str], list[Upstream]]:
    """The branches to analyse (the current one first) and their upstreams, from one
    ``for-each-ref`` (plus a ``rev-parse`` for a named or detached revision)."""
    refs = repo.refs()
    if scope.branch:
        sha = repo.resolve(scope.branch)
        if sha is None:
            raise UnknownBranchError(
                f"There is no branch or commit named '{scope.branch}' in {repo.path}."
            )
        tips = {scope.branch: sha}
    else:
        every = scope.all_branches if scope.all_branches is not None else profile.scope != "branch"
        tips = {}
        if refs.head_branch is not None:
            tips[refs.head_branch] = refs.branches[refs.head_branch]
        else:
            head = repo.resolve("HEAD")
            if head:
                tips["HEAD"] = head
        if every:
            for name, sha in refs.branches.items():
                tips.setdefault(name, sha)
    return tips, [u for u in refs.upstreams if u.branch in tips]
