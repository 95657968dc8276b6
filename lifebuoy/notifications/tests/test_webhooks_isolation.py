"""Webhook endpoints as a matrix: every operation × every role, on Acme's endpoint, API and HTML.

Acme's endpoint was added by alice, Acme's organization admin. Carol (a plain Acme member)
gets 403: webhooks are managed by the organization's admins and by support leads and admins.
Charlie (Globex's admin) gets 404 everywhere, exactly like for an endpoint that does not exist.
Agents and engineers get 403.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.notifications.models import Delivery, WebhookEndpoint
from lifebuoy.notifications.services.webhooks import webhook_endpoint_create

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_dns")]

OK, CREATED, ACCEPTED = HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.ACCEPTED
NO_CONTENT, FOUND = HTTPStatus.NO_CONTENT, HTTPStatus.FOUND
NOT_FOUND, FORBIDDEN = HTTPStatus.NOT_FOUND, HTTPStatus.FORBIDDEN

MANAGERS = ["alice", "lena", "ada"]
OTHER_STAFF = ["ted", "bob", "grace"]
REFUSED = [*OTHER_STAFF, "carol"]
NEW_URL = "https://hooks.new.example/in"

# (name, method, path, json body) — {e} is Acme's endpoint, {o} Acme's organization id
API_ENDPOINTS = [
    ("list", "get", "/api/webhooks/", None),
    ("list of acme", "get", "/api/webhooks/?organization={o}", None),
    ("create in acme", "post", "/api/webhooks/", {"url": NEW_URL, "organization_id": "{o}"}),
    ("get", "get", "/api/webhooks/{e}", None),
    ("update", "patch", "/api/webhooks/{e}", {"is_active": False}),
    ("delete", "delete", "/api/webhooks/{e}", None),
    ("rotate", "post", "/api/webhooks/{e}/rotate-secret", None),
    ("test", "post", "/api/webhooks/{e}/test", None),
]
MANAGER_API = {
    "list": OK,
    "list of acme": OK,
    "create in acme": CREATED,
    "get": OK,
    "update": OK,
    "delete": NO_CONTENT,
    "rotate": OK,
    "test": ACCEPTED,
}
EXPECTED_API = {
    "charlie": {**dict.fromkeys(MANAGER_API, NOT_FOUND), "list": OK},
    **dict.fromkeys(MANAGERS, MANAGER_API),
    **{role: dict.fromkeys(MANAGER_API, FORBIDDEN) for role in REFUSED},
}

# (name, method, path, form data)
HTML_PAGES = [
    ("list", "get", "/portal/webhooks/", None),
    ("list of acme", "get", "/portal/webhooks/?organization={o}", None),
    ("create form", "get", "/portal/webhooks/new/", None),
    ("edit form", "get", "/portal/webhooks/{e}/", None),
    ("edit", "post", "/portal/webhooks/{e}/", {"url": NEW_URL, "is_active": "on"}),
    ("delete", "post", "/portal/webhooks/{e}/delete/", {}),
    ("rotate", "post", "/portal/webhooks/{e}/rotate-secret/", {}),
    ("test", "post", "/portal/webhooks/{e}/test/", {}),
]
MANAGER_HTML = {
    "list": OK,
    "list of acme": OK,
    "create form": OK,
    "edit form": OK,
    "edit": FOUND,
    "delete": FOUND,
    "rotate": OK,
    "test": FOUND,
}
EXPECTED_HTML = {
    "charlie": {
        **dict.fromkeys(MANAGER_HTML, NOT_FOUND),
        "list": OK,
        "create form": OK,  # for his own organization
    },
    **dict.fromkeys(MANAGERS, MANAGER_HTML),
    **{role: dict.fromkeys(MANAGER_HTML, FORBIDDEN) for role in REFUSED},
}


@pytest.fixture
def acme_endpoint(alice) -> WebhookEndpoint:
    created = webhook_endpoint_create(
        actor=alice, organization=alice.organization, url="https://hooks.acme.example/x", events=[]
    )
    return created.endpoint


def _fill(value: object, ids: dict[str, int]) -> object:
    if isinstance(value, str):
        filled = value.format(**ids)
        return int(filled) if filled.isdigit() and value != filled else filled
    if isinstance(value, dict):
        return {k: _fill(v, ids) for k, v in value.items()}
    return value


def _ids(endpoint: WebhookEndpoint) -> dict[str, int]:
    return {"e": endpoint.id, "o": endpoint.organization_id}


@pytest.mark.parametrize("role", list(EXPECTED_API))
@pytest.mark.parametrize(("name", "method", "path", "body"), API_ENDPOINTS)
def test_api_matrix(request, api, acme_endpoint, role, name, method, path, body):
    client = api(request.getfixturevalue(role))
    ids = _ids(acme_endpoint)
    kwargs = {"content_type": "application/json", "data": _fill(body, ids)} if body else {}
    response = getattr(client, method)(path.format(**ids), **kwargs)
    assert response.status_code == EXPECTED_API[role][name], response.content


@pytest.mark.parametrize("role", list(EXPECTED_HTML))
@pytest.mark.parametrize(("name", "method", "path", "data"), HTML_PAGES)
def test_html_matrix(request, acme_endpoint, role, name, method, path, data):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    ids = _ids(acme_endpoint)
    response = getattr(client, method)(path.format(**ids), **({"data": data} if data else {}))
    assert response.status_code == EXPECTED_HTML[role][name]


def test_charlie_changes_nothing_anywhere(api, charlie, acme_endpoint):
    client = api(charlie)
    ids = _ids(acme_endpoint)
    for _, method, path, body in API_ENDPOINTS:
        kwargs = {"content_type": "application/json", "data": _fill(body, ids)} if body else {}
        getattr(client, method)(path.format(**ids), **kwargs)
    html = Client()
    html.force_login(charlie)
    for _, method, path, data in HTML_PAGES:
        getattr(html, method)(path.format(**ids), **({"data": data} if data else {}))
    unchanged = WebhookEndpoint.objects.get(id=acme_endpoint.id)
    assert (unchanged.url, unchanged.secret, unchanged.is_active) == (
        acme_endpoint.url,
        acme_endpoint.secret,
        True,
    )
    assert not Delivery.objects.exists()
    assert list(WebhookEndpoint.objects.values_list("organization__name", flat=True)) == ["Acme"]


def test_lists_never_show_another_organizations_endpoints(api, charlie, acme_endpoint):
    assert api(charlie).get("/api/webhooks/").json() == []
    html = Client()
    html.force_login(charlie)
    assert "hooks.acme.example" not in html.get("/portal/webhooks/").content.decode()


@pytest.mark.parametrize("role", ["charlie", "alice", "lena"])
def test_a_missing_endpoint_looks_exactly_like_a_foreign_one(request, api, acme_endpoint, role):
    client = api(request.getfixturevalue(role))
    missing = client.get("/api/webhooks/999999")
    assert missing.status_code == NOT_FOUND
    if role == "charlie":
        foreign = client.get(f"/api/webhooks/{acme_endpoint.id}")
        assert foreign.json() | {"message": ""} == missing.json() | {"message": ""}


def test_staff_lists_every_organization_or_one(api, lena, charlie, acme_endpoint):
    webhook_endpoint_create(
        actor=charlie,
        organization=charlie.organization,
        url="https://hooks.globex.example/x",
        events=[],
    )
    client = api(lena)
    assert len(client.get("/api/webhooks/").json()) == 2
    only_acme = client.get(f"/api/webhooks/?organization={acme_endpoint.organization_id}").json()
    assert [e["id"] for e in only_acme] == [acme_endpoint.id]
    assert client.get("/api/webhooks/?organization=999999").status_code == NOT_FOUND


def test_signed_out_visitors_are_sent_to_sign_in(client, acme_endpoint):
    assert client.get("/api/webhooks/").status_code == HTTPStatus.UNAUTHORIZED
    assert client.get("/portal/webhooks/").status_code == FOUND
    assert client.post(f"/portal/webhooks/{acme_endpoint.id}/delete/").status_code == FOUND
    assert WebhookEndpoint.objects.filter(id=acme_endpoint.id).exists()
