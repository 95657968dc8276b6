"""Each Celery worker's heartbeat: a bootstep whose timer, in the worker's main process, records
the worker every ``WORKER_BEAT_SECONDS`` and checks that the scheduler is still heard from
(``heartbeats.py``). Registered in ``config/celery.py``."""

from __future__ import annotations

import logging
from typing import Any

from celery import bootsteps
from django.db import close_old_connections

logger = logging.getLogger(__name__)


class WorkerHeartbeat(bootsteps.StartStopStep):
    requires = ("celery.worker.components:Timer",)

    def __init__(self, worker: Any, **kwargs: Any) -> None:
        super().__init__(worker, **kwargs)
        self.tref: Any = None

    def start(self, worker: Any) -> None:
        from lifebuoy.core.heartbeats import WORKER_BEAT_SECONDS

        self.beat(worker)
        self.tref = worker.timer.call_repeatedly(WORKER_BEAT_SECONDS, self.beat, (worker,))

    def stop(self, worker: Any) -> None:
        if self.tref is not None:
            self.tref.cancel()
            self.tref = None

    def beat(self, worker: Any) -> None:
        from django.utils import timezone

        from lifebuoy.core.heartbeats import heartbeat_record, scheduler_silence_check
        from lifebuoy.core.models import ProcessHeartbeat

        queues = ",".join(sorted(q.name for q in worker.app.amqp.queues.consume_from.values()))
        try:
            now = timezone.now()
            heartbeat_record(
                name=worker.hostname, kind=ProcessHeartbeat.Kind.WORKER, queues=queues, now=now
            )
            scheduler_silence_check(now=now)
        except Exception:  # the database may be away for a while: try again next time
            logger.exception("Could not record the worker's heartbeat")
        finally:
            close_old_connections()
