"""The Celery application. Tasks are found in each app's ``tasks`` module, and in the
sub-packages listed below that keep their own."""

import os
from collections.abc import Iterator, Mapping
from typing import Any

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

from lifebuoy.core.worker_heartbeat import WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# The embedded default broker, ``sqlite://`` (see lifebuoy/core/sqlite_broker.py), and kombu's
# Redis transport with a fix for broker outages (lifebuoy/core/redis_broker.py).
TRANSPORT_ALIASES.setdefault("sqlite", "lifebuoy.core.sqlite_broker:Transport")
TRANSPORT_ALIASES["redis"] = TRANSPORT_ALIASES["rediss"] = "lifebuoy.core.redis_broker:Transport"

PREFIX = "CELERY_"


class DjangoCelerySettings(Mapping[str, Any]):
    """The ``CELERY_*`` Django settings, read once, when Celery first loads its configuration.

    Celery looks every option up under two names in each of its sources, every time it is used
    (seven for each task sent). Handed Django's settings object it reads it attribute by
    attribute, and an option the project leaves unset costs an ``AttributeError`` per name,
    about a quarter of a publish's CPU; a dict answers a miss with a plain ``KeyError``. Celery
    takes Django's settings object (not the lazy proxy) when it loads them, so it never saw
    later overrides either: reading the values once changes nothing it sees."""

    def __init__(self) -> None:
        self._values: dict[str, Any] | None = None

    def _loaded(self) -> dict[str, Any]:
        if self._values is None:
            from django.conf import settings

            self._values = {
                name: getattr(settings, name) for name in dir(settings) if name.startswith(PREFIX)
            }
        return self._values

    def __getitem__(self, key: str) -> Any:
        return self._loaded()[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._loaded())

    def __len__(self) -> int:
        return len(self._loaded())


app = Celery("lifebuoy", task_cls="lifebuoy.core.celery_task:DeskTask")
app.config_from_object(DjangoCelerySettings(), namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["lifebuoy.notifications.inbound", "lifebuoy.notifications.staff"])

# Each worker records a heartbeat the desk shows and checks (lifebuoy/core/heartbeats.py).
app.steps["worker"].add(WorkerHeartbeat)
