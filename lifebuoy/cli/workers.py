"""Which Celery workers a machine runs, and on which queues.

Two queues (docs/deploy.md, "Queues"): ``periodic`` takes the scheduler's sweeps — SLA breach
scan, outbox sweep, escalation follow-ups and paging, monitoring dispatch — and ``celery`` (the
default) everything else: emails, webhooks, ticket follow-ups, bulk changes, polls. Unless told
which queues to take, a machine runs two workers: one for the bulk queues and one, with a slot
of its own, for ``periodic``, so a backlog of bulk work never delays a sweep. The scheduler
(``--beat``) runs inside the periodic worker.

Each worker gets a node name of its own (``bulk.<pid>@<host>``, ``periodic.<pid>@<host>``): two
workers on one machine never share ``celery@<host>``.
"""

from __future__ import annotations

import os
import sys

from django.conf import settings

BULK_QUEUE = "celery"


def _prefetch_multiplier() -> int:
    """Tasks a worker process holds ahead: several on the embedded broker, where taking a
    message is a local query, so a process never waits for the next; one on a shared broker,
    where held messages would be kept from the other machines' workers."""
    embedded = str(settings.CELERY_BROKER_URL).startswith("sqlite")
    return 4 if embedded else int(settings.CELERY_WORKER_PREFETCH_MULTIPLIER)


def celery_worker(
    role: str, *, queues: list[str], concurrency: int, beat: bool = False
) -> list[str]:
    args = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "config",
        "worker",
        "-l",
        "info",
        "-n",
        f"{role}.{os.getpid()}@%h",
        "--concurrency",
        str(concurrency),
        "--prefetch-multiplier",
        str(_prefetch_multiplier()),
        "--without-gossip",
        "--without-mingle",
    ]
    if beat:
        args += ["-B"]
    if queues:
        args += ["--queues", ",".join(queues)]
    return args


def bulk_queues() -> list[str]:
    """The default queue, plus the monitoring partitions when ``LIFEBUOY_MONITORING_PARTITIONS``
    is set (one machine then polls every partition)."""
    partitions = int(getattr(settings, "LIFEBUOY_MONITORING_PARTITIONS", 0))
    return [BULK_QUEUE, *(f"monitoring-{k}" for k in range(max(partitions, 0)))]


def machine_workers(*, beat: bool, concurrency: int, queues: list[str]) -> dict[str, list[str]]:
    """The workers of one machine: the given queues in one worker, or else a bulk worker and a
    periodic one (which runs the scheduler when ``beat``)."""
    if queues:
        return {
            "worker": celery_worker("worker", queues=queues, concurrency=concurrency, beat=beat)
        }
    return {
        "worker": celery_worker("bulk", queues=bulk_queues(), concurrency=concurrency),
        "periodic": celery_worker(
            "periodic", queues=[settings.LIFEBUOY_PERIODIC_QUEUE], concurrency=1, beat=beat
        ),
    }
