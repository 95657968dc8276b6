"""What a run keeps so the next one can read only the commits added since.

An ``EngineState`` is everything the checks accumulate from history (``History``: per-agent and
per-machine last activity, channel state, the bounded event timelines) plus what is needed to
continue it exactly: the tip it was read up to, the reference time, the first write per file
for the "two agents, one file" chain, the documents and markers at the tip, and which kept
consolidation writes were real. Its size depends on the number of agents, files and the
bounded event lists, never on the number of commits.

The JSON form is versioned: a state from another ``STATE_VERSION``, another profile or scope
is not used (the caller runs in full). Strings, commits and writes are stored once each (column by
column) and referred to by index.

Not kept: the 30-day commit and task counts used with usage records; a run given usage
records is always a full one.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from lifebuoy.diagnostics.engine.branchinfo import Branches, BranchInfo
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.snapshot import (
    AgentActivity,
    ChannelState,
    Collision,
    CommitRef,
    Events,
    FileWrite,
    HeaderHit,
    History,
    MachineActivity,
    MarkerHit,
    Recent,
    TipFiles,
)

STATE_VERSION = 6
EDGE_KEEP = timedelta(days=7)  # first writes per file older than this are dropped
_new = tuple.__new__
_WRITE_EVENTS = (
    "assignments",
    "reports",
    "validations",
    "inputs",
    "consolidations",
    "direct_messages",
    "channel_messages",
    "swept",
    "completions",
    "merge_announcements",
    "consolidation_sources",
)
_COMMIT_EVENTS = (
    "consolidation_merges",
    "consolidation_mentions",
    "conflict_mentions",
    "merges",
)
EVENT_NAMES = (*_WRITE_EVENTS, *_COMMIT_EVENTS, "collisions")  # every field of ``Events``


class StateError(ValueError):
    """A stored state that cannot be used; the caller runs in full instead."""


@dataclass
class EngineState:
    profile: str  # fingerprint of the profile the state was read with
    scope: str
    now_ts: int
    tips: dict[str, str]
    history: History
    edges: dict[str, FileWrite]  # per file, the newest agent write in log order
    edge_horizon: int  # edges older than this were dropped
    after_now_min_ts: int | None  # the earliest commit ignored as after ``now_ts``
    tip_files: TipFiles
    consolidation_content: dict[str, str] = field(default_factory=dict)
    # channel writes in ``events.channel_messages`` whose headers pair forbidden agents
    history_headers: dict[str, tuple[HeaderHit, ...]] = field(default_factory=dict)
    branches: Branches = field(default_factory=lambda: Branches(None, None))
    version: int = STATE_VERSION


def profile_fingerprint(profile: Profile) -> str:
    """A digest of every setting of the profile (patterns by their text and flags)."""
    return hashlib.sha256(
        json.dumps(_plain(profile), sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, re.Pattern):
        return [value.pattern, int(value.flags)]
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, frozenset | set):
        return sorted(json.dumps(_plain(v)) for v in value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, timedelta):
        return value.total_seconds()
    return value


def prune_edges(edges: dict[str, FileWrite], horizon: int) -> dict[str, FileWrite]:
    return {path: w for path, w in edges.items() if w.commit.ts >= horizon}


# -- to JSON ----------------------------------------------------------------------------------


class _Tables:
    """Strings, commits and writes, each stored once (column by column) and referred to by
    index. Index 0 of the strings is ``None``. The bulk lists go through comprehensions and
    ``dict.setdefault`` rather than a call per field: this runs on every poll."""

    def __init__(self) -> None:
        self.strings: dict[str | None, int] = {None: 0}
        self.commit_index: dict[str, int] = {}
        self.shas: list[str] = []
        self.times: list[int] = []
        self.subjects: list[int] = []
        self.write_index: dict[int, int] = {}  # id() of a write -> index
        self.kept: list[FileWrite] = []  # keeps every indexed write alive while encoding
        self.columns: tuple[list[int], ...] = ([], [], [], [], [])

    def s(self, text: str | None) -> int:
        return self.strings.setdefault(text, len(self.strings))

    def c(self, ref: CommitRef | None) -> int:
        if ref is None:
            return -1
        self._add_commits([ref])
        return self.commit_index[ref.sha]

    def w(self, write: FileWrite) -> int:
        return self.writes([write])[0]

    def _add_commits(self, refs: list[CommitRef]) -> None:
        index = self.commit_index
        fresh = list({r.sha: r for r in refs if r.sha not in index}.values())
        if not fresh:
            return
        base = len(index)
        index.update((r.sha, base + n) for n, r in enumerate(fresh))
        strings = self.strings
        put = strings.setdefault
        self.shas.extend([r.sha for r in fresh])
        self.times.extend([r.ts for r in fresh])
        self.subjects.extend([put(r.subject, len(strings)) for r in fresh])

    def writes(self, items: list[FileWrite]) -> list[int]:
        index = self.write_index
        fresh = [w for w in items if id(w) not in index]
        if fresh:
            base = len(self.kept)
            index.update((id(w), base + n) for n, w in enumerate(fresh))
            self.kept.extend(fresh)
            self._add_commits([w.commit for w in fresh])
            strings, commits = self.strings, self.commit_index
            put = strings.setdefault
            paths, shas, writers, methods, trinities = self.columns
            paths.extend([put(w.path, len(strings)) for w in fresh])
            shas.extend([commits[w.commit.sha] for w in fresh])
            writers.extend([put(w.writer, len(strings)) for w in fresh])
            methods.extend([put(w.method, len(strings)) for w in fresh])
            trinities.extend([put(w.trinity, len(strings)) for w in fresh])
        return [index[id(w)] for w in items]


def state_to_json(state: EngineState) -> dict[str, Any]:
    t = _Tables()
    history = state.history
    events = history.events
    data: dict[str, Any] = {
        "version": state.version,
        "profile": state.profile,
        "scope": state.scope,
        "now": state.now_ts,
        "tips": state.tips,
        "counts": [
            history.commits_read,
            history.commits_after_now,
            history.heartbeat_commits,
            history.unattributed_commits,
        ],
        "after_now_min": state.after_now_min_ts,
        "methods": dict(history.methods),
        "agents": [
            [t.s(a.agent), t.c(a.last), t.s(a.method), a.first_ts, a.commits]
            for a in history.agents.values()
        ],
        "machines": [
            [t.s(m.machine), t.c(m.last), t.c(m.last_heartbeat), m.heartbeats, m.commits]
            for m in history.machines.values()
        ],
        "channels": [
            [
                t.s(ch.path),
                t.s(ch.trinity),
                t.s(ch.kind),
                t.s(ch.sender),
                t.s(ch.addressee),
                t.w(ch.last),
                t.w(ch.first),
                ch.writes,
                ch.foreign.total,
                t.writes(ch.foreign.kept()),
            ]
            for ch in history.channels.values()
        ],
        "last_touch": [[t.s(p), t.c(ref)] for p, ref in history.last_touch.items()],
        "events": {
            **{
                name: [getattr(events, name).total, t.writes(getattr(events, name).kept())]
                for name in _WRITE_EVENTS
            },
            **{
                name: [getattr(events, name).total, [t.c(r) for r in getattr(events, name).kept()]]
                for name in _COMMIT_EVENTS
            },
            "collisions": [
                events.collisions.total,
                [[t.s(c.path), t.w(c.first), t.w(c.second)] for c in events.collisions.kept()],
            ],
        },
        "edges": t.writes(list(state.edges.values())),
        "edge_horizon": state.edge_horizon,
        "tip": {
            "documents": state.tip_files.documents,
            "markers": [[m.path, m.line, m.text] for m in state.tip_files.markers],
            "clean": state.tip_files.clean,
        },
        "consolidation_content": state.consolidation_content,
        "history_headers": {
            name: [list(hit) for hit in hits] for name, hits in state.history_headers.items()
        },
    }
    positions = history.positions  # of kept events' commits, all in the commit table
    data["branches"] = [
        state.branches.default,
        state.branches.default_sha,
        [
            [b.name, b.sha, b.last_ts, b.behind, b.ahead, b.related, b.ahead_shas]
            for b in state.branches.items
        ],
    ]
    data["strings"] = list(t.strings)
    data["commits"] = [t.shas, t.times, t.subjects, [positions.get(sha, 0) for sha in t.shas]]
    data["writes"] = list(t.columns)
    return data


@contextmanager
def no_gc() -> Iterator[None]:
    """Pause the cyclic garbage collector while many small objects are made: none of them
    form cycles, and a collection in the middle would walk every object of the process."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def state_encode(state: EngineState) -> bytes:
    """Compact JSON as UTF-8: what monitoring stores with a run. (Not compressed here: that
    costs more time per poll than the bytes it saves; PostgreSQL compresses large values.)"""
    with no_gc():
        text = json.dumps(state_to_json(state), separators=(",", ":"), ensure_ascii=False)
    return text.encode()


# -- from JSON --------------------------------------------------------------------------------


class _Reader:
    def __init__(self, data: dict[str, Any]) -> None:
        self.strings: list[Any] = data["strings"]
        strings = self.strings
        shas, times, subjects, positions = data["commits"]
        self.positions = {sha: p for sha, p in zip(shas, positions, strict=True) if p}
        self.commits: list[CommitRef] = [
            _new(CommitRef, (sha, ts, strings[subject]))
            for sha, ts, subject in zip(shas, times, subjects, strict=True)
        ]
        commits = self.commits
        self.all_writes: list[FileWrite] = [
            _new(FileWrite, (strings[p], commits[c], strings[w], strings[m], strings[t]))
            for p, c, w, m, t in zip(*data["writes"], strict=True)
        ]

    def s(self, index: int) -> str | None:
        text: str | None = self.strings[index]
        return text

    def text(self, index: int) -> str:
        return self.s(index) or ""

    def c(self, index: int) -> CommitRef | None:
        return self.commits[index] if index >= 0 else None

    def writes(self, indexes: list[int]) -> list[FileWrite]:
        every = self.all_writes
        return [every[i] for i in indexes]


def _restore(recent: Recent[Any], total: int, items: list[Any], ts: Any) -> None:
    recent.restore(total, [(ts(item), item) for item in items])


def state_from_json(data: Any) -> EngineState:
    """Raises ``StateError`` for anything that is not a state this version wrote."""
    if not isinstance(data, dict) or data.get("version") != STATE_VERSION:
        raise StateError("the state was written by another version of the doctor")
    try:
        return _read(data)
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise StateError(f"the state cannot be read ({exc})") from exc


def state_decode(blob: bytes) -> EngineState:
    with no_gc():
        try:
            data = json.loads(blob)
        except ValueError as exc:
            raise StateError(f"the state cannot be read ({exc})") from exc
        return state_from_json(data)


def _read(data: dict[str, Any]) -> EngineState:
    r = _Reader(data)
    history = History()
    (
        history.commits_read,
        history.commits_after_now,
        history.heartbeat_commits,
        history.unattributed_commits,
    ) = data["counts"]
    history.methods.update(data["methods"])
    history.positions = r.positions
    for name, last, method, first_ts, commits in data["agents"]:
        agent = r.text(name)
        history.agents[agent] = AgentActivity(agent, r.c(last), r.s(method), first_ts, commits)
    for name, last, beat, heartbeats, commits in data["machines"]:
        machine = r.text(name)
        history.machines[machine] = MachineActivity(
            machine, r.c(last), r.c(beat), heartbeats, commits
        )
    for path, trinity, kind, sender, addressee, last, first, writes, total, foreign in data[
        "channels"
    ]:
        state = ChannelState(
            r.text(path),
            r.text(trinity),
            r.text(kind),
            r.text(sender),
            r.text(addressee),
            last=r.all_writes[last],
            first=r.all_writes[first],
            writes=writes,
        )
        _restore(state.foreign, total, r.writes(foreign), _write_ts)
        history.channels[state.path] = state
    for path, commit in data["last_touch"]:
        history.last_touch[r.text(path)] = r.commits[commit]
    _read_events(r, history.events, data["events"])
    tip = data["tip"]
    tip_files = TipFiles(
        documents=dict(tip["documents"]),
        markers=[MarkerHit("", p, line, text) for p, line, text in tip["markers"]],
        clean=bool(tip["clean"]),
    )
    return EngineState(
        profile=data["profile"],
        scope=data["scope"],
        now_ts=data["now"],
        tips=dict(data["tips"]),
        history=history,
        edges={w.path: w for w in r.writes(data["edges"])},
        edge_horizon=data["edge_horizon"],
        after_now_min_ts=data["after_now_min"],
        tip_files=tip_files,
        consolidation_content=dict(data["consolidation_content"]),
        history_headers={
            name: tuple(HeaderHit(a, b, line, text) for a, b, line, text in hits)
            for name, hits in data["history_headers"].items()
        },
        branches=_read_branches(data["branches"]),
    )


def _read_branches(data: list[Any]) -> Branches:
    default, sha, items = data
    return Branches(
        default,
        sha,
        tuple(
            BranchInfo(name, tip, ts, behind, ahead, related, None if own is None else tuple(own))
            for name, tip, ts, behind, ahead, related, own in items
        ),
    )


def _read_events(r: _Reader, events: Events, data: dict[str, Any]) -> None:
    for name in _WRITE_EVENTS:
        total, indexes = data[name]
        _restore(getattr(events, name), total, r.writes(indexes), _write_ts)
    for name in _COMMIT_EVENTS:
        total, indexes = data[name]
        refs = [r.commits[i] for i in indexes]
        _restore(getattr(events, name), total, refs, _commit_ts)
    total, items = data["collisions"]
    every = r.all_writes
    collisions = [Collision(r.text(path), every[a], every[b]) for path, a, b in items]
    _restore(events.collisions, total, collisions, _collision_ts)


def _write_ts(write: FileWrite) -> int:
    return write.commit.ts


def _commit_ts(ref: CommitRef) -> int:
    return ref.ts


def _collision_ts(collision: Collision) -> int:
    return collision.second.commit.ts
