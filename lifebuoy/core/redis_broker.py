"""kombu's Redis transport, with the hand-back of unacknowledged messages made safe to fail (and
one client object per channel, see ``Channel``).

When Redis goes away under a worker, Celery closes the broken connection, and closing a channel
hands the messages the worker took but has not acknowledged back to their queues. kombu 5.7's
Redis transport does that through a connection whose settings are already gone, and the
``AttributeError`` it raises (``'NoneType' object has no attribute 'hostname'``) escapes
Celery's reconnection and ends the worker for good. Those messages are not lost without the
hand-back: Redis keeps them in its index of unacknowledged messages, and a worker returns them
to their queues once the visibility timeout has passed (``CELERY_BROKER_TRANSPORT_OPTIONS`` in
``config/settings/base.py``). So a hand-back that fails is logged and left to that, and the
worker reconnects as it does after any other connection error. ``config/celery.py`` makes
``redis://`` and ``rediss://`` URLs use this transport.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from kombu.transport import redis

logger = logging.getLogger(__name__)


_CONNECTION_ERRORS: tuple[type[BaseException], ...] = tuple(redis.get_redis_error_classes()[0])


class QoS(redis.QoS):
    def restore_unacked(self, client: Any = None) -> None:
        try:
            super().restore_unacked(client)
        except (AttributeError, OSError, *_CONNECTION_ERRORS) as error:  # type: ignore[misc]
            held = self._delivered if self._delivered is not None else {}
            logger.warning(
                "Could not hand %d unacknowledged messages back to Redis (%s); they return to "
                "their queues after the visibility timeout",
                len(held),
                error,
            )
            held.clear()


class Channel(redis.Channel):
    """Also: one client object for the channel's commands instead of a new one for each. kombu
    builds a ``redis.Redis`` around the channel's connection pool for every message it
    publishes, and setting up its table of reply parsers took a fifth of a publish's CPU. A
    client is safe to share between threads (each command takes a connection from the pool),
    and a new pool (after a reconnection) gets a new client."""

    QoS = QoS
    _shared_client: Any = None

    @contextmanager
    def conn_or_acquire(self, client: Any = None) -> Iterator[Any]:
        if client:
            yield client
            return
        shared = self._shared_client
        if shared is None or shared.connection_pool is not self.pool:
            shared = self._shared_client = self._create_client()  # type: ignore[attr-defined]
        yield shared


class Transport(redis.Transport):
    Channel = Channel
