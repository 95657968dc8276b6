"""Every branch against the default branch: last activity, commits ahead and behind, and
whether the two share any history at all.

A full run asks git once per branch (``rev-list --left-right --boundary``, a few at a time).
A run that continues an earlier one on the default branch works most answers out from the
earlier ones and the commits added since: a branch that did not move, whose own commits
(when few, they are kept) are known, gains nothing but the new commits behind it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass

from lifebuoy.diagnostics.engine.git_types import Refs
from lifebuoy.diagnostics.engine.repo import Repo, divergence

KEEP = 100  # a branch's own commits kept by sha, to continue without asking git
_AT_ONCE = 8


@dataclass(frozen=True)
class BranchInfo:
    name: str
    sha: str
    last_ts: int  # author time of the branch's tip
    behind: int  # commits of the default branch the branch lacks
    ahead: int  # commits of the branch the default branch lacks
    related: bool  # False: no merge-base, an unrelated history
    ahead_shas: tuple[str, ...] | None  # the branch's own commits; None when above KEEP


@dataclass(frozen=True)
class Branches:
    default: str | None  # None: no default branch to compare with
    default_sha: str | None
    items: tuple[BranchInfo, ...] = ()


def default_branch(refs: Refs) -> str | None:
    if refs.head_branch is not None:
        return refs.head_branch
    return next((n for n in ("main", "master") if n in refs.branches), None)


def compared(refs: Refs, default: str) -> list[str]:
    """Local branches, and remote-tracking ones with no local branch of their name."""
    names = []
    for name in refs.branches:
        if name == default:
            continue
        if name not in refs.local:
            short = name.partition("/")[2]
            if short in refs.local or short == default:
                continue
        names.append(name)
    return names


def read_branches(
    repo: Repo, previous: Branches | None = None, added: Sequence[str] | None = None
) -> Branches:
    """``previous``: an earlier answer; ``added``: the commits the default branch gained
    since, newest first, a linear run on top of ``previous.default_sha`` (None: unknown)."""
    refs = repo.refs()
    default = default_branch(refs)
    if default is None:
        return Branches(None, None)
    base = refs.branches[default]
    known = {b.name: b for b in previous.items} if previous is not None else {}
    same_default = previous is not None and previous.default == default
    items: dict[str, BranchInfo] = {}
    unread = []
    for name in compared(refs, default):
        sha, ts = refs.branches[name], refs.times.get(name, 0)
        if sha == base:
            items[name] = BranchInfo(name, sha, ts, 0, 0, True, ())
            continue
        before = known.get(name) if same_default else None
        found = None
        if before is not None and before.sha == sha and previous is not None:
            found = _continue(before, previous.default_sha == base, added)
        if found is not None:
            items[name] = dataclasses.replace(found, last_ts=ts)
        else:
            unread.append(name)
    for start in range(0, len(unread), _AT_ONCE):
        batch = unread[start : start + _AT_ONCE]
        pending = [(n, repo.start_divergence(base, refs.branches[n])) for n in batch]
        for name, started in pending:
            with started:
                d = divergence(started, KEEP)
            sha, ts = refs.branches[name], refs.times.get(name, 0)
            items[name] = BranchInfo(name, sha, ts, d.behind, d.ahead, d.related, d.ahead_shas)
    order = compared(refs, default)
    return Branches(default, base, tuple(items[n] for n in order))


def _continue(
    before: BranchInfo, unchanged: bool, added: Sequence[str] | None
) -> BranchInfo | None:
    """The answer for a branch that did not move, from the default branch's new commits;
    None when it cannot be worked out (git is asked instead)."""
    if unchanged:
        return before
    if added is None:
        return None
    if before.sha in added:  # the default branch moved past the branch's tip
        return dataclasses.replace(before, behind=added.index(before.sha), ahead=0, ahead_shas=())
    if not before.related or before.ahead == 0:
        return dataclasses.replace(before, behind=before.behind + len(added))
    if before.ahead_shas is None:
        return None
    own = set(before.ahead_shas)
    taken = [s for s in added if s in own]  # its commits the default branch now has
    return dataclasses.replace(
        before,
        behind=before.behind + len(added) - len(taken),
        ahead=before.ahead - len(taken),
        ahead_shas=tuple(s for s in before.ahead_shas if s not in set(taken)),
    )
