"""kombu's Redis transport, with the hand-back of unacknowledged messages made safe to fail.

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
    QoS = QoS


class Transport(redis.Transport):
    Channel = Channel
