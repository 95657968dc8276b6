"""What the doctor knows about a repository: a bounded summary, never the whole history.

Memory stays flat in the number of commits: per-agent and per-file state plus a few
"most recent N" event lists. Checks are pure functions of a ``RepoSnapshot``.
"""

from __future__ import annotations

import heapq
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from itertools import pairwise
from operator import itemgetter
from typing import Any, Generic, NamedTuple, TypeVar

from lifebuoy.diagnostics.engine.branchinfo import Branches
from lifebuoy.diagnostics.engine.git_types import Upstream
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.timeutil import from_epoch

T = TypeVar("T")
_third = itemgetter(2)


class CommitRef(NamedTuple):
    sha: str
    ts: int  # author date, seconds since the epoch (UTC)
    subject: str

    @property
    def at(self) -> datetime:
        return from_epoch(self.ts)

    @property
    def short(self) -> str:
        return self.sha[:10]


class FileWrite(NamedTuple):
    """A commit that wrote a coordination file, with who wrote it as far as we can tell."""

    path: str
    commit: CommitRef
    writer: str | None
    method: str
    trinity: str


@dataclass(frozen=True, slots=True)
class Collision:
    path: str
    first: FileWrite
    second: FileWrite


class Recent(Generic[T]):
    """The ``limit`` most recent items by author time, plus a count of all items seen.

    Items are ordered by ``(ts, key(item))``, where the key names the item uniquely (a commit
    and a path). The order is total, so what is kept does not depend on the order items
    arrive in: a history read in one pass and the same history read in two parts (an earlier
    run's state plus the new commits) keep the same items.
    """

    def __init__(self, limit: int, key: Callable[[T], tuple[str, ...]]) -> None:
        self.limit = limit
        self.key = key
        self.total = 0
        self._heap: list[tuple[int, tuple[str, ...], T]] = []
        # The order is kept between runs: the entries as last sorted, plus those added since.
        # Every entry that left the heap is older than every entry in it, so the kept ones are
        # the newest ``len(heap)`` of the two merged (a linear merge, not a sort of all).
        self._entries: list[tuple[int, tuple[str, ...], T]] | None = []
        self._pending: list[tuple[int, tuple[str, ...], T]] = []
        self._items: list[T] | None = []

    def add(self, ts: int, item: T) -> None:
        self.total += 1
        heap = self._heap
        if len(heap) < self.limit:
            entry = (ts, self.key(item), item)
            heapq.heappush(heap, entry)
        elif ts >= heap[0][0]:
            key = self.key(item)
            if (ts, key) <= heap[0][:2]:
                return
            entry = (ts, key, item)
            heapq.heapreplace(heap, entry)
        else:
            return
        self._items = None
        if self._entries is not None:
            self._pending.append(entry)
            if len(self._pending) > self.limit:  # cheaper to sort the heap when asked
                self._entries, self._pending = None, []

    def kept(self) -> list[T]:
        """The items kept, oldest first (for saving: restored in this order, they need no
        sorting)."""
        return self.items()

    def restore(self, total: int, items: list[tuple[int, T]]) -> None:
        """Refill from a saved state: ``total`` items seen, ``items`` those kept (in any
        order; oldest first is cheapest, a sorted list being a heap already)."""
        key = self.key
        entries = [(ts, key(item), item) for ts, item in items]
        in_order = all(a[:2] < b[:2] for a, b in pairwise(entries))
        self._heap = entries
        self.total = total
        if in_order:
            self._entries, self._pending = list(entries), []
            self._items = list(map(_third, entries))
        else:
            heapq.heapify(self._heap)
            self._entries, self._pending, self._items = None, [], None

    def _in_order(self) -> list[T]:
        if self._items is None:
            if self._entries is None:
                entries = sorted(self._heap)
            else:
                merged = sorted(self._entries + self._pending)
                entries = merged[len(merged) - len(self._heap) :]
            self._entries, self._pending = entries, []
            self._items = list(map(_third, entries))
        return self._items

    def items(self) -> list[T]:
        """Oldest first. (ts, key) pairs are unique, so sorting never compares items."""
        return list(self._in_order())

    def __iter__(self) -> Iterator[T]:
        return iter(self.items())  # a copy: adding while iterating is safe

    def __len__(self) -> int:
        return len(self._heap)

    @property
    def truncated(self) -> bool:
        return self.total > len(self._heap)


def commit_key(ref: CommitRef) -> tuple[str, ...]:
    return (ref.sha,)


def write_key(write: FileWrite) -> tuple[str, ...]:
    return (write.commit.sha, write.path)


def collision_key(collision: Collision) -> tuple[str, ...]:
    return (collision.second.commit.sha, collision.path, collision.first.commit.sha)


def later(ref: CommitRef, than: CommitRef | None) -> bool:
    """``ref`` is more recent than ``than``: by author time, then by sha for equal times."""
    return than is None or ref.ts > than.ts or (ref.ts == than.ts and ref.sha > than.sha)


def earlier(ref: CommitRef, than: CommitRef | None) -> bool:
    return than is None or ref.ts < than.ts or (ref.ts == than.ts and ref.sha < than.sha)


def _writes(limit: int) -> Recent[FileWrite]:
    return Recent(limit, write_key)


def _commits(limit: int) -> Recent[CommitRef]:
    return Recent(limit, commit_key)


@dataclass
class AgentActivity:
    agent: str
    last: CommitRef | None = None
    method: str | None = None
    first_ts: int | None = None
    commits: int = 0
    recent_commits: int = 0  # in the 30 days before the reference time


@dataclass
class MachineActivity:
    machine: str
    last: CommitRef | None = None
    last_heartbeat: CommitRef | None = None
    heartbeats: int = 0
    commits: int = 0


@dataclass
class ChannelState:
    path: str
    trinity: str
    kind: str
    sender: str
    addressee: str
    last: FileWrite
    first: FileWrite
    writes: int = 0
    foreign: Recent[FileWrite] = field(default_factory=lambda: _writes(20))


@dataclass
class PendingBranch:
    """A branch with commits the analysed main branch does not contain."""

    name: str
    commits: int = 0
    reports: Recent[FileWrite] = field(default_factory=lambda: _writes(10))
    target: str = ""  # the coordinator's branch the commits are missing from


@dataclass(frozen=True)
class NotRead:
    what: str
    reason: str


@dataclass(frozen=True)
class MarkerHit:
    rev: str
    path: str
    line: int
    text: str


class HeaderHit(NamedTuple):
    """A message in a version of a channel file that pairs agents who must not talk."""

    sender: str
    addressee: str
    line: int
    text: str


@dataclass(frozen=True)
class UsageRecord:
    day: datetime
    model: str
    input_tokens: int
    output_tokens: int
    cost: float


@dataclass
class Events:
    assignments: Recent[FileWrite] = field(default_factory=lambda: _writes(2000))
    reports: Recent[FileWrite] = field(default_factory=lambda: _writes(2000))
    validations: Recent[FileWrite] = field(default_factory=lambda: _writes(2000))
    inputs: Recent[FileWrite] = field(default_factory=lambda: _writes(5000))
    consolidations: Recent[FileWrite] = field(default_factory=lambda: _writes(60))
    consolidation_merges: Recent[CommitRef] = field(default_factory=lambda: _commits(20))
    consolidation_mentions: Recent[CommitRef] = field(default_factory=lambda: _commits(20))
    # Every merge, and the commits right after one that announce a convergence (``path``: the
    # sha of the merge they follow): a merge so announced is a consolidation.
    merges: Recent[CommitRef] = field(default_factory=lambda: _commits(50))
    merge_announcements: Recent[FileWrite] = field(default_factory=lambda: _writes(50))
    # Other paths changed by commits that wrote a consolidation file (a rename's source).
    consolidation_sources: Recent[FileWrite] = field(default_factory=lambda: _writes(300))
    conflict_mentions: Recent[CommitRef] = field(default_factory=lambda: _commits(30))
    collisions: Recent[Collision] = field(default_factory=lambda: Recent(30, collision_key))
    direct_messages: Recent[FileWrite] = field(default_factory=lambda: _writes(50))
    # The latest writes of channel files between allowed pairs, whose From/To headers are read.
    channel_messages: Recent[FileWrite] = field(default_factory=lambda: _writes(1000))
    # Files a heartbeat commit carried that are not its daemon's own (``writer``: the machine).
    swept: Recent[FileWrite] = field(default_factory=lambda: _writes(200))
    # Work orders the coordinator declared done (``path``: the order's key, see workqueue.py).
    completions: Recent[FileWrite] = field(default_factory=lambda: _writes(500))


@dataclass
class History:
    """Everything learned from ``git log``."""

    commits_read: int = 0
    commits_after_now: int = 0
    heartbeat_commits: int = 0
    unattributed_commits: int = 0
    methods: Counter[str] = field(default_factory=Counter)
    agents: dict[str, AgentActivity] = field(default_factory=dict)
    machines: dict[str, MachineActivity] = field(default_factory=dict)
    channels: dict[str, ChannelState] = field(default_factory=dict)
    last_touch: dict[str, CommitRef] = field(default_factory=dict)  # coordination files
    events: Events = field(default_factory=Events)
    tasks_30d: int = 0
    # Position in the history (1: the oldest commit read) of the commits of the kept
    # consolidation events: inputs, consolidation writes and merges.
    positions: dict[str, int] = field(default_factory=dict)


@dataclass
class TipFiles:
    """Coordination documents and conflict markers at the tip of each analysed branch."""

    contents: dict[str, str] = field(default_factory=dict)  # path -> text (first tip wins)
    markers: list[MarkerHit] = field(default_factory=list)
    files_scanned: int = 0
    # For a later run that reads only what changed: the documents read at the (single) tip,
    # path -> blob id, and whether everything at the tip could be read.
    documents: dict[str, str] = field(default_factory=dict)
    clean: bool = True


@dataclass
class RepoSnapshot:
    path: str
    now: datetime
    profile: Profile
    refs: list[str]
    tips: dict[str, str]
    is_bare: bool
    is_shallow: bool
    has_work_tree: bool
    history: History
    tip_files: TipFiles
    unmerged_paths: list[str]
    git_size: int | None
    upstreams: list[Upstream]
    usage: list[UsageRecord] | None
    not_read: list[NotRead]
    # "<sha>:<path>" of recent consolidation commits -> "real" | "placeholder" | "unavailable"
    consolidation_content: dict[str, str] = field(default_factory=dict)
    pending_branches: list[PendingBranch] = field(default_factory=list)
    # "<sha>:<path>" of the channel writes in ``events.channel_messages`` -> the forbidden
    # pairs their headers show (writes without any are left out)
    history_headers: dict[str, tuple[HeaderHit, ...]] = field(default_factory=dict)
    # commits not in the coordinator's branch that carry consolidation inputs (several
    # branches analysed): they feed no consolidation there
    off_branch: frozenset[str] = frozenset()
    # every branch against the default branch
    branches: Branches = field(default_factory=lambda: Branches(None, None))
    # what checks derive from the snapshot and share (see ``derived``)
    _derived: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @property
    def now_ts(self) -> int:
        return int(self.now.timestamp())

    def derived(self, key: str, compute: Callable[[RepoSnapshot], T]) -> T:
        """``compute(self)``, worked out once per snapshot for every check that needs it."""
        if key not in self._derived:
            self._derived[key] = compute(self)
        value: T = self._derived[key]
        return value
