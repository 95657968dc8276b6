from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from lifebuoy.diagnostics.engine.tests.gitrepo import RepoBuilder
from lifebuoy.monitoring.services.deployments import NewDeployment, deployment_create

T0 = datetime(2026, 11, 24, 10, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.LIFEBUOY_SLACK_WEBHOOK_URL = "https://hooks.slack.test/services/x"
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = True  # the customer repos live in tmp_path
    return settings.DATA_DIR


@pytest.fixture
def customer_repo(tmp_path) -> RepoBuilder:
    return RepoBuilder(tmp_path / "customer")


def make_deployment(org, owner, repo_path, *, consent=True, budget=None, now=T0, **kwargs):
    data = NewDeployment(
        name=kwargs.pop("name", "Acme trinity"),
        repository=str(repo_path),
        owner=owner,
        monthly_budget=Decimal(budget) if budget is not None else None,
        **kwargs,
    )
    return deployment_create(organization=org, data=data, consent=consent, now=now)


@pytest.fixture
def deployment(acme, alice, customer_repo):
    return make_deployment(acme, alice, customer_repo.path)
