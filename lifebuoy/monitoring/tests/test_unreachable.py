"""A repository Lifebuoy can no longer fetch is itself a problem: after an hour of failed polls
the customer gets a ticket, and it clears once a poll reads the repository again."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.monitoring.models import Problem, ProblemKind
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
    assert back.outcome == "unchanged"  # nothing new, but the fetch worked
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
