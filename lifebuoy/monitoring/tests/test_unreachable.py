"""A repository Lifebuoy can no longer fetch is itself a problem: after an hour of failed polls
the customer gets a ticket, and it clears once a poll reads the repository again."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from lifebuoy.monitoring.models import (
    AgentState,
    AgentStatus,
    AgentStatusChange,
    Problem,
    ProblemKind,
)
from lifebuoy.monitoring.selectors import uptime_for_deployment, uptime_from_changes
from lifebuoy.monitoring.services.polling import deployment_poll
from lifebuoy.notifications.models import Delivery

from .conftest import T0

pytestmark = pytest.mark.django_db


def _unreachable():
    return Problem.objects.filter(kind=ProblemKind.REPO_UNREACHABLE)


def test_an_hour_of_failed_fetches_opens_one_problem_and_a_working_fetch_clears_it(
    deployment, customer_repo, api, alice
):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    assert deployment_poll(deployment=deployment, now=T0).outcome == "diagnosed"
    hidden = customer_repo.path.with_name("moved-away")
    customer_repo.path.rename(hidden)  # the repository moved, or read access was revoked

    first = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=1))
    assert first.outcome == "failed"
    assert deployment.failing_since == T0 + timedelta(minutes=1)
    nearly = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=60))
    assert nearly.opened == []
    assert not _unreachable().exists()

    hour = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=61))
    [problem] = hour.opened
    assert problem.kind == ProblemKind.REPO_UNREACHABLE
    ticket = problem.ticket
    assert ticket is not None
    assert "not been able to read the repository since 2026-11-24 10:01 UTC" in (ticket.description)
    assert "moved-away" not in ticket.description  # git's message stays internal
    [note] = ticket.messages.filter(is_internal=True)
    assert "git fetch failed" in note.body
    assert "deploy key or access token" in note.body
    shown = api(alice).get(f"/api/monitoring/deployments/{deployment.id}").json()
    assert shown["deployment"]["failing_since"].startswith("2026-11-24T10:01:00")
    assert "repo_unreachable" in [p["kind"] for p in shown["open_problems"]]
    later = deployment_poll(deployment=deployment, now=T0 + timedelta(hours=3))
    assert later.opened == []
    assert _unreachable().count() == 1
    assert deployment.failing_since == T0 + timedelta(minutes=1)  # still the first failure

    hidden.rename(customer_repo.path)
    back = deployment_poll(deployment=deployment, now=T0 + timedelta(hours=3, minutes=5))
    assert back.outcome == "diagnosed"  # nothing new, but the agents' statuses need a run
    assert [p.id for p in back.cleared] == [problem.id]
    assert deployment.failing_since is None
    assert deployment.last_poll_error == ""
    assert Delivery.objects.filter(
        idempotency_key=f"email:monitoring-cleared:{problem.id}"
    ).exists()


def test_a_short_outage_opens_nothing_and_starts_the_count_again(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    deployment_poll(deployment=deployment, now=T0)
    hidden = customer_repo.path.with_name("moved-away")
    customer_repo.path.rename(hidden)
    deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=30))
    hidden.rename(customer_repo.path)
    deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=40))
    customer_repo.path.rename(hidden)
    again = deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=95))
    assert again.outcome == "failed"
    assert again.opened == []  # 55 minutes into this outage, not 65 since the first
    assert deployment.failing_since == T0 + timedelta(minutes=95)
    assert not _unreachable().exists()


def test_the_wait_is_a_setting(deployment, customer_repo, settings):
    settings.LIFEBUOY_MONITORING_UNREACHABLE_MINUTES = 0
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    customer_repo.path.rename(customer_repo.path.with_name("moved-away"))
    result = deployment_poll(deployment=deployment, now=T0)  # the very first clone fails
    assert [p.kind for p in result.opened] == [ProblemKind.REPO_UNREACHABLE]


def test_while_the_repository_is_unreadable_uptime_counts_neither_way(
    deployment, customer_repo, bob
):
    customer_repo.commit("C1: plan", at=T0 - timedelta(minutes=5))
    deployment_poll(deployment=deployment, now=T0)
    assert AgentState.objects.get(agent="cloud/C1").status == AgentStatus.ONLINE
    hidden = customer_repo.path.with_name("moved-away")
    customer_repo.path.rename(hidden)
    deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=1))
    assert AgentState.objects.get(agent="cloud/C1").status == AgentStatus.ONLINE  # not yet
    deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=61))
    state = AgentState.objects.get(agent="cloud/C1")
    assert state.status == AgentStatus.UNMONITORED
    assert state.changed_at == T0 + timedelta(minutes=1)  # from the first failed poll
    desk = Client()
    desk.force_login(bob)
    page = desk.get(reverse("monitoring:detail", args=[deployment.id])).content.decode()
    assert "every poll since 2026-11-24 10:01" in page
    assert "Not monitored" in page

    hidden.rename(customer_repo.path)
    customer_repo.commit("C1: kept working", at=T0 + timedelta(minutes=90))
    deployment_poll(deployment=deployment, now=T0 + timedelta(hours=3))
    back = AgentStatusChange.objects.filter(agent="cloud/C1").order_by("at", "id").last()
    assert back is not None
    assert (back.old_status, back.new_status) == ("unmonitored", "online")
    assert back.at == T0 + timedelta(minutes=90)  # timed by the git evidence
    [c1] = [
        u
        for u in uptime_for_deployment(deployment=deployment, start=T0, end=T0 + timedelta(hours=3))
        if u.agent == "cloud/C1"
    ]
    # Online 10:00-10:01 and 11:30-13:00; 10:01-11:30 was not monitored.
    assert (c1.online_seconds, c1.monitored_seconds) == (60 + 90 * 60, 60 + 90 * 60)


def test_unmonitored_spans_count_neither_way():
    start = T0
    changes: list[tuple[datetime, str]] = [
        (T0, AgentStatus.ONLINE),
        (T0 + timedelta(hours=1), AgentStatus.UNMONITORED),
        (T0 + timedelta(hours=3), AgentStatus.OFFLINE),
    ]
    uptime = uptime_from_changes(changes, agent="a", start=start, end=T0 + timedelta(hours=4))
    assert (uptime.online_seconds, uptime.monitored_seconds) == (3600, 7200)
