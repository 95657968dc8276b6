"""The list of deployments, desk and API: those needing attention first, filters, pages."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse

from lifebuoy.monitoring import views
from lifebuoy.monitoring.models import Deployment, Problem, ProblemKind

from .conftest import T0, make_deployment

pytestmark = pytest.mark.django_db


@pytest.fixture
def fleet(acme, globex, alice, charlie, tmp_path):
    """Healthy (Acme), failing polls (Acme), an open problem (Globex), a cleared one (Acme)."""
    healthy = make_deployment(acme, alice, tmp_path / "a", name="Alpha healthy")
    failing = make_deployment(acme, alice, tmp_path / "b", name="Beta failing")
    Deployment.objects.filter(id=failing.id).update(failing_since=T0, last_poll_error="git fetch")
    troubled = make_deployment(globex, charlie, tmp_path / "c", name="Gamma troubled")
    Problem.objects.create(
        deployment=troubled,
        kind=ProblemKind.C3_NOT_VALIDATING,
        severity="warning",
        summary="C3 quiet",
        opened_at=T0,
    )
    recovered = make_deployment(acme, alice, tmp_path / "d", name="Delta recovered")
    Problem.objects.create(
        deployment=recovered,
        kind=ProblemKind.CONFLICT_MARKERS,
        severity="warning",
        summary="markers",
        opened_at=T0 - timedelta(days=1),
        cleared_at=T0,
    )
    return {"healthy": healthy, "failing": failing, "troubled": troubled, "recovered": recovered}


def _names(response) -> list[str]:
    return [d.name for d in response.context["page"]]


def _desk(user, **params):
    client = Client()
    client.force_login(user)
    return client.get(reverse("monitoring:list"), params)


def test_the_desk_lists_those_needing_attention_first(fleet, bob):
    response = _desk(bob)
    assert response.status_code == HTTPStatus.OK
    assert _names(response) == [
        "Gamma troubled",  # an open problem
        "Beta failing",  # every poll failing
        "Alpha healthy",  # then by organization and name
        "Delta recovered",
    ]
    page = response.content.decode()
    assert "failing since 2026-11-24 10:00" in page


def test_the_desk_filters_by_attention_text_and_organization(fleet, bob, acme):
    assert _names(_desk(bob, attention="on")) == ["Gamma troubled", "Beta failing"]
    assert _names(_desk(bob, q="delta")) == ["Delta recovered"]
    assert _names(_desk(bob, q=str(fleet["failing"].repository))) == ["Beta failing"]
    acme_only = _desk(bob, organization=acme.id)
    assert _names(acme_only) == ["Beta failing", "Alpha healthy", "Delta recovered"]
    empty = _desk(bob, q="nothing like it")
    assert "No deployment matches these filters." in empty.content.decode()


def test_a_bad_filter_is_a_400_with_a_message_on_the_field(fleet, bob):
    response = _desk(bob, organization="999999")
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert response.context["form"].errors["organization"]
    assert response.context["page"] is None


def test_the_desk_list_is_paged_and_keeps_the_filters(fleet, bob, monkeypatch):
    monkeypatch.setattr(views, "LIST_PAGE_SIZE", 2)
    first = _desk(bob, q="a")
    assert _names(first) == ["Gamma troubled", "Beta failing"]
    assert "q=a&amp;page=2" in first.content.decode()
    assert _names(_desk(bob, q="a", page=2)) == ["Alpha healthy", "Delta recovered"]
    assert _names(_desk(bob, q="a", page="junk")) == ["Gamma troubled", "Beta failing"]


def test_customers_have_no_desk_list(fleet, alice):
    assert _desk(alice).status_code in (HTTPStatus.FOUND, HTTPStatus.FORBIDDEN)


def test_the_api_lists_in_the_same_order_with_open_problems_counted(fleet, api, bob):
    listed = api(bob).get("/api/monitoring/deployments").json()
    assert [(d["name"], d["open_problems"]) for d in listed] == [
        ("Gamma troubled", 1),
        ("Beta failing", 0),
        ("Alpha healthy", 0),
        ("Delta recovered", 0),
    ]
    assert listed[1]["failing_since"].startswith("2026-11-24T10:00:00")
    attention = api(bob).get("/api/monitoring/deployments", {"attention": "true"}).json()
    assert [d["name"] for d in attention] == ["Gamma troubled", "Beta failing"]


def test_the_api_filters_stay_inside_the_customer_s_organization(fleet, api, alice, globex):
    own = api(alice).get("/api/monitoring/deployments").json()
    assert {d["name"] for d in own} == {"Alpha healthy", "Beta failing", "Delta recovered"}
    other = api(alice).get("/api/monitoring/deployments", {"organization_id": globex.id})
    assert other.status_code == HTTPStatus.OK
    assert other.json() == []


def test_a_bad_api_filter_is_a_422_naming_the_field(fleet, api, bob):
    response = api(bob).get("/api/monitoring/deployments", {"organization_id": "acme"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "organization_id" in response.content.decode()
