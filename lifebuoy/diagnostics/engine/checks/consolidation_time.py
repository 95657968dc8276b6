"""Real consolidations and how long they took from the reports that fed them.

A consolidation is real when a consolidation file gets real content (not a placeholder, not
a file merely renamed), or at a merge that brings branches together and that a convergence
commit right after it announces (even under git's default merge subject), or at a merge whose
own subject says so. Placeholders and commits that merely say "consolidate" (setup, helper
scripts, refactors) are counted separately and never taken for consolidations.

A consolidation is fed by the inputs of its own history that came before it: an input is
paired with a consolidation only from an earlier position in the history (git's order: a
parent before its child in a linear history), never from the same commit, and never from a
branch the coordinator's branch does not contain.
"""

from __future__ import annotations

import bisect
from datetime import timedelta

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Evidence, Finding, Severity, note
from lifebuoy.diagnostics.engine.snapshot import CommitRef, RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "consolidation_time"
CATEGORY = Category.SLOW_CONSOLIDATION
SEVERITY = Severity.WARNING
RECENT = 10

Fed = list[tuple[CommitRef, list[int]]]  # a consolidation and the times of its inputs


def real_consolidations(snapshot: RepoSnapshot) -> list[CommitRef]:
    """Real consolidations (content or merge), in history order; once per snapshot."""
    return snapshot.derived("real_consolidations", _real)


def fed_consolidations(snapshot: RepoSnapshot) -> Fed:
    """Each real consolidation with the author times of the inputs it consolidated."""
    return snapshot.derived("fed_consolidations", _fed)


def latest_wait(snapshot: RepoSnapshot) -> int | None:
    """Seconds the latest real consolidation came after its last input (None: no input)."""
    fed = fed_consolidations(snapshot)
    if not fed or not fed[-1][1]:
        return None
    event, times = fed[-1]
    return max(event.ts - max(times), 0)


def announced_merges(snapshot: RepoSnapshot) -> dict[str, CommitRef]:
    """Merges that the commit right after them announces as a convergence, by the
    announcing commit's sha."""
    events = snapshot.history.events
    merges = {m.sha: m for m in events.merges}
    return {w.commit.sha: merges[w.path] for w in events.merge_announcements if w.path in merges}


def _real(snapshot: RepoSnapshot) -> list[CommitRef]:
    events = snapshot.history.events
    kinds = snapshot.consolidation_content
    real = [
        w.commit for w in events.consolidations if kinds.get(f"{w.commit.sha}:{w.path}") == "real"
    ]
    real.extend(events.consolidation_merges)
    real.extend(announced_merges(snapshot).values())
    positions = snapshot.history.positions
    unique = {c.sha: c for c in real}.values()
    return sorted(unique, key=lambda c: (positions.get(c.sha, 0), c.ts, c.sha))


def _inputs(snapshot: RepoSnapshot) -> list[tuple[int, int, str]]:
    """(position, author time, sha) of the kept inputs on the coordinator's branch, in
    history order; once per snapshot."""
    return snapshot.derived("consolidation_inputs", _placed_inputs)


def _placed_inputs(snapshot: RepoSnapshot) -> list[tuple[int, int, str]]:
    positions = snapshot.history.positions
    off = snapshot.off_branch
    return sorted(
        (positions[w.commit.sha], w.commit.ts, w.commit.sha)
        for w in snapshot.history.events.inputs
        if w.commit.sha in positions and w.commit.sha not in off
    )


def _fed(snapshot: RepoSnapshot) -> Fed:
    positions = snapshot.history.positions
    inputs = _inputs(snapshot)
    order = [p for p, _, _ in inputs]
    fed: Fed = []
    previous = 1
    for event in real_consolidations(snapshot):
        here = positions.get(event.sha, 0)
        # from the previous consolidation's commit (an input written with it was not its
        # input) to just before this one's
        lo, hi = bisect.bisect_left(order, previous), bisect.bisect_left(order, here)
        fed.append((event, [ts for _, ts, _ in inputs[lo:hi]]))
        previous = max(previous, here)
    return fed


def run(snapshot: RepoSnapshot) -> list[Finding]:
    findings = _durations(snapshot)
    findings.extend(_pending(snapshot))
    findings.extend(_not_consolidations(snapshot))
    return findings


def _durations(snapshot: RepoSnapshot) -> list[Finding]:
    slow_limit = snapshot.profile.thresholds.consolidation_slow.total_seconds()
    lines: list[Evidence] = []
    slow = 0
    for event, times in fed_consolidations(snapshot)[-RECENT:]:
        if not times:
            continue
        last_wait, first_wait = max(event.ts - max(times), 0), max(event.ts - min(times), 0)
        slow += last_wait > slow_limit
        lines.append(
            evidence.commit(
                event,
                (
                    f"{human_duration(_td(last_wait))} after the last input, "
                    f"{human_duration(_td(first_wait))} after the first"
                ),
            )
        )
    if not lines:
        return []
    if slow:
        summary = (
            f"{slow} of the last {len(lines)} consolidations took longer than "
            f"{human_duration(_td(slow_limit))} after their last input."
        )
        return [Finding(ID, CATEGORY, SEVERITY, summary, tuple(lines))]
    summary = f"The last {len(lines)} consolidations were on time."
    return [Finding(ID, CATEGORY, Severity.INFO, summary, tuple(lines))]


def _pending(snapshot: RepoSnapshot) -> list[Finding]:
    real = real_consolidations(snapshot)
    since = snapshot.history.positions.get(real[-1].sha, 1) if real else 1
    inputs = _inputs(snapshot)
    tail = inputs[bisect.bisect_left(inputs, (since,)) :]  # from the last consolidation on
    limit = snapshot.profile.thresholds.consolidation_slow.total_seconds()
    if not tail or snapshot.now_ts - min(ts for _, ts, _ in tail) <= limit:
        return []
    waiting = {sha for _, _, sha in tail}
    writes = [w for w in snapshot.history.events.inputs if w.commit.sha in waiting]
    oldest = min(w.commit.ts for w in writes)
    after = "since the last consolidation" if real else "and nothing has been consolidated yet"
    summary = (
        f"{len(writes)} report(s) have been waiting up to "
        f"{evidence.ago(snapshot, oldest).removesuffix(' ago')} {after}."
    )
    proof = [evidence.write(w, snapshot, "waiting") for w in writes][-evidence.MAX_EVIDENCE :]
    if real:
        proof.insert(0, evidence.commit(real[-1], "last consolidation"))
    return [Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof))]


def _not_consolidations(snapshot: RepoSnapshot) -> list[Finding]:
    events = snapshot.history.events
    content = snapshot.consolidation_content
    placeholders = [
        w for w in events.consolidations if content.get(f"{w.commit.sha}:{w.path}") == "placeholder"
    ]
    renamed = [
        w for w in events.consolidations if content.get(f"{w.commit.sha}:{w.path}") == "renamed"
    ]
    announcing = announced_merges(snapshot)
    mentions = [c for c in events.consolidation_mentions if c.sha not in announcing]
    mentioned = events.consolidation_mentions.total - (
        len(events.consolidation_mentions) - len(mentions)
    )
    if not placeholders and not renamed and not mentions:
        return []
    summary = (
        f"{len(placeholders)} placeholder write(s) to consolidation files and "
        f"{mentioned} commit(s) that only mention consolidation "
        "were not counted as consolidations."
    )
    if renamed:
        summary = summary.removesuffix(".") + (
            f"; nor were {len(renamed)} rename(s) of a file into a consolidation file with no "
            "change to its content."
        )
    proof = [evidence.write(w, snapshot, "placeholder") for w in placeholders[-5:]]
    proof += [evidence.write(w, snapshot, "renamed, content unchanged") for w in renamed[-5:]]
    proof += [evidence.commit(c, "mentions consolidation") for c in mentions[-5:]]
    proof.append(note("`git log --grep=consolidat` would have counted all of these."))
    return [Finding(ID, CATEGORY, Severity.INFO, summary, tuple(proof))]


def _td(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
