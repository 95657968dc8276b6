"""One streaming pass over ``git log`` that fills a ``History``.

Commits arrive newest first (git's order); every rule here is order-independent (maxima,
minima, bounded "most recent" lists) so rebased or out-of-order commits do no harm.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from lifebuoy.diagnostics.engine.attribution import HEARTBEAT, Attribution, Attributor
from lifebuoy.diagnostics.engine.git_types import RawCommit
from lifebuoy.diagnostics.engine.machines import names_machine
from lifebuoy.diagnostics.engine.paths import PathClassifier, PathInfo
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.snapshot import (
    AgentActivity,
    ChannelState,
    Collision,
    CommitRef,
    FileWrite,
    History,
    MachineActivity,
    earlier,
    later,
)
from lifebuoy.diagnostics.engine.workqueue import order_keys

RECENT_WINDOW = 30 * 86400
_new = tuple.__new__  # builds NamedTuples without their Python-level __new__ (hot path)
PROGRESS_EVERY = 2000
BEAT_SUBJECTS = 10_000
INDEX_PRUNE = 20_000  # stream positions held before those of dropped events are forgotten
MAX_SOURCES = 6  # paths of a consolidating commit looked at as rename sources

Progress = Callable[[int], None]


class HistoryCollector:
    """Reads commits in ``git log`` order into ``history``.

    With ``track_edges`` it also remembers, per path, the first agent write it met (the
    newest in log order): a later run that reads only the commits on top of this history
    continues the "same file, two agents" chain from there (see ``connect``).
    """

    def __init__(
        self,
        profile: Profile,
        now_ts: int,
        history: History | None = None,
        *,
        track_edges: bool = False,
    ) -> None:
        self.profile = profile
        self.now_ts = now_ts
        self.paths = PathClassifier(profile)
        self.attributor = Attributor(profile, self.paths)
        self._classify = self.paths.classify
        self._beats: dict[str, Attribution] = {}  # heartbeat subjects already recognised
        self._own: dict[tuple[str, str], bool] = {}  # (machine, path): the daemon's own file
        self.history = history if history is not None else History()
        self._last_edit: dict[str, FileWrite] = {}
        self.first_edit: dict[str, FileWrite] | None = {} if track_edges else None
        self.after_now_min_ts: int | None = None  # the earliest commit ignored as after now
        self._window = int(profile.thresholds.edit_collision_window.total_seconds())
        self._validator_suffix = "/" + profile.validator
        self._coordinator_suffix = "/" + profile.coordinator
        # Where in this stream each commit that matters to consolidation came (0: the first
        # read); ``consume`` turns them into positions in the whole history.
        self._streamed = 0
        self._stream_index: dict[str, int] = {}

    def consume(self, commits: Iterable[RawCommit], progress: Progress | None = None) -> History:
        seen = 0
        history = self.history
        before = history.commits_read + history.commits_after_now
        for commit in commits:
            self.add(commit)
            seen += 1
            if seen % PROGRESS_EVERY == 0:
                if progress is not None:
                    progress(seen)
                if len(self._stream_index) > INDEX_PRUNE:
                    self._prune_index()
        if progress is not None:
            progress(seen)
        if history.heartbeat_commits:
            history.methods[HEARTBEAT] = history.heartbeat_commits
        self._place(before)
        return history

    def _prune_index(self) -> None:
        """Forget where the commits of events no longer kept came: an event that left its
        bounded list never comes back (later ones are newer), so memory stays flat."""
        kept = self._kept()
        self._stream_index = {s: i for s, i in self._stream_index.items() if s in kept}

    def _kept(self) -> set[str]:
        events = self.history.events
        kept = {w.commit.sha for w in events.inputs}
        kept.update(w.commit.sha for w in events.consolidations)
        kept.update(c.sha for c in events.consolidation_merges)
        kept.update(c.sha for c in events.merges)
        return kept

    def _place(self, before: int) -> None:
        """Positions in the history (1 for the oldest commit), from this stream's order.

        ``git log`` lists a linear history child before parent, so a higher position is a
        descendant: an input pairs with a consolidation only from a lower position. The
        commits read on top of an earlier history continue its numbering. Positions of
        commits whose events are no longer kept are dropped once they pile up (they are never
        looked up, nor saved).
        """
        history = self.history
        last = before + self._streamed
        positions = history.positions
        for sha, index in self._stream_index.items():
            positions[sha] = last - index
        self._stream_index = {}
        self._streamed = 0
        events = history.events
        limit = sum(
            r.limit for r in (events.inputs, events.consolidations, events.consolidation_merges)
        )
        if len(positions) <= 2 * (limit + events.merges.limit):
            return  # positions of events no longer kept are never looked up, nor saved
        kept = self._kept()
        history.positions = {sha: p for sha, p in positions.items() if sha in kept}

    def add(self, commit: RawCommit) -> None:
        history = self.history
        ts = commit.author_time
        self._streamed += 1
        if ts > self.now_ts:
            history.commits_after_now += 1
            if self.after_now_min_ts is None or ts < self.after_now_min_ts:
                self.after_now_min_ts = ts
            return
        history.commits_read += 1
        who = None if commit.body else self._beats.get(commit.subject)
        if who is not None:
            self._heartbeat(commit, who)
            return
        who = self.attributor.attribute(commit)
        if who.method == HEARTBEAT:
            if not commit.body:
                if len(self._beats) >= BEAT_SUBJECTS:
                    self._beats.clear()
                self._beats[commit.subject] = who
            self._heartbeat(commit, who)
            return
        history.methods[who.method] += 1
        ref = _new(CommitRef, (commit.sha, ts, commit.subject))
        if who.machine:
            self._machine(who, ref)
        classify = self._classify
        if who.agent is None:
            history.unattributed_commits += 1
        else:
            self._agent(who, ref)
        self._subject(commit, ref, who)
        agent = who.agent
        last_edit = self._last_edit
        first_edit = self.first_edit
        consolidated = False
        for path in commit.files:
            info = classify(path)
            if info is not None:
                self._coordination_file(info, ref, who)
                consolidated = consolidated or info.is_consolidation
            if agent is None:
                continue
            write = _new(FileWrite, (path, ref, agent, who.method, ""))
            previous = last_edit.get(path)
            last_edit[path] = write
            if previous is None:
                if first_edit is not None:
                    first_edit[path] = write
            elif previous.writer != agent:
                self._collision(previous, write)
        if consolidated and len(commit.files) > 1:
            self._sources(commit, ref)

    def _sources(self, commit: RawCommit, ref: CommitRef) -> None:
        """The other paths a commit that wrote a consolidation file changed: where it may
        have been renamed from (a rename brings no new content)."""
        sources = self.history.events.consolidation_sources
        for path in commit.files[:MAX_SOURCES]:
            if not self._is_consolidation(path):
                sources.add(ref.ts, _new(FileWrite, (path, ref, None, "source", "")))

    def connect(self, older: dict[str, FileWrite]) -> None:
        """Continue each file's chain of writes into an earlier run's first writes.

        Only valid when the commits read here come, in log order, right before the earlier
        run's commits (a linear run of new commits on top of the earlier tip).
        """
        for path, write in self._last_edit.items():
            previous = older.get(path)
            if previous is not None and previous.writer != write.writer:
                self._collision(write, previous)

    def last_edits(self) -> dict[str, FileWrite]:
        """Per path, the last agent write met (the oldest in log order)."""
        return self._last_edit

    def _heartbeat(self, commit: RawCommit, who: Attribution) -> None:
        """Most commits are heartbeats, so this path avoids every allocation it can.

        Commits arrive newest first, so a heartbeat rarely beats the latest time already
        recorded; the commit record is only built when it does.
        """
        history = self.history
        history.heartbeat_commits += 1
        ts = commit.author_time
        ref = None
        machine = history.machines.get(who.machine or "")
        beat = machine.last_heartbeat if machine is not None else None
        if (
            machine is None
            or beat is None
            or ts > beat.ts
            or (ts == beat.ts and commit.sha > beat.sha)
        ):
            ref = _new(CommitRef, (commit.sha, ts, commit.subject))
            self._machine(who, ref)
        else:
            machine.commits += 1
            machine.heartbeats += 1
        last_touch = history.last_touch
        name = who.machine or ""
        own = self._own
        for path in commit.files:
            mine = own.get((name, path))
            if mine is None:
                if len(own) >= BEAT_SUBJECTS:
                    own.clear()
                mine = own[name, path] = names_machine(path, name)
            if not mine:  # swept in by the daemon's ``git add -A``: someone else's file
                if ref is None:
                    ref = _new(CommitRef, (commit.sha, ts, commit.subject))
                swept = _new(FileWrite, (path, ref, name, HEARTBEAT, ""))
                history.events.swept.add(ts, swept)
            info = self._classify(path)
            if info is None:
                continue
            if info.touch_only:
                previous = last_touch.get(path)
                if previous is not None and (
                    ts < previous.ts or (ts == previous.ts and commit.sha <= previous.sha)
                ):
                    continue
            if ref is None:
                ref = _new(CommitRef, (commit.sha, ts, commit.subject))
            self._coordination_file(info, ref, who)

    def _agent(self, who: Attribution, ref: CommitRef) -> None:
        agent = who.agent or ""
        activity = self.history.agents.get(agent)
        if activity is None:
            activity = self.history.agents[agent] = AgentActivity(agent)
        activity.commits += 1
        if self.now_ts - ref.ts <= RECENT_WINDOW:
            activity.recent_commits += 1
        if later(ref, activity.last):
            activity.last, activity.method = ref, who.method
        if activity.first_ts is None or ref.ts < activity.first_ts:
            activity.first_ts = ref.ts

    def _machine(self, who: Attribution, ref: CommitRef) -> None:
        name = who.machine or ""
        machine = self.history.machines.get(name)
        if machine is None:
            machine = self.history.machines[name] = MachineActivity(name)
        machine.commits += 1
        if later(ref, machine.last):
            machine.last = ref
        if who.is_heartbeat:
            machine.heartbeats += 1
            if later(ref, machine.last_heartbeat):
                machine.last_heartbeat = ref

    def _subject(self, commit: RawCommit, ref: CommitRef, who: Attribution) -> None:
        events = self.history.events
        profile = self.profile
        if profile.conflict_words.search(commit.subject) or (
            commit.body and profile.conflict_words.search(commit.body)
        ):
            events.conflict_mentions.add(ref.ts, ref)
        merge = len(commit.parents) > 1
        if merge:
            events.merges.add(ref.ts, ref)
            self._stream_index[ref.sha] = self._streamed - 1
        if profile.consolidation_words.search(commit.subject):
            if merge:
                events.consolidation_merges.add(ref.ts, ref)
            elif not any(self._is_consolidation(p) for p in commit.files):
                events.consolidation_mentions.add(ref.ts, ref)
                if commit.parents:  # it may announce the merge it follows
                    follows = _new(FileWrite, (commit.parents[0], ref, who.agent, who.method, ""))
                    events.merge_announcements.add(ref.ts, follows)
        if (
            who.agent is not None
            and who.agent.endswith(self._coordinator_suffix)
            and (
                profile.completion_words.search(commit.subject)
                or (commit.body and profile.completion_words.search(commit.body))
            )
        ):
            self._completion(commit, ref, who)
        if (
            who.agent is not None
            and who.agent.endswith(self._validator_suffix)
            and profile.validation_words.search(commit.subject)
        ):
            trinity = who.agent.partition("/")[0]
            write = FileWrite("", ref, who.agent, who.method, trinity)
            events.validations.add(ref.ts, write)

    def _completion(self, commit: RawCommit, ref: CommitRef, who: Attribution) -> None:
        """The coordinator declares work orders done: one event per order it names (the
        write's ``path`` holds the order's key)."""
        trinity = (who.agent or "").partition("/")[0]
        for key in order_keys(f"{commit.subject}\n{commit.body}"):
            done = _new(FileWrite, (key, ref, who.agent, who.method, trinity))
            self.history.events.completions.add(ref.ts, done)

    def _is_consolidation(self, path: str) -> bool:
        info = self.paths.classify(path)
        return info is not None and info.is_consolidation

    def _coordination_file(self, info: PathInfo, ref: CommitRef, who: Attribution) -> None:
        history = self.history
        if later(ref, history.last_touch.get(info.path)):
            history.last_touch[info.path] = ref
        if not (info.is_channel or info.is_consolidation or info.is_hub_input):
            return  # a status or heartbeat file: its last touch is all we need
        write = _new(FileWrite, (info.path, ref, who.agent, who.method, info.trinity))
        events = history.events
        if info.is_channel:
            self._channel(info, write)
        if info.is_consolidation:
            events.consolidations.add(ref.ts, write)
            self._stream_index[ref.sha] = self._streamed - 1
        elif info.is_hub_input or info.kind in ("report", "validation_report"):
            events.inputs.add(ref.ts, write)
            self._stream_index[ref.sha] = self._streamed - 1

    def _channel(self, info: PathInfo, write: FileWrite) -> None:
        history = self.history
        events = history.events
        state = history.channels.get(info.path)
        if state is None:
            state = history.channels[info.path] = ChannelState(
                info.path,
                info.trinity,
                info.kind or "",
                info.sender or "",
                info.addressee or "",
                last=write,
                first=write,
            )
        state.writes += 1
        if later(write.commit, state.last.commit):
            state.last = write
        if earlier(write.commit, state.first.commit):
            state.first = write
        if write.writer is not None and write.writer != info.sender:
            state.foreign.add(write.commit.ts, write)
        ts = write.commit.ts
        if info.pair is not None and info.pair not in self.profile.allowed_pairs:
            events.direct_messages.add(ts, write)
        else:
            events.channel_messages.add(ts, write)
        if write.writer not in (None, info.sender):
            return  # someone else copied text into this channel; not the sender's message
        if info.kind == "task":
            events.assignments.add(ts, write)
            if self.now_ts - ts <= RECENT_WINDOW:
                history.tasks_30d += 1
        elif info.kind == "report":
            events.reports.add(ts, write)
        elif info.kind == "validation_report":
            events.validations.add(ts, write)

    def _collision(self, previous: FileWrite, write: FileWrite) -> None:
        """Two agents wrote one file; a collision if they did so within the window."""
        if abs(previous.commit.ts - write.commit.ts) <= self._window:
            first, second = sorted((previous, write), key=lambda w: w.commit.ts)
            collision = Collision(write.path, first, second)
            self.history.events.collisions.add(second.commit.ts, collision)
