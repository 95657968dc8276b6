"""Signs of life of the background processes, and what the desk makes of them.

Each Celery worker records a heartbeat every ``WORKER_BEAT_SECONDS`` from its main process
(``worker_heartbeat.py``). The scheduler sends ``lifebuoy.core.scheduler_heartbeat`` to the
periodic queue every ``SCHEDULER_BEAT_SECONDS``; the periodic worker that runs it records the
scheduler's heartbeat, so a fresh one means the scheduler sends and the sweeps are served. A
process is *silent* once its heartbeat is older than three of its periods: the lead's dashboard
and ``/healthz`` say so, and the workers warn the leads once per silence (``scheduler_silent``).
A worker gone for an hour is forgotten (a restarted worker has a new name: its process id).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import Q
from django.dispatch import Signal

from lifebuoy.core.models import ProcessHeartbeat

SCHEDULER = "scheduler"
SCHEDULER_BEAT_SECONDS = 30
WORKER_BEAT_SECONDS = 30
SILENT_AFTER = 3  # periods
FORGET_AFTER = timedelta(hours=1)

# Sent (with ``seen_at``: the last heartbeat, or None if there never was one) when the
# scheduler has been silent for three periods; receivers warn the people who run the desk.
scheduler_silent = Signal()


@dataclass(frozen=True)
class ProcessState:
    name: str
    kind: str
    queues: str
    seen_at: datetime | None
    silent: bool


@dataclass(frozen=True)
class BackgroundHealth:
    scheduler: ProcessState
    workers: list[ProcessState]

    @property
    def ok(self) -> bool:
        return not self.scheduler.silent and any(not w.silent for w in self.workers)


def heartbeat_record(*, name: str, kind: str, queues: str = "", now: datetime) -> None:
    if kind == SCHEDULER:  # the scheduler's beat also clears out workers long gone
        ProcessHeartbeat.objects.filter(
            kind=ProcessHeartbeat.Kind.WORKER, seen_at__lt=now - timedelta(days=7)
        ).delete()
    updated = ProcessHeartbeat.objects.filter(name=name).update(
        seen_at=now, queues=queues, alerted_at=None
    )
    if not updated:
        ProcessHeartbeat.objects.get_or_create(
            name=name, defaults={"kind": kind, "queues": queues, "started_at": now, "seen_at": now}
        )


def _silent(seen_at: datetime | None, period: int, now: datetime) -> bool:
    return seen_at is None or now - seen_at > timedelta(seconds=period * SILENT_AFTER)


def background_health(*, now: datetime) -> BackgroundHealth:
    recent = Q(seen_at__gte=now - FORGET_AFTER) | Q(kind=ProcessHeartbeat.Kind.SCHEDULER)
    rows = list(ProcessHeartbeat.objects.filter(recent).order_by("name"))
    scheduler = next((r for r in rows if r.kind == ProcessHeartbeat.Kind.SCHEDULER), None)
    seen = scheduler.seen_at if scheduler else None
    return BackgroundHealth(
        scheduler=ProcessState(
            SCHEDULER, SCHEDULER, "", seen, _silent(seen, SCHEDULER_BEAT_SECONDS, now)
        ),
        workers=[
            ProcessState(
                r.name, r.kind, r.queues, r.seen_at, _silent(r.seen_at, WORKER_BEAT_SECONDS, now)
            )
            for r in rows
            if r.kind == ProcessHeartbeat.Kind.WORKER
        ],
    )


def scheduler_silence_check(*, now: datetime) -> bool:
    """Called by every worker with its heartbeat: warn once when the scheduler fell silent.
    The conditional update makes one worker of many the one that warns."""
    limit = now - timedelta(seconds=SCHEDULER_BEAT_SECONDS * SILENT_AFTER)
    if not ProcessHeartbeat.objects.filter(name=SCHEDULER).exists():
        # Never seen: worth a warning only once the workers have run a while without it.
        workers = ProcessHeartbeat.objects.filter(kind=ProcessHeartbeat.Kind.WORKER)
        if not workers.filter(started_at__lt=limit).exists():
            return False
        ProcessHeartbeat.objects.get_or_create(
            name=SCHEDULER,
            defaults={"kind": ProcessHeartbeat.Kind.SCHEDULER, "started_at": now, "seen_at": None},
        )
    silent = Q(seen_at__lt=limit) | Q(seen_at__isnull=True)
    claimed = ProcessHeartbeat.objects.filter(
        silent, name=SCHEDULER, alerted_at__isnull=True
    ).update(alerted_at=now)
    if claimed:
        seen_at = ProcessHeartbeat.objects.filter(name=SCHEDULER).values_list("seen_at", flat=True)
        scheduler_silent.send(sender=ProcessHeartbeat, seen_at=seen_at.first(), now=now)
    return bool(claimed)
