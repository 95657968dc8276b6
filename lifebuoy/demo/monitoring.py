"""The demo's monitored deployments: one Dual Trinity that works and one with problems, each a
small git repository the demo builds under ``DATA_DIR/demo-repos``, polled once while the
demo loads so the dashboard, the deployment pages and the monitoring tickets show them at
once.

The repositories sit where the mirror accepts a local path with default settings
(``lifebuoy.monitoring.mirror.is_demo_repository``): opening local paths in general would let
staff have any file of the server read. They do not move after loading: a later poll finds
their agents silent once the profile's two hours have passed, as it would a real deployment
that stopped. The polls are a day apart, so that is seen a day later; "Run the doctor now"
shows it sooner.
"""

from __future__ import annotations

import logging
import random
from dataclasses import dataclass
from datetime import datetime

from lifebuoy.accounts.models import Organization, User
from lifebuoy.monitoring.mirror import demo_repositories_root, mirror_discard, mirrors_root
from lifebuoy.monitoring.models import MAX_POLL_SECONDS, Deployment
from lifebuoy.monitoring.services.deployments import NewDeployment, deployment_create
from lifebuoy.monitoring.services.polling import deployment_poll

from .repositories import DemoCommit, RepositoryBuildError, repository_build
from .trinity import healthy_history, troubled_history

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class DemoDeployment:
    organization: str  # slug
    name: str
    repository: str  # the directory's name under demo-repos
    history: str  # "healthy" | "troubled"


DEPLOYMENTS = [
    DemoDeployment(
        "meridian", "Meridian reconciliation trinity", "meridian-reconciliation.git", "healthy"
    ),
    DemoDeployment("kestrel", "Kestrel forecasting trinity", "kestrel-forecasting.git", "troubled"),
]


def _history(kind: str, *, rng: random.Random, now: datetime, slug: str) -> list[DemoCommit]:
    build = healthy_history if kind == "healthy" else troubled_history
    return build(rng=rng, now=now, slug=slug)


def demo_deployments(*, seed: int, now: datetime) -> list[Deployment]:
    """Build the repositories, register the deployments (their organizations' admins as owners,
    who gave consent) and poll each once, here and now: the doctor's findings, the agents'
    statuses and the problems with their tickets exist when the demo is loaded. The caller
    writes this as history (no task per event)."""
    # Its own random stream: the tickets drawn from the demo's seed stay what they were.
    rng = random.Random(f"monitoring-{seed}")  # demo data, not secrets
    root = demo_repositories_root()
    deployments: list[Deployment] = []
    for entry in DEPLOYMENTS:
        org = Organization.objects.get(slug=entry.organization)
        owner = User.objects.get(organization=org, is_organization_admin=True)
        path = root / entry.repository
        try:
            repository_build(
                path, _history(entry.history, rng=rng, now=now, slug=org.slug), now=now
            )
        except RepositoryBuildError:
            # Without git there is nothing to monitor; the rest of the demo is still worth having.
            logger.warning("The demo has no monitored deployments", exc_info=True)
            return deployments
        deployment = deployment_create(
            organization=org,
            data=NewDeployment(
                name=entry.name,
                repository=str(path),
                owner=owner,
                poll_interval_seconds=MAX_POLL_SECONDS,
            ),
            consent=True,
            consent_by=owner,
            now=now,
        )
        # A mirror left at this place by an earlier demo database is of another history.
        if (mirrors_root() / deployment.mirror_path).exists():
            mirror_discard(location=deployment.mirror_path)
        deployment_poll(deployment=deployment, now=now)
        deployments.append(deployment)
    return deployments
