"""The demo's monitored deployments: one healthy, one with the playbook's common problems, both
polled while the demo loads, on a desk with default settings."""

from __future__ import annotations

import random
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from lifebuoy.accounts.models import User
from lifebuoy.demo.repositories import repository_build
from lifebuoy.demo.services import demo_load
from lifebuoy.demo.trinity import troubled_history
from lifebuoy.escalations.models import Page
from lifebuoy.monitoring.models import AgentState, Deployment, DoctorRun, Problem
from lifebuoy.notifications.models import Delivery, DeliveryStatus
from lifebuoy.tickets.models import Ticket

pytestmark = pytest.mark.django_db

HEALTHY = "Meridian reconciliation trinity"
TROUBLED = "Kestrel forecasting trinity"


@pytest.fixture
def demo(now, settings):
    assert not settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS  # the default
    return demo_load(seed=5, tickets=30, now=now)


def _statuses(name: str) -> dict[str, str]:
    states = AgentState.objects.filter(deployment__name=name)
    return dict(states.values_list("agent", "status"))


def test_the_demo_polls_a_healthy_and_a_troubled_deployment_while_it_loads(demo, data_dir):
    assert demo.deployments == 2
    healthy, troubled = (Deployment.objects.get(name=n) for n in (HEALTHY, TROUBLED))
    for deployment in (healthy, troubled):
        assert deployment.repository.startswith(str(data_dir / "demo-repos"))
        assert deployment.has_read_consent
        assert deployment.last_poll_error == ""
        assert DoctorRun.objects.filter(deployment=deployment).count() == 1
    assert set(_statuses(HEALTHY).values()) == {"online"}
    assert len(_statuses(HEALTHY)) == 6
    assert not Problem.objects.filter(deployment=healthy).exists()
    assert DoctorRun.objects.get(deployment=healthy).worst in ("", "info")

    assert _statuses(TROUBLED) == {
        "cloud/C1": "online",
        "cloud/C2": "offline",
        "cloud/C3": "online",
        "terminal/C1": "online",
        "terminal/C2": "online",
        "terminal/C3": "offline",
    }
    problems = Problem.objects.filter(deployment=troubled, cleared_at=None)
    assert set(problems.values_list("kind", flat=True)) == {
        "agent_offline",
        "c3_not_validating",
        "consolidation_slow",
        "protocol_violation",
    }
    assert all(p.ticket is not None and p.ticket.channel == "monitoring" for p in problems)
    findings = DoctorRun.objects.get(deployment=troubled).report["findings"]
    summaries = [(f["check"], f["summary"]) for f in findings if f["severity"] != "info"]
    # what the playbook calls a contradicted status claim and a stale heartbeat
    assert any(
        check == "status_contradictions" and "says Cloud C2 is online" in summary
        for check, summary in summaries
    )
    assert ("machine_heartbeats", "Machine PC2 sent its last heartbeat 55m ago (limit 10m).") in (
        summaries
    )


def test_the_problems_tickets_are_written_as_history(demo):
    """Nobody is paged or emailed for them when the demo loads."""
    tickets = Ticket.objects.filter(channel="monitoring")
    assert tickets.count() == 4
    assert not Page.objects.exists()
    assert not Delivery.objects.filter(ticket__in=tickets).exclude(status=DeliveryStatus.SENT)


def test_the_lead_dashboard_and_the_deployment_pages_show_them(demo):
    client = Client()
    client.force_login(User.objects.get(email="lead@lifebuoy.test"))
    dashboard = client.get(reverse("reports:dashboard"))
    assert dashboard.status_code == HTTPStatus.OK
    table = dashboard.content.decode().split('id="deployments"', 1)[1].split("</section>", 1)[0]
    assert TROUBLED in table
    for kind in ("Agent offline", "C3 not validating", "Consolidation slow", "Protocol violation"):
        assert kind in table
    assert "4 of 4 open problems shown" in table
    assert HEALTHY not in table  # nothing wrong with it

    listing = client.get(reverse("monitoring:list")).content.decode()
    assert HEALTHY in listing
    assert TROUBLED in listing
    troubled = Deployment.objects.get(name=TROUBLED)
    page = client.get(reverse("monitoring:detail", args=[troubled.id])).content.decode()
    assert "Offline: Cloud C2, Terminal C3." in page
    assert "says Cloud C2 is online, but it is last active" in page

    customer = Client()
    customer.force_login(troubled.owner)  # the organization's admin, who gave consent
    portal = customer.get(reverse("monitoring_portal:list")).content.decode()
    assert TROUBLED in portal
    assert HEALTHY not in portal  # another organization's


def test_the_same_seed_and_time_build_the_same_repository(tmp_path, now):
    def head(seed: int, name: str) -> str:
        history = troubled_history(rng=random.Random(seed), now=now, slug="kestrel")
        return repository_build(tmp_path / name, history, now=now)

    first = head(1, "a.git")
    assert head(1, "b.git") == first
    assert head(1, "a.git") == first  # built again in place
    assert head(2, "c.git") != first


def test_a_desk_for_benchmarks_can_be_loaded_without_deployments(now):
    summary = demo_load(seed=5, tickets=0, now=now, deployments=False)
    assert summary.deployments == 0
    assert not Deployment.objects.exists()
    assert not Ticket.objects.exists()  # a benchmark writes its own from id 1
