"""Per-agent and per-machine status at the reference time, shared by checks and reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from lifebuoy.diagnostics.engine.snapshot import CommitRef, RepoSnapshot

ONLINE = "online"
OFFLINE = "offline"
NEVER_SEEN = "never_seen"


@dataclass(frozen=True)
class AgentStatus:
    agent: str
    label: str
    trinity: str
    role: str
    role_name: str
    status: str
    last: CommitRef | None
    method: str | None
    age: timedelta | None
    commits: int


@dataclass(frozen=True)
class MachineStatus:
    machine: str
    status: str
    last: CommitRef | None
    last_heartbeat: CommitRef | None
    age: timedelta | None
    heartbeats: int
    commits: int


def agent_statuses(snapshot: RepoSnapshot) -> list[AgentStatus]:
    profile = snapshot.profile
    limit = profile.thresholds.agent_offline
    known = list(profile.agents)
    extra = sorted(set(snapshot.history.agents) - set(known))
    statuses = []
    for agent in known + extra:
        trinity, _, role = agent.partition("/")
        activity = snapshot.history.agents.get(agent)
        last = activity.last if activity else None
        age = snapshot.now - last.at if last else None
        status = NEVER_SEEN if age is None else ONLINE if age <= limit else OFFLINE
        statuses.append(
            AgentStatus(
                agent=agent,
                label=profile.agent_label(agent),
                trinity=trinity,
                role=role,
                role_name=profile.role_names.get(role, role),
                status=status,
                last=last,
                method=activity.method if activity else None,
                age=age,
                commits=activity.commits if activity else 0,
            )
        )
    return statuses


def machine_statuses(snapshot: RepoSnapshot) -> list[MachineStatus]:
    """Judged on heartbeats when a daemon sends them, else on any commit naming the machine."""
    thresholds = snapshot.profile.thresholds
    statuses = []
    for name in sorted(snapshot.history.machines):
        machine = snapshot.history.machines[name]
        reference = machine.last_heartbeat or machine.last
        limit = thresholds.machine_offline if machine.last_heartbeat else thresholds.agent_offline
        age = snapshot.now - reference.at if reference else None
        status = ONLINE if age is not None and age <= limit else OFFLINE
        statuses.append(
            MachineStatus(
                name,
                status,
                machine.last,
                machine.last_heartbeat,
                age,
                machine.heartbeats,
                machine.commits,
            )
        )
    return statuses
