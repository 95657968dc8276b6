"""Queueing background work from services, once the change that asks for it has committed.

A transaction often asks for several tasks (a ticket's acknowledgement email, its escalation
follow-up, a webhook). Each message to the broker costs the web process about a millisecond, so
the tasks of one transaction leave as one message when there are several: ``enqueue_batch``
then queues each of them from a worker, with its own routing, retries and time limits.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

from celery import Task, current_app, shared_task
from django.db import transaction
from django.db.backends.base.base import BaseDatabaseWrapper

logger = logging.getLogger(__name__)

_BATCH = "_lifebuoy_enqueue_batch"
_SKIPPED: ContextVar[frozenset[str]] = ContextVar("lifebuoy_enqueue_skipped", default=frozenset())


@dataclass(eq=False)
class _Job:
    task: Task[Any, Any]
    args: tuple[Any, ...]
    kwargs: dict[str, Any]
    kept: bool = False

    def keep(self) -> None:
        self.kept = True


@dataclass(eq=False)
class _Batch:
    """The tasks one transaction asked for. Each job's ``keep`` is an ordinary on-commit
    callback, so a rolled-back savepoint drops it as Django drops any callback; ``flush`` stays
    last in the queue of callbacks and sends the jobs that were kept."""

    connection: BaseDatabaseWrapper
    jobs: list[_Job] = field(default_factory=list)
    at: int = -1  # where ``flush`` was last put in ``connection.run_on_commit``

    def is_queued(self) -> bool:
        """Whether ``flush`` is still among the callbacks (not once the transaction rolled
        back). Checked where it was put, in constant time, so that a transaction asking for
        hundreds of tasks (a bulk change) does not scan the list for each: the list is searched
        only after Django rebuilt it, i.e. after a savepoint's rollback or the transaction's end."""
        if self.at < 0:
            return False
        entries = self.connection.run_on_commit
        if not (self.at < len(entries) and entries[self.at][1] == self.flush):
            found = (i for i, entry in enumerate(entries) if entry[1] == self.flush)
            self.at = next(found, -1)
        return self.at >= 0

    def flush(self) -> None:
        if getattr(self.connection, _BATCH, None) is self:
            delattr(self.connection, _BATCH)
        _publish([job for job in self.jobs if job.kept])


# After a failed publish, this process leaves its work to the sweeps for this many seconds
# instead of trying the broker again on every request.
BROKER_PAUSE_SECONDS = 5.0
_broker_paused_until = 0.0


def _publish(jobs: list[_Job]) -> None:
    """Send the jobs: one alone as itself, several as one batch. A broker outage is logged,
    never raised, and costs the request at most one quick attempt: the change itself is already
    committed with what it asks for (outbox deliveries, SLA events, paging intents), and each
    feature's sweep picks up what was not queued. After a failure the process does not try
    again for ``BROKER_PAUSE_SECONDS``, so an outage adds nothing to the requests meanwhile."""
    global _broker_paused_until  # noqa: PLW0603 - one per process, like the broker connection
    if not jobs:
        return
    names = ", ".join(job.task.name for job in jobs)
    if time.monotonic() < _broker_paused_until:
        logger.warning("Broker unavailable: %s left to the sweeps", names)
        return
    try:
        if len(jobs) == 1:
            jobs[0].task.delay(*jobs[0].args, **jobs[0].kwargs)
        else:
            enqueue_batch.delay([[job.task.name, list(job.args), job.kwargs] for job in jobs])
    except Exception:
        _broker_paused_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.exception("Could not enqueue %s after the commit; the sweeps will", names)


def _batch_of(connection: BaseDatabaseWrapper) -> _Batch:
    batch: _Batch | None = getattr(connection, _BATCH, None)
    # A batch whose flush is no longer queued belongs to a transaction that rolled back.
    if batch is None or not batch.is_queued():
        batch = _Batch(connection)
        setattr(connection, _BATCH, batch)
    return batch


@contextmanager
def enqueue_skipped(*tasks: Task[Any, Any]) -> Iterator[None]:
    """Within this block ``enqueue_on_commit`` drops these tasks: for a caller that does their
    work in bulk itself (the demo loader writing a month of history at once)."""
    token = _SKIPPED.set(_SKIPPED.get() | {task.name for task in tasks})
    try:
        yield
    finally:
        _SKIPPED.reset(token)


def enqueue_on_commit(task: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
    """Queue ``task`` after the current transaction commits (right away outside one)."""
    if task.name in _SKIPPED.get():
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        _publish([_Job(task, args, kwargs, kept=True)])
        return
    batch = _batch_of(connection)
    job = _Job(task, args, kwargs)
    batch.jobs.append(job)
    transaction.on_commit(job.keep)
    # The flush runs after every keep, and belongs to no savepoint: rolling one back must not
    # drop the jobs that came before it. Its earlier place becomes a no-op rather than being
    # removed, so the callbacks keep their positions (as Django's test helpers count them).
    entries = connection.run_on_commit
    if batch.is_queued():
        sids, _, robust = entries[batch.at]
        entries[batch.at] = (sids, _nothing, robust)
    entries.append((set(), batch.flush, True))
    batch.at = len(entries) - 1


def _nothing() -> None:
    """Where a batch's flush was before a later task moved it to the end."""


@shared_task(name="lifebuoy.core.enqueue_batch", time_limit=60, soft_time_limit=45)
def enqueue_batch(jobs: list[list[Any]]) -> int:
    """Queue each ``[task name, args, kwargs]`` of one committed transaction; the number
    queued. An unknown task name (from an older or newer release) is logged and skipped."""
    queued = 0
    for name, args, kwargs in jobs:
        task = current_app.tasks.get(name)
        if task is None:
            logger.error("enqueue_batch: no task named %s", name)
            continue
        task.delay(*args, **kwargs)
        queued += 1
    return queued


@shared_task(name="lifebuoy.core.idempotency_keys_purge", time_limit=300, soft_time_limit=240)
def idempotency_keys_purge(batch_size: int = 10_000) -> int:
    """Forget the API's idempotency keys older than a day (one bounded batch per run)."""
    from django.utils import timezone

    from lifebuoy.core.idempotency import idempotency_keys_purge as purge

    return purge(now=timezone.now(), batch_size=batch_size)


@shared_task(name="lifebuoy.core.scheduler_heartbeat", time_limit=30, soft_time_limit=20)
def scheduler_heartbeat() -> None:
    """Sent by the scheduler to the periodic queue: its running proves both are alive."""
    from django.utils import timezone

    from lifebuoy.core.heartbeats import SCHEDULER, heartbeat_record

    heartbeat_record(name=SCHEDULER, kind=SCHEDULER, now=timezone.now())
