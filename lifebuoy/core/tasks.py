"""Queueing background work from services, once the change that asks for it has committed."""

from __future__ import annotations

import logging
from typing import Any

from celery import Task
from django.db import transaction

logger = logging.getLogger(__name__)


def enqueue_on_commit(task: Task[Any, Any], /, *args: Any, **kwargs: Any) -> None:
    """Queue ``task`` after the current transaction commits. A broker outage is logged, never
    raised: the change itself is already committed, and each feature's sweep picks up what was
    not queued."""

    def enqueue() -> None:
        task.delay(*args, **kwargs)

    # Django names the callback when it logs a failure; a partial has no name to give.
    enqueue.__qualname__ = f"enqueue {task.name}"
    transaction.on_commit(enqueue, robust=True)
