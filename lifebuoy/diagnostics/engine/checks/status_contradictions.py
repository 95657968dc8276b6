"""What status and heartbeat files claim, against what git shows.

Every status-like file the profile knows is read (``claims.py``): a trinity's status table,
hub pages and dashboards, per-agent status files, heartbeat files and JSON self-reports with
per-agent status and the instances online. Contradictions found:

- an agent or machine claimed online (active, operational ...) that git shows silent;
- one claimed offline (not activated, not responsive ...) that git shows committing;
- more instances claimed online than git shows active;
- an "online" claimed as of a time older than the offline limit (a stale claim);
- a time in the file later than the commit that wrote it.
"""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.claims import (
    AGENT,
    OFFLINE,
    ONLINE,
    Claim,
    FileClaims,
    path_trinity,
    read_claims,
)
from lifebuoy.diagnostics.engine.findings import (
    Category,
    Evidence,
    Finding,
    Severity,
    file_evidence,
    line_evidence,
)
from lifebuoy.diagnostics.engine.machines import machine_key
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.snapshot import CommitRef, RepoSnapshot
from lifebuoy.diagnostics.engine.status import (
    AgentStatus,
    MachineStatus,
    agent_statuses,
    machine_statuses,
)
from lifebuoy.diagnostics.engine.timeutil import human_duration

ID = "status_contradictions"
CATEGORY = Category.AGENT_NOT_RESPONDING
SEVERITY = Severity.WARNING

_SKEW_SECONDS = 300

Subject = AgentStatus | MachineStatus


def run(snapshot: RepoSnapshot) -> list[Finding]:
    profile = snapshot.profile
    paths = PathClassifier(profile)
    agents: dict[str, Subject] = {s.agent: s for s in agent_statuses(snapshot)}
    machines: dict[str, Subject] = {machine_key(m.machine): m for m in machine_statuses(snapshot)}
    findings: list[Finding] = []
    for path, text in sorted(snapshot.tip_files.contents.items()):
        heartbeat = any(p.search(path) for p in profile.heartbeat_files)
        if not heartbeat and not any(p.search(path) for p in profile.status_files):
            continue
        trinity = path_trinity(profile, path, paths.trinity_of(path))
        read = read_claims(profile, path, text, trinity, heartbeat=heartbeat)
        contradicted = []
        for claim in read.claims:
            found = agents.get(claim.who) if claim.kind == AGENT else None
            if claim.kind != AGENT:
                found = machines.get(machine_key(claim.who))
            finding = _contradiction(snapshot, path, claim, found)
            if finding is not None:
                findings.append(finding)
                contradicted.append(claim)
        findings.extend(_instances(snapshot, read, agents))
        findings.extend(_stale(snapshot, read, contradicted))
        findings.extend(_future(snapshot, read))
    return findings


def _contradiction(
    snapshot: RepoSnapshot, path: str, claim: Claim, found: Subject | None
) -> Finding | None:
    if claim.state is None or (found is None and claim.kind == AGENT):
        return None
    name = _name(snapshot, claim, found)
    is_online = found is not None and found.status == ONLINE
    last = _last(found)
    if claim.state == ONLINE and not is_online:
        if claim.kind == AGENT:
            truth = (
                f"last active {evidence.ago(snapshot, last.ts)}" if last else "never seen in git"
            )
            summary = f"{path} says {name} is online, but it is {truth}."
        else:
            truth = (
                f"its last commit was {evidence.ago(snapshot, last.ts)}"
                if last
                else "git has no commit from it"
            )
            summary = f"{path} says {name} is online, but {truth}."
    elif claim.state == OFFLINE and is_online and last is not None:
        summary = (
            f"{path} says {name} is not active, but it committed {evidence.ago(snapshot, last.ts)}."
        )
    else:
        return None
    proof = [_claim_evidence(path, claim)]
    if last is not None:
        beat = isinstance(found, MachineStatus) and found.last_heartbeat is not None
        label = "last heartbeat" if beat else ""
        proof.append(evidence.commit(last, label or f"{name}'s last activity"))
    return Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof))


def _instances(
    snapshot: RepoSnapshot, read: FileClaims, agents: dict[str, Subject]
) -> list[Finding]:
    if read.instances is None:
        return []
    claimed, text = read.instances
    online = sorted(a for a, s in agents.items() if s.status == ONLINE)
    if claimed <= len(online):
        return []
    limit = human_duration(snapshot.profile.thresholds.agent_offline)
    summary = (
        f"{read.path} says {claimed} instance(s) are online, but git shows {len(online)} agent(s) "
        f"active within {limit}."
    )
    proof = [file_evidence(read.path, text)]
    proof += [
        evidence.commit(ref, f"{snapshot.profile.agent_label(a)}'s last activity")
        for a in online
        if (ref := _last(agents[a])) is not None
    ]
    return [Finding(ID, CATEGORY, SEVERITY, summary, tuple(proof[: evidence.MAX_EVIDENCE]))]


def _stale(snapshot: RepoSnapshot, read: FileClaims, reported: list[Claim]) -> list[Finding]:
    """ "Online" as of a time older than the offline limit: the file was not kept up."""
    thresholds = snapshot.profile.thresholds
    stale = []
    for claim in read.claims:
        if claim.state != ONLINE or claim.at is None or claim in reported:
            continue
        limit = thresholds.agent_offline if claim.kind == AGENT else thresholds.machine_offline
        if snapshot.now - claim.at > limit:
            stale.append(claim)
    if not stale:
        return []
    oldest = min(c.at for c in stale if c.at is not None)
    names = ", ".join(dict.fromkeys(_name(snapshot, c, None) for c in stale))
    summary = (
        f"{read.path} claims {names} online as of {human_duration(snapshot.now - oldest)} before "
        "the reference time, longer than the offline limit: a stale claim."
    )
    proof = tuple(_claim_evidence(read.path, c) for c in stale[: evidence.MAX_EVIDENCE])
    return [Finding(ID, CATEGORY, Severity.INFO, summary, proof)]


def _future(snapshot: RepoSnapshot, read: FileClaims) -> list[Finding]:
    written = snapshot.history.last_touch.get(read.path)
    stamps = read.stamps()
    if written is None or not stamps:
        return []
    raw, at, line = max(stamps, key=lambda s: s[1])
    if at.timestamp() - written.ts <= _SKEW_SECONDS:
        return []
    summary = f"{read.path} carries a time ({raw}) later than the commit that wrote it."
    claimed = (
        line_evidence(read.path, line, f"claimed time {raw}")
        if line
        else file_evidence(read.path, f"claimed time {raw}")
    )
    return [
        Finding(
            ID, CATEGORY, Severity.INFO, summary, (claimed, evidence.commit(written, "written by"))
        )
    ]


def _name(snapshot: RepoSnapshot, claim: Claim, found: Subject | None) -> str:
    if claim.kind == AGENT:
        return snapshot.profile.agent_label(claim.who)
    return f"machine {found.machine if isinstance(found, MachineStatus) else claim.who}"


def _last(found: Subject | None) -> CommitRef | None:
    if isinstance(found, MachineStatus):
        return found.last_heartbeat or found.last
    return found.last if found is not None else None


def _claim_evidence(path: str, claim: Claim) -> Evidence:
    text = claim.text.strip()
    if claim.line is not None:
        return line_evidence(path, claim.line, text)
    return file_evidence(path, text)
