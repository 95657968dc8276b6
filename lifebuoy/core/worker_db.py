"""A worker keeps its database connection from one task to the next, as a web process keeps
its connection from one request to the next.

Celery's Django fix-up closes every connection before and after each task unless
``CELERY_DB_REUSE_MAX`` is set, so each task paid for a new connection: the client's set-up and,
on PostgreSQL, a new server process, several milliseconds of CPU on both sides (more than most
tasks' own work). With ``CELERY_DB_REUSE_MAX`` set (``config/settings/base.py``) the fix-up
closes them only every that many tasks, and the receivers below apply Django's per-request
policy around each task instead: a connection older than ``CONN_MAX_AGE``, or one that failed
or was left in a transaction, is closed; a kept one is checked before the next task uses it
(``CONN_HEALTH_CHECKS``).
"""

from __future__ import annotations

from typing import Any

from celery.signals import task_postrun, task_prerun
from django.db import close_old_connections


def _around_task(task: Any = None, **_: Any) -> None:
    if task is not None and getattr(task.request, "is_eager", False):
        return  # an eager task runs inside its caller's connection and transaction
    close_old_connections()


def worker_db_connect_signals() -> None:
    task_prerun.connect(_around_task, dispatch_uid="lifebuoy.core.worker_db.prerun")
    task_postrun.connect(_around_task, dispatch_uid="lifebuoy.core.worker_db.postrun")
