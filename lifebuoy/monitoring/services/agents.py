"""Agent status history. A change is timed by the git evidence, not by the poll that saw it:

- online -> offline at the last activity plus the profile's offline threshold;
- -> online at the commit that proves activity (the latest one, so an agent that came back
  between two polls is counted online from its latest commit: uptime errs on the low side);
- the first observation of an agent starts its history at the poll time;
- -> unmonitored when the repository has been unreadable long enough to be a problem, at the
  first failed poll (uptime counts that time neither way).
Times never go back before the previous change and never past the poll.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction

from lifebuoy.monitoring.models import AgentState, AgentStatus, AgentStatusChange, Deployment


@dataclass(frozen=True)
class ObservedAgent:
    agent: str
    label: str
    status: str
    last_seen_at: datetime | None


def _change_time(
    new: str, last_seen: datetime | None, threshold: timedelta, since: datetime, now: datetime
) -> datetime:
    at = now
    if last_seen is not None and new == AgentStatus.OFFLINE:
        at = last_seen + threshold
    elif last_seen is not None and new == AgentStatus.ONLINE:
        at = last_seen
    return min(max(at, since), now)


def _first_seen(deployment: Deployment, seen: ObservedAgent, now: datetime) -> bool:
    try:
        with transaction.atomic():
            AgentState.objects.create(
                deployment=deployment,
                agent=seen.agent,
                label=seen.label,
                status=seen.status,
                last_seen_at=seen.last_seen_at,
                changed_at=now,
            )
            AgentStatusChange.objects.create(
                deployment=deployment,
                agent=seen.agent,
                new_status=seen.status,
                at=now,
                recorded_at=now,
            )
    except IntegrityError:
        return False  # another poll recorded it first
    return True


def _move(
    state: AgentState,
    seen: ObservedAgent,
    threshold: timedelta,
    now: datetime,
    *,
    at: datetime | None = None,
) -> AgentStatusChange | None:
    if at is None:
        at = _change_time(seen.status, seen.last_seen_at, threshold, state.changed_at, now)
    won = AgentState.objects.filter(id=state.id, status=state.status).update(
        status=seen.status, changed_at=at, last_seen_at=seen.last_seen_at, label=seen.label
    )
    if won != 1:
        return None  # a concurrent poll moved it
    return AgentStatusChange.objects.create(
        deployment_id=state.deployment_id,
        agent=state.agent,
        old_status=state.status,
        new_status=seen.status,
        at=at,
        recorded_at=now,
    )


@transaction.atomic
def agents_record(
    *, deployment: Deployment, seen: list[ObservedAgent], threshold: timedelta, now: datetime
) -> int:
    """Bring the agents' states in line with what the doctor saw; returns the changes made."""
    states = {s.agent: s for s in AgentState.objects.filter(deployment=deployment)}
    changes = 0
    for agent in seen:
        state = states.get(agent.agent)
        if state is None:
            changes += _first_seen(deployment, agent, now)
        elif state.status != agent.status:
            changes += _move(state, agent, threshold, now) is not None
        elif state.last_seen_at != agent.last_seen_at or state.label != agent.label:
            AgentState.objects.filter(id=state.id).update(
                last_seen_at=agent.last_seen_at, label=agent.label
            )
    return changes


@transaction.atomic
def agents_unmonitored(*, deployment: Deployment, since: datetime, now: datetime) -> int:
    """The repository could not be read since ``since``: every agent's status is unknown from
    then (not offline: the agents may well be working) until a poll reads it again, when the
    git evidence times what they did meanwhile."""
    changes = 0
    for state in AgentState.objects.filter(deployment=deployment).exclude(
        status=AgentStatus.UNMONITORED
    ):
        seen = ObservedAgent(state.agent, state.label, AgentStatus.UNMONITORED, state.last_seen_at)
        at = min(max(since, state.changed_at), now)
        changes += _move(state, seen, timedelta(0), now, at=at) is not None
    return changes


@transaction.atomic
def agents_age(*, deployment: Deployment, threshold: timedelta, now: datetime) -> int:
    """Without new commits, time alone turns online agents offline (the cheap poll)."""
    stale = AgentState.objects.filter(
        deployment=deployment, status=AgentStatus.ONLINE, last_seen_at__lt=now - threshold
    )
    changes = 0
    for state in stale:
        seen = ObservedAgent(state.agent, state.label, AgentStatus.OFFLINE, state.last_seen_at)
        changes += _move(state, seen, threshold, now) is not None
    return changes
