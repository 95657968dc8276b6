"""The strict coordination protocol's limits, for profiles where it applies
(``strict_protocol`` in the profile): C1 offline past ``c1_offline_emergency`` (when the
``C1_OFFLINE_EMERGENCY`` override may be raised), claimed work orders whose claim heartbeat
is older than ``claim_heartbeat_stale`` (due to go back to PENDING), and heartbeat or status
files older than ``heartbeat_timeout_cloud`` / ``heartbeat_timeout_local``.

Every age is the git evidence (the last commit touching a file, the agent's last commit),
never a time written inside a file.
"""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import (
    Category,
    Evidence,
    Finding,
    Severity,
    file_evidence,
    note,
)
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.profiles import StrictProtocol
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "strict_protocol"
CATEGORY = Category.AGENT_NOT_RESPONDING
SEVERITY = Severity.WARNING
EMERGENCY_FLAG = "C1_OFFLINE_EMERGENCY"


def run(snapshot: RepoSnapshot) -> list[Finding]:
    strict = snapshot.profile.strict
    if strict is None:
        return []
    return [
        *_coordinator_offline(snapshot, strict),
        *_stale_claims(snapshot, strict),
        *_heartbeat_timeouts(snapshot, strict),
    ]


def _coordinator_offline(snapshot: RepoSnapshot, strict: StrictProtocol) -> list[Finding]:
    profile = snapshot.profile
    limit = strict.c1_offline_emergency
    flagged = sorted(
        path for path, text in snapshot.tip_files.contents.items() if EMERGENCY_FLAG in text
    )
    findings = []
    for trinity in profile.trinities:
        agent = f"{trinity.id}/{profile.coordinator}"
        activity = snapshot.history.agents.get(agent)
        if activity is None or activity.last is None:
            continue  # never seen: agent_activity reports it
        if snapshot.now_ts - activity.last.ts <= limit.total_seconds():
            continue
        name = profile.agent_label(agent)
        summary = (
            f"{name} has been silent for {human_duration(evidence.age(snapshot, activity.last.ts))}"
            f", past the strict protocol's {human_duration(limit)} after which "
            f"{EMERGENCY_FLAG} may be raised."
        )
        proof: list[Evidence] = [evidence.commit(activity.last, f"{name}'s last activity")]
        if flagged:
            proof += [file_evidence(p, f"{EMERGENCY_FLAG} is raised here") for p in flagged]
        else:
            proof.append(note(f"No coordination document at the tip raises {EMERGENCY_FLAG}."))
        findings.append(Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof)))
    return findings


def _stale_claims(snapshot: RepoSnapshot, strict: StrictProtocol) -> list[Finding]:
    profile = snapshot.profile
    limit = strict.claim_heartbeat_stale
    stale = []
    for path in sorted(snapshot.tip_files.contents):
        if not any(p.search(path) for p in profile.work_claims):
            continue
        touched = snapshot.history.last_touch.get(path)
        if touched is not None and snapshot.now_ts - touched.ts > limit.total_seconds():
            stale.append((path, touched))
    if not stale:
        return []
    summary = (
        f"{len(stale)} claimed work order(s) have had no claim heartbeat for more than "
        f"{human_duration(limit)}; the strict protocol releases them to PENDING."
    )
    proof = tuple(
        Evidence(
            kind="commit",
            text=f"last claim heartbeat {evidence.ago(snapshot, ref.ts)}: {ref.subject}",
            commit=ref.sha,
            file=path,
            at=ref.at,
        )
        for path, ref in stale[: evidence.MAX_EVIDENCE]
    )
    return [Finding(ID, Category.SLOW_CONSOLIDATION, SEVERITY, summary, proof)]


def _heartbeat_timeouts(snapshot: RepoSnapshot, strict: StrictProtocol) -> list[Finding]:
    profile = snapshot.profile
    paths = PathClassifier(profile)
    late: dict[str, list[Evidence]] = {"cloud": [], "local": []}
    for path in sorted(snapshot.tip_files.contents):
        if not any(p.search(path) for p in (*profile.heartbeat_files, *profile.status_files)):
            continue
        touched = snapshot.history.last_touch.get(path)
        if touched is None:
            continue
        where = "cloud" if paths.root_trinity(path) in strict.cloud_trinities else "local"
        limit = (
            strict.heartbeat_timeout_cloud if where == "cloud" else strict.heartbeat_timeout_local
        )
        if snapshot.now_ts - touched.ts > limit.total_seconds():
            text = f"last written {evidence.ago(snapshot, touched.ts)}: {touched.subject}"
            late[where].append(
                Evidence(kind="commit", text=text, commit=touched.sha, file=path, at=touched.at)
            )
    findings = []
    for where, proof in late.items():
        if not proof:
            continue
        limit = (
            strict.heartbeat_timeout_cloud if where == "cloud" else strict.heartbeat_timeout_local
        )
        summary = (
            f"{len(proof)} {where} heartbeat or status file(s) were not refreshed within the "
            f"strict protocol's {where} heartbeat timeout of {human_duration(limit)}."
        )
        findings.append(
            Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof[: evidence.MAX_EVIDENCE]))
        )
    return findings
