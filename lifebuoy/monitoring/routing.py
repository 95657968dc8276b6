"""Where monitoring's per-deployment tasks run when mirrors are spread over machines.

A poll needs the deployment's mirror, which lives on the disk of the machine that polls. With
``LIFEBUOY_MONITORING_PARTITIONS`` = K (K > 0), the polls and mirror clean-ups of deployment
``d`` go to the queue ``monitoring-<d mod K>``, and each mirror machine runs the workers of one
such queue (``lifebuoy worker --queues monitoring-0``): every deployment is polled on one
machine, which keeps its mirror (and the engine state in its workers' memory). With K = 0 (the
default) every task uses the default queue and any worker polls any deployment, which suits
one machine, or several that share ``LIFEBUOY_DATA_DIR``.
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings

POLL = "lifebuoy.monitoring.deployment_poll"
DISCARD = "lifebuoy.monitoring.mirror_discard"
_MIRROR = re.compile(r"^deployment-(\d+)(?:-[0-9a-f]+)?\.git$")


def monitoring_queue(deployment_id: int, partitions: int) -> str:
    return f"monitoring-{deployment_id % partitions}"


def route_task(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], options: dict[str, Any], **_: Any
) -> dict[str, str] | None:
    """Celery router (``CELERY_TASK_ROUTES``): the partition's queue for monitoring's
    per-deployment tasks, None (the default queue) for everything else."""
    partitions = int(getattr(settings, "LIFEBUOY_MONITORING_PARTITIONS", 0))
    if partitions <= 0:
        return None
    deployment_id = _deployment_of(name, args, kwargs)
    if deployment_id is None:
        return None
    return {"queue": monitoring_queue(deployment_id, partitions)}


def _deployment_of(name: str, args: tuple[Any, ...], kwargs: dict[str, Any]) -> int | None:
    if name == POLL:
        value = args[0] if args else kwargs.get("deployment_id")
        return value if isinstance(value, int) else None
    if name == DISCARD:
        location = args[0] if args else kwargs.get("location")
        match = _MIRROR.match(location) if isinstance(location, str) else None
        return int(match.group(1)) if match else None
    return None
