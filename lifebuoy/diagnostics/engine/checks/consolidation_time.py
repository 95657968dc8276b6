"""Real consolidations and how long they took from the reports that fed them.

Placeholders and commits that merely say "consolidate" (setup, helper scripts, refactors)
are counted separately and never taken for consolidations.
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


def real_consolidations(snapshot: RepoSnapshot) -> list[CommitRef]:
    """Real consolidations (content or merge), oldest first; worked out once per snapshot."""
    return snapshot.derived("real_consolidations", _real)


def input_times(snapshot: RepoSnapshot) -> list[int]:
    """When each kept consolidation input was written, in order; once per snapshot."""
    return snapshot.derived(
        "consolidation_inputs", lambda s: sorted(w.commit.ts for w in s.history.events.inputs)
    )


def latest_wait(snapshot: RepoSnapshot) -> int | None:
    """Seconds the latest real consolidation came after its last input (None: no input)."""
    real, inputs = real_consolidations(snapshot), input_times(snapshot)
    if not real:
        return None
    previous = real[-2].ts if len(real) > 1 else -1
    lo, hi = bisect.bisect_right(inputs, previous), bisect.bisect_right(inputs, real[-1].ts)
    return real[-1].ts - inputs[hi - 1] if hi > lo else None


def _real(snapshot: RepoSnapshot) -> list[CommitRef]:
    events = snapshot.history.events
    kinds = snapshot.consolidation_content
    real = [
        w.commit for w in events.consolidations if kinds.get(f"{w.commit.sha}:{w.path}") == "real"
    ]
    real.extend(events.consolidation_merges)
    return sorted({c.sha: c for c in real}.values(), key=lambda c: c.ts)


def run(snapshot: RepoSnapshot) -> list[Finding]:
    real, inputs = real_consolidations(snapshot), input_times(snapshot)
    findings = _durations(snapshot, real, inputs)
    findings.extend(_pending(snapshot, real, inputs))
    findings.extend(_not_consolidations(snapshot))
    return findings


def _durations(snapshot: RepoSnapshot, real: list[CommitRef], inputs: list[int]) -> list[Finding]:
    slow_limit = snapshot.profile.thresholds.consolidation_slow.total_seconds()
    lines: list[Evidence] = []
    slow = 0
    for index, event in enumerate(real[-RECENT:], start=max(0, len(real) - RECENT)):
        previous = real[index - 1].ts if index > 0 else -1
        lo, hi = bisect.bisect_right(inputs, previous), bisect.bisect_right(inputs, event.ts)
        if lo >= hi:
            continue
        last_wait, first_wait = event.ts - inputs[hi - 1], event.ts - inputs[lo]
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


def _pending(snapshot: RepoSnapshot, real: list[CommitRef], inputs: list[int]) -> list[Finding]:
    since = real[-1].ts if real else -1
    waiting = inputs[bisect.bisect_right(inputs, since) :]
    limit = snapshot.profile.thresholds.consolidation_slow.total_seconds()
    if not waiting or snapshot.now_ts - waiting[0] <= limit:
        return []
    after = "since the last consolidation" if real else "and nothing has been consolidated yet"
    summary = (
        f"{len(waiting)} report(s) have been waiting up to "
        f"{evidence.ago(snapshot, waiting[0]).removesuffix(' ago')} {after}."
    )
    proof = [
        evidence.write(w, snapshot, "waiting")
        for w in snapshot.history.events.inputs
        if w.commit.ts > since
    ][-evidence.MAX_EVIDENCE :]
    if real:
        proof.insert(0, evidence.commit(real[-1], "last consolidation"))
    return [Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof))]


def _not_consolidations(snapshot: RepoSnapshot) -> list[Finding]:
    events = snapshot.history.events
    placeholders = [
        w
        for w in events.consolidations
        if snapshot.consolidation_content.get(f"{w.commit.sha}:{w.path}") == "placeholder"
    ]
    mentions = events.consolidation_mentions.items()
    if not placeholders and not mentions:
        return []
    summary = (
        f"{len(placeholders)} placeholder write(s) to consolidation files and "
        f"{events.consolidation_mentions.total} commit(s) that only mention consolidation "
        "were not counted as consolidations."
    )
    proof = [evidence.write(w, snapshot, "placeholder") for w in placeholders[-5:]]
    proof += [evidence.commit(c, "mentions consolidation") for c in mentions[-5:]]
    proof.append(note("`git log --grep=consolidat` would have counted all of these."))
    return [Finding(ID, CATEGORY, Severity.INFO, summary, tuple(proof))]


def _td(seconds: float) -> timedelta:
    return timedelta(seconds=seconds)
