"""Registering deployments, consent and usage tokens over the API; the management command;
a repository without commits."""

from __future__ import annotations

from http import HTTPStatus
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from lifebuoy.monitoring.models import Deployment, DoctorRun
from lifebuoy.monitoring.services.polling import deployment_poll

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db


def _payload(org, owner, repo, **extra):
    return {
        "organization_id": org.id,
        "name": "Acme trinity",
        "repository": str(repo),
        "owner_id": owner.id,
        **extra,
    }


def test_staff_register_a_deployment(acme, alice, bob, api, customer_repo):
    body = _payload(acme, alice, customer_repo.path, poll_interval_seconds=60, consent=True)
    response = api(bob).post("/api/monitoring/deployments", body, content_type="application/json")
    assert response.status_code == HTTPStatus.CREATED
    deployment = Deployment.objects.get(id=response.json()["id"])
    assert deployment.has_read_consent
    assert deployment.mirror_path == f"deployment-{deployment.id}.git"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"poll_interval_seconds": 59}, "poll_interval_seconds"),
        ({"repository": "ext::sh -c id"}, "repository"),
        ({"profile": "no-such-profile"}, "profile"),
    ],
)
def test_invalid_registrations_are_refused(acme, alice, bob, api, customer_repo, change, field):
    body = _payload(acme, alice, customer_repo.path, **change)
    response = api(bob).post("/api/monitoring/deployments", body, content_type="application/json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert field in response.json()["extra"]["fields"]


def test_customers_cannot_register_and_owners_come_from_the_organization(
    acme, alice, bob, charlie, api, customer_repo
):
    body = _payload(acme, alice, customer_repo.path)
    denied = api(alice).post("/api/monitoring/deployments", body, content_type="application/json")
    assert denied.status_code == HTTPStatus.FORBIDDEN
    foreign = _payload(acme, charlie, customer_repo.path, consent=True)
    response = api(bob).post(
        "/api/monitoring/deployments", foreign, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "owner_id" in response.json()["extra"]["fields"]


def test_the_customer_withdraws_consent_and_polling_stops(deployment, alice, charlie, api):
    url = f"/api/monitoring/deployments/{deployment.id}/consent"
    other = api(charlie).put(url, {"consent": False}, content_type="application/json")
    assert other.status_code == HTTPStatus.NOT_FOUND
    response = api(alice).put(url, {"consent": False}, content_type="application/json")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["has_read_consent"] is False
    deployment.refresh_from_db()
    result = call_command_output("monitoring_poll", str(deployment.id), expect_error=True)
    assert "not allowed read access" in result


def test_usage_tokens_are_made_by_staff(deployment, alice, bob, api):
    url = f"/api/monitoring/deployments/{deployment.id}/usage-token"
    assert api(alice).post(url).status_code == HTTPStatus.FORBIDDEN
    response = api(bob).post(url)
    assert response.status_code == HTTPStatus.CREATED
    assert response.json()["token"].startswith("lbd_")


def test_listing_deployments_takes_one_query_whatever_their_number(
    acme, alice, customer_repo, api, django_assert_max_num_queries
):
    for n in range(5):
        make_deployment(acme, alice, customer_repo.path, name=f"d{n}")
    client = api(alice)
    with django_assert_max_num_queries(4):  # token, its last use, the list
        response = client.get("/api/monitoring/deployments")
    assert len(response.json()) == 5


def test_a_repository_without_commits_is_diagnosed(deployment):
    result = deployment_poll(deployment=deployment, now=T0)
    assert result.outcome == "diagnosed"
    run = DoctorRun.objects.get()
    assert run.head_commit == ""
    assert run.new_commits == 0
    assert any(n["what"] == "history" for n in run.report["not_read"])


def test_the_command_polls_one_deployment(deployment, customer_repo):
    customer_repo.commit("C1: plan", at=T0)
    assert "diagnosed" in call_command_output("monitoring_poll", str(deployment.id))
    assert "Polled 0 due" in call_command_output("monitoring_poll")


def call_command_output(*args, expect_error=False):
    out = StringIO()
    if expect_error:
        with pytest.raises(CommandError) as error:
            call_command(*args, stdout=out)
        return str(error.value)
    call_command(*args, stdout=out)
    return out.getvalue()
