"""An organization's deployments at a glance, for the ticket page's requester panel."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.monitoring.models import AgentState, AgentStatus, Deployment, Problem, ProblemKind
from lifebuoy.monitoring.selectors import Health, deployment_health_list_for_organization

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db


def _polled(deployment: Deployment) -> None:
    Deployment.objects.filter(id=deployment.id).update(last_polled_at=T0)


def _problem(deployment: Deployment, kind: str, *, cleared: bool = False) -> None:
    Problem.objects.create(
        deployment=deployment,
        kind=kind,
        severity="warning",
        summary=kind,
        opened_at=T0 - timedelta(hours=2),
        cleared_at=T0 if cleared else None,
    )


def test_each_deployment_has_its_health_worst_first(acme, alice, globex, charlie, tmp_path):
    healthy = make_deployment(acme, alice, tmp_path / "a", name="Alpha")
    _polled(healthy)
    _problem(healthy, ProblemKind.CONFLICT_MARKERS, cleared=True)  # cleared: still healthy
    troubled = make_deployment(acme, alice, tmp_path / "b", name="Beta")
    _polled(troubled)
    _problem(troubled, ProblemKind.C3_NOT_VALIDATING)
    _problem(troubled, ProblemKind.AGENT_OFFLINE)
    for agent, status in (("c1", AgentStatus.OFFLINE), ("c2", AgentStatus.ONLINE)):
        AgentState.objects.create(deployment=troubled, agent=agent, status=status, changed_at=T0)
    failing = make_deployment(acme, alice, tmp_path / "c", name="Gamma")
    Deployment.objects.filter(id=failing.id).update(last_polled_at=T0, failing_since=T0)
    make_deployment(acme, alice, tmp_path / "d", name="Delta", consent=False)
    make_deployment(acme, alice, tmp_path / "e", name="Epsilon")  # first poll to come
    retired = make_deployment(acme, alice, tmp_path / "f", name="Zeta")
    Deployment.objects.filter(id=retired.id).update(is_active=False)
    make_deployment(globex, charlie, tmp_path / "g", name="Globex's")

    rows = deployment_health_list_for_organization(organization=acme)

    assert [(r.deployment.name, r.health) for r in rows] == [
        ("Gamma", Health.FAILING),
        ("Beta", Health.PROBLEMS),
        ("Delta", Health.NO_CONSENT),
        ("Epsilon", Health.NOT_POLLED),
        ("Alpha", Health.HEALTHY),
    ]
    beta = rows[1]
    assert (beta.open_problems, beta.agents_offline) == (2, 1)


def test_it_costs_one_query(acme, alice, tmp_path, django_assert_num_queries):
    for name in ("a", "b", "c"):
        make_deployment(acme, alice, tmp_path / name, name=name)
    with django_assert_num_queries(1):
        deployment_health_list_for_organization(organization=acme)
