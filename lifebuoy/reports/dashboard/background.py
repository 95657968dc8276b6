"""The dashboard's table of the desk's own background processes (``lifebuoy/core/heartbeats.py``):
the scheduler and each worker, when each was last heard from, and whether it fell silent."""

from __future__ import annotations

from datetime import datetime, timedelta

from lifebuoy.core.heartbeats import ProcessState, background_health

from .build import Table


def _ago(gap: timedelta) -> str:
    seconds = max(int(gap.total_seconds()), 0)
    if seconds < 120:
        return f"{seconds} s ago"
    if seconds < 2 * 3600:
        return f"{seconds // 60} min ago"
    return f"{seconds // 3600} h ago"


def _row(process: ProcessState, what: str, now: datetime) -> list[str | int]:
    if process.seen_at is None:
        seen, state = "never", "silent"
    else:
        seen = f"{process.seen_at:%Y-%m-%d %H:%M:%S} ({_ago(now - process.seen_at)})"
        state = "silent" if process.silent else "running"
    return [process.name, what, seen, state]


def background_table(*, now: datetime) -> Table:
    health = background_health(now=now)
    rows = [_row(health.scheduler, "sends the periodic sweeps", now)]
    rows += [_row(w, f"queues: {w.queues or 'default'}", now) for w in health.workers]
    if health.ok:
        note = "Every background process is running."
    elif health.scheduler.silent:
        note = (
            "The scheduler is silent: SLA scans, escalation follow-ups, paging and the outbox "
            "sweep are not running. Restart the process that runs lifebuoy worker --beat (or "
            "lifebuoy serve)."
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
