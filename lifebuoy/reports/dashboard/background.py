"""The dashboard's table of the desk's own background processes (``lifebuoy/core/heartbeats.py``):
the scheduler and each worker, when each was last heard from, and whether it fell silent."""

from __future__ import annotations

from datetime import datetime

from lifebuoy.core.heartbeats import BackgroundHealth, ProcessState, background_health

from .build import Table


def _row(process: ProcessState, what: str, now: datetime) -> list[str | int]:
    if process.seen_at is None:
        seen, state = "never", "silent"
    else:
        seconds = int((now - process.seen_at).total_seconds())
        seen = f"{process.seen_at:%Y-%m-%d %H:%M:%S} ({seconds} s ago)"
        state = "silent" if process.silent else "running"
    return [process.name, what, seen, state]


def background_table(*, now: datetime, health: BackgroundHealth | None = None) -> Table:
    health = health or background_health(now=now)
    rows = [_row(health.scheduler, "sends the periodic sweeps", now)]
    rows += [_row(w, f"queues: {w.queues or 'default'}", now) for w in health.workers]
    if health.ok:
        note = "Every background process is running."
    elif health.scheduler.silent:
        note = (
            "The scheduler is silent: SLA scans, escalation follow-ups, paging and the outbox "
            "sweep are not running. Restart `lifebuoy worker --beat` (or `lifebuoy serve`)."
        )
    else:
        note = "No worker is running: emails, webhooks and follow-ups wait in the queue."
    return Table(
        "background",
        "Background processes",
        ["Process", "Does", "Last heard from (UTC)", "State"],
        rows,
        note=note,
    )
