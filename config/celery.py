"""The Celery application. Tasks are found in each app's ``tasks`` module, and in the
sub-packages listed below that keep their own."""

import os

from celery import Celery
from kombu.transport import TRANSPORT_ALIASES

from lifebuoy.core.worker_heartbeat import WorkerHeartbeat

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")

# The embedded default broker, ``sqlite://`` (see lifebuoy/core/sqlite_broker.py), and kombu's
# Redis transport with a fix for broker outages (lifebuoy/core/redis_broker.py).
TRANSPORT_ALIASES.setdefault("sqlite", "lifebuoy.core.sqlite_broker:Transport")
TRANSPORT_ALIASES["redis"] = TRANSPORT_ALIASES["rediss"] = "lifebuoy.core.redis_broker:Transport"

app = Celery("lifebuoy", task_cls="celery.contrib.django.task:DjangoTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
app.autodiscover_tasks(["lifebuoy.notifications.inbound", "lifebuoy.notifications.staff"])

# Each worker records a heartbeat the desk shows and checks (lifebuoy/core/heartbeats.py).
app.steps["worker"].add(WorkerHeartbeat)
