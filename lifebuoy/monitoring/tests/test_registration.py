"""Registering and editing deployments on the desk and over the API: who may, per-field
errors, consent (required, recorded, withdrawn) and what an edit does to polling."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.monitoring import tasks
from lifebuoy.monitoring.models import Deployment
from lifebuoy.monitoring.selectors import deployment_list_due
from lifebuoy.monitoring.services.polling import deployment_due_claim, deployment_poll

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db
NEW = "/desk/monitoring/new/"
API = "/api/monitoring/deployments"


def _signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def _form(org, owner, repo, **extra):
    data = {
        "organization_id": org.id,
        "name": "Acme trinity",
        "repository": str(repo),
        "branch": "",
        "profile": "dual-trinity",
        "poll_interval_seconds": "3600",
        "monthly_budget": "",
        "owner_id": owner.id,
        "consent": "on",
    }
    data.update(extra)
    return {k: v for k, v in data.items() if v is not None}


def _json(org, owner, repo, **extra):
    body = {
        "organization_id": org.id,
        "name": "Acme trinity",
        "repository": str(repo),
        "owner_id": owner.id,
        "consent": True,
    }
    body.update(extra)
    return body


def _edit(deployment, **extra):
    data = _form(deployment.organization, deployment.owner, deployment.repository, **extra)
    data.pop("organization_id")
    data["poll_interval_seconds"] = extra.get(
        "poll_interval_seconds", str(deployment.poll_interval_seconds)
    )
    return data


# -- the desk form ---------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["ted", "bob", "grace", "lena", "ada"])
def test_support_staff_open_the_registration_form(who, request):
    response = _signed_in(request.getfixturevalue(who)).get(NEW)
    assert response.status_code == HTTPStatus.OK
    assert "dual-trinity" in response.content.decode()


def test_a_lead_registers_a_deployment_and_consent_records_who_and_when(
    acme, alice, lena, customer_repo
):
    data = _form(acme, alice, customer_repo.path, branch="main", monthly_budget="250.00")
    response = _signed_in(lena).post(NEW, data)
    deployment = Deployment.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert response["Location"] == f"/desk/monitoring/{deployment.id}/"
    assert deployment.branch == "main"
    assert str(deployment.monthly_budget) == "250.00"
    assert deployment.has_read_consent
    assert deployment.consent_by == lena
    assert deployment.consent_at is not None
    assert deployment in deployment_list_due(now=deployment.consent_at, limit=10)


def test_the_form_refuses_a_registration_without_consent(acme, alice, bob, customer_repo):
    response = _signed_in(bob).post(NEW, _form(acme, alice, customer_repo.path, consent=None))
    assert response.status_code == HTTPStatus.OK
    assert "consent" in response.context["form"].errors
    assert not Deployment.objects.exists()


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"repository": "http://example.com/acme.git"}, "repository"),
        ({"repository": "git://example.com/acme.git"}, "repository"),
        ({"repository": "ext::sh -c id"}, "repository"),
        ({"profile": "no-such-profile"}, "profile"),
        ({"poll_interval_seconds": "59"}, "poll_interval_seconds"),
        ({"poll_interval_seconds": "86401"}, "poll_interval_seconds"),
        ({"poll_interval_seconds": "hourly"}, "poll_interval_seconds"),
        ({"branch": "main", "all_branches": "on"}, "branch"),
        ({"branch": "--upload-pack=x"}, "branch"),
        ({"monthly_budget": "-5"}, "monthly_budget"),
        ({"name": "  "}, "name"),
    ],
)
def test_the_form_shows_each_mistake_on_its_field(acme, alice, bob, customer_repo, change, field):
    response = _signed_in(bob).post(NEW, _form(acme, alice, customer_repo.path, **change))
    assert response.status_code == HTTPStatus.OK
    assert field in response.context["form"].errors
    assert not Deployment.objects.exists()


def test_an_owner_from_another_organization_is_a_field_error(acme, charlie, bob, customer_repo):
    response = _signed_in(bob).post(NEW, _form(acme, charlie, customer_repo.path))
    assert response.status_code == HTTPStatus.OK
    assert "owner_id" in response.context["form"].errors
    assert not Deployment.objects.exists()


def test_local_paths_need_the_setting(acme, alice, bob, customer_repo, settings):
    settings.LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS = False
    for value in (str(customer_repo.path), f"file://{customer_repo.path}"):
        response = _signed_in(bob).post(NEW, _form(acme, alice, value))
        assert "Local paths are not allowed" in response.context["form"].errors["repository"][0]
    ok = _form(acme, alice, "git@github.com:acme/trinity.git")
    assert _signed_in(bob).post(NEW, ok).status_code == HTTPStatus.FOUND


def test_customers_cannot_reach_the_desk_forms(deployment, acme, alice, charlie, customer_repo):
    urls = [NEW, f"/desk/monitoring/{deployment.id}/edit/"]
    for user in (alice, charlie):
        client = _signed_in(user)
        for url in urls:
            assert client.get(url).status_code == HTTPStatus.FORBIDDEN
        client.post(NEW, _form(acme, alice, customer_repo.path, name="Sneaky"))
        client.post(urls[1], _edit(deployment, name="Renamed"))
    assert list(Deployment.objects.values_list("name", flat=True)) == ["Acme trinity"]


def test_the_list_links_to_the_forms(deployment, bob):
    page = _signed_in(bob).get("/desk/monitoring/").content.decode()
    assert 'href="/desk/monitoring/new/"' in page
    assert f'href="/desk/monitoring/{deployment.id}/edit/"' in page


# -- editing and withdrawing -------------------------------------------------------------------


def test_the_edit_page_changes_settings_and_keeps_the_recorded_consent(deployment, bob, lena):
    client = _signed_in(bob)
    assert client.get(f"/desk/monitoring/{deployment.id}/edit/").status_code == HTTPStatus.OK
    data = _edit(deployment, name="Acme prod", poll_interval_seconds="60", all_branches="on")
    response = client.post(f"/desk/monitoring/{deployment.id}/edit/", data)
    assert response.status_code == HTTPStatus.FOUND
    before = deployment.consent_at
    deployment.refresh_from_db()
    assert deployment.name == "Acme prod"
    assert deployment.poll_interval_seconds == 60
    assert deployment.all_branches
    assert deployment.has_read_consent
    assert deployment.consent_at == before  # unchanged: nobody confirmed it again


def test_unticking_consent_on_the_edit_page_stops_polling_at_once(deployment, bob):
    listed = deployment_list_due(now=T0, limit=10)
    assert listed == [deployment]
    data = _edit(deployment, consent=None)
    response = _signed_in(bob).post(f"/desk/monitoring/{deployment.id}/edit/", data)
    assert response.status_code == HTTPStatus.FOUND
    deployment.refresh_from_db()
    assert not deployment.has_read_consent
    assert deployment.consent_at is None
    assert deployment_list_due(now=T0 + timedelta(days=1), limit=10) == []
    # A worker that listed it before the withdrawal cannot claim it any more.
    assert not deployment_due_claim(deployment=listed[0], now=T0)


def test_the_withdraw_button_stops_polling(deployment, bob, customer_repo):
    customer_repo.commit("C1: plan", at=T0)
    url = f"/desk/monitoring/{deployment.id}/consent/withdraw/"
    assert _signed_in(bob).get(url).status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert _signed_in(bob).post(url).status_code == HTTPStatus.FOUND
    assert deployment_list_due(now=T0 + timedelta(days=1), limit=10) == []
    deployment.refresh_from_db()
    with pytest.raises(Exception, match="not allowed read access"):
        deployment_poll(deployment=deployment, now=T0)


def test_consent_given_again_on_the_edit_page_is_recorded(acme, alice, lena, customer_repo):
    deployment = make_deployment(acme, alice, customer_repo.path, consent=False)
    data = _edit(deployment)
    _signed_in(lena).post(f"/desk/monitoring/{deployment.id}/edit/", data)
    deployment.refresh_from_db()
    assert deployment.has_read_consent
    assert deployment.consent_by == lena


def test_a_new_repository_gets_a_fresh_mirror_and_the_old_one_is_deleted(
    deployment, bob, customer_repo, tmp_path, django_capture_on_commit_callbacks, monkeypatch
):
    customer_repo.commit("C1: plan", at=T0)
    assert deployment_poll(deployment=deployment, now=T0).outcome == "diagnosed"
    old = deployment.mirror_path
    queued: list[str] = []
    monkeypatch.setattr(tasks.mirror_discard, "delay", queued.append)
    other = tmp_path / "moved"
    customer_repo.git("clone", "-q", "--bare", str(customer_repo.path), str(other))
    with django_capture_on_commit_callbacks(execute=True):
        response = _signed_in(bob).post(
            f"/desk/monitoring/{deployment.id}/edit/", _edit(deployment, repository=str(other))
        )
    assert response.status_code == HTTPStatus.FOUND
    deployment.refresh_from_db()
    assert deployment.mirror_path not in {"", old}
    assert deployment.last_refs_digest == ""
    assert queued == [old]
    tasks.mirror_discard(old)
    assert not (tmp_path / "data" / "mirrors" / old).exists()
    assert deployment_poll(deployment=deployment, now=T0 + timedelta(minutes=1)).run is not None


def test_a_named_branch_is_the_one_diagnosed(acme, alice, customer_repo):
    customer_repo.commit("C1: plan", at=T0 - timedelta(hours=1))
    customer_repo.git("checkout", "-q", "-b", "dev")
    tip = customer_repo.commit("C2: build", at=T0 - timedelta(minutes=30))
    customer_repo.git("checkout", "-q", "main")
    deployment = make_deployment(acme, alice, customer_repo.path, branch="dev")
    result = deployment_poll(deployment=deployment, now=T0)
    assert result.run is not None
    assert result.run.head_commit == tip
    missing = make_deployment(acme, alice, customer_repo.path, name="x", branch="nope")
    assert deployment_poll(deployment=missing, now=T0).outcome == "failed"


# -- the API ---------------------------------------------------------------------------------


def test_the_api_requires_consent_to_register(acme, alice, bob, api, customer_repo):
    body = _json(acme, alice, customer_repo.path, consent=False)
    response = api(bob).post(API, body, content_type="application/json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert set(response.json()["extra"]["fields"]) == {"consent"}
    created = api(bob).post(API, {**body, "consent": True}, content_type="application/json")
    assert created.status_code == HTTPStatus.CREATED
    assert created.json()["consent_by_id"] == bob.id


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"poll_interval_seconds": 86_401}, "poll_interval_seconds"),
        ({"poll_interval_seconds": "often"}, "poll_interval_seconds"),
        ({"repository": "http://example.com/a.git"}, "repository"),
        ({"profile": "/etc/passwd"}, "profile"),
        ({"monthly_budget": "NaN"}, "monthly_budget"),
        ({"monthly_budget": "1e12"}, "monthly_budget"),
        ({"branch": "a..b"}, "branch"),
        ({"name": "x" * 201}, "name"),
    ],
)
def test_the_api_answers_422_per_field(acme, alice, bob, api, customer_repo, change, field):
    body = _json(acme, alice, customer_repo.path, **change)
    response = api(bob).post(API, body, content_type="application/json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert field in response.json()["extra"]["fields"]


def test_the_api_updates_a_deployment(deployment, alice, bob, charlie, api, customer_repo):
    url = f"{API}/{deployment.id}"
    body = _json(deployment.organization, alice, customer_repo.path, name="Acme prod")
    body.pop("organization_id")
    body.update(branch="main", poll_interval_seconds=600)
    response = api(bob).put(url, body, content_type="application/json")
    assert response.status_code == HTTPStatus.OK
    assert response.json()["name"] == "Acme prod"
    assert response.json()["branch"] == "main"
    assert response.json()["poll_interval_seconds"] == 600
    bad = api(bob).put(url, {**body, "poll_interval_seconds": 30}, content_type="application/json")
    assert bad.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "poll_interval_seconds" in bad.json()["extra"]["fields"]
    assert api(alice).put(url, body, content_type="application/json").status_code == 403
    assert api(charlie).put(url, body, content_type="application/json").status_code == 404
    withdrawn = api(bob).put(url, {**body, "consent": False}, content_type="application/json")
    assert withdrawn.json()["has_read_consent"] is False
    assert deployment_list_due(now=T0 + timedelta(days=1), limit=10) == []
