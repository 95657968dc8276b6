"""The class of every Lifebuoy task: Celery's Django task, with a cheaper ``delay``.

Celery's ``delay`` borrows a producer from its pool for each message, and with it a connection
from another pool and a new channel on it, gives all of them back afterwards, and declares the
task's queue again, copying the queue and its exchange to bind them, even though that
connection declared it before. That is about a quarter of what sending a task costs the process,
and a web request that creates a ticket sends one. Here each thread keeps a producer on a
broker connection of its own between messages, and leaves out the queue's declaration on the
transports that route a task to its queue by name without one (Redis, the embedded SQLite
broker, the in-memory one of the tests); with the others Celery declares it as it always does.

Everything else is Celery's own ``apply_async``: routing, headers, signals, eager mode. A
message that fails to go out drops the kept producer and its connection, so the next one starts
on a new connection; the caller decides what the failure means (``lifebuoy.core.tasks`` logs it
and leaves the work to the sweeps).
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any

from celery.contrib.django.task import DjangoTask
from celery.result import AsyncResult
from kombu import Producer

# Transports on which Celery's messages reach their queue by its name, declared or not.
ROUTED_BY_NAME = frozenset({"redis", "sqlite", "memory"})

_kept = threading.local()


class _Kept:
    def __init__(self, producer: Producer, *, declare: bool) -> None:
        self.producer = producer
        self.declare = declare
        self.pid = os.getpid()


def _kept_producer(task: DjangoTask[Any, Any]) -> _Kept:
    kept: _Kept | None = getattr(_kept, "producer", None)
    # A producer made before a fork is the parent's: its connection is not this process's.
    if kept is None or kept.pid != os.getpid():
        connection = task.app.connection_for_write()
        producer = task.app.amqp.Producer(connection, auto_declare=False)
        kept = _Kept(producer, declare=connection.transport.driver_type not in ROUTED_BY_NAME)
        _kept.producer = kept
    return kept


def kept_producer_drop() -> None:
    """Forget this thread's producer and close its connection (after a failed send; tests)."""
    kept: _Kept | None = getattr(_kept, "producer", None)
    _kept.producer = None
    connection = None if kept is None else kept.producer.connection
    if connection is not None and kept is not None and kept.pid == os.getpid():
        with contextlib.suppress(Exception):  # it is being given up anyway
            connection.collect()


class DeskTask(DjangoTask[Any, Any]):
    def delay(self, *args: Any, **kwargs: Any) -> AsyncResult[Any]:
        if self.app.conf.task_always_eager:
            return self.apply_async(args, kwargs)
        kept = _kept_producer(self)
        options: dict[str, Any] = {} if kept.declare else {"declare": []}
        try:
            return self.apply_async(args, kwargs, producer=kept.producer, **options)
        except BaseException:
            kept_producer_drop()
            raise
