"""Tenant isolation as a matrix: every ticket endpoint × every role, on Acme's ticket.

Charlie (Globex) must get 404 everywhere — the same answer as for a ticket that does not exist —
and customers never get internal notes or staff-only actions.
"""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import message_add

from .factories import ticket_opened

pytestmark = pytest.mark.django_db

NOT_FOUND = HTTPStatus.NOT_FOUND
OK, CREATED, FORBIDDEN = HTTPStatus.OK, HTTPStatus.CREATED, HTTPStatus.FORBIDDEN
WRONG_ROLE = FORBIDDEN  # an HTML page the role has no business on: the 403 page

# (name, method, path, json body) — {t} is the ticket, {a} a public attachment, {n} a note's file
API_ENDPOINTS = [
    ("detail", "get", "/api/tickets/{t}", None),
    ("update", "patch", "/api/tickets/{t}", {"priority": "P2"}),
    ("confirm", "post", "/api/tickets/{t}/confirm-resolved", None),
    ("messages", "get", "/api/tickets/{t}/messages", None),
    ("reply", "post", "/api/tickets/{t}/messages", {"body": "hello"}),
    ("events", "get", "/api/tickets/{t}/events", None),
    ("attachment", "get", "/api/attachments/{a}", None),
    ("note attachment", "get", "/api/attachments/{n}", None),
    ("time", "get", "/api/tickets/{t}/time", None),
    ("timer start", "post", "/api/tickets/{t}/time/start", None),
    ("timer stop", "post", "/api/tickets/{t}/time/stop", None),
    ("time add", "post", "/api/tickets/{t}/time/entries", {"minutes": 5}),
]
TIME_API = ["time", "timer start", "timer stop", "time add"]
STAFF = ["ted", "bob", "lena", "grace", "ada"]
EXPECTED_API = {
    "charlie": dict.fromkeys([e[0] for e in API_ENDPOINTS], NOT_FOUND),
    "carol": {
        "detail": OK,
        "update": HTTPStatus.UNPROCESSABLE_ENTITY,  # every field it sends is staff-only
        "confirm": OK,
        "messages": OK,
        "reply": CREATED,
        "events": OK,
        "attachment": OK,
        "note attachment": NOT_FOUND,
        **dict.fromkeys(TIME_API, NOT_FOUND),  # a ticket's time does not exist for customers
    },
    **{
        s: {
            "detail": OK,
            "update": OK,
            "confirm": OK,
            "messages": OK,
            "reply": CREATED,
            "events": OK,
            "attachment": OK,
            "note attachment": OK,
            "time": OK,
            "timer start": CREATED,
            "timer stop": HTTPStatus.CONFLICT,  # reachable; no timer of theirs runs there
            "time add": CREATED,
        }
        for s in STAFF
    },
}


@pytest.fixture
def acme_ticket(alice, ted, now):
    ticket = ticket_opened(alice, now, subject="Hub stuck", description="placeholder")
    public = message_add(
        ticket=ticket, author=alice, body="log", files=[SimpleUploadedFile("a.log", b"a")], now=now
    )
    note = message_add(
        ticket=ticket,
        author=ted,
        body="internal",
        is_internal=True,
        files=[SimpleUploadedFile("n.log", b"n")],
        now=now,
    )
    return {"t": ticket.id, "a": public.attachments.get().id, "n": note.attachments.get().id}


def _call(client: Client, method: str, path: str, body: object) -> int:
    kwargs = {"content_type": "application/json", "data": body} if body is not None else {}
    return getattr(client, method)(path, **kwargs).status_code


@pytest.mark.parametrize("role", list(EXPECTED_API))
@pytest.mark.parametrize(("name", "method", "path", "body"), API_ENDPOINTS)
def test_api_matrix(request, api, acme_ticket, role, name, method, path, body):
    client = api(request.getfixturevalue(role))
    assert _call(client, method, path.format(**acme_ticket), body) == EXPECTED_API[role][name]


@pytest.mark.parametrize("role", ["charlie", "carol", *STAFF])
def test_a_missing_ticket_looks_exactly_like_a_foreign_one(request, api, acme_ticket, role):
    client = api(request.getfixturevalue(role))
    missing = client.get("/api/tickets/999999")
    assert missing.status_code == NOT_FOUND
    if role == "charlie":
        foreign = client.get(f"/api/tickets/{acme_ticket['t']}")
        assert foreign.json() | {"message": ""} == missing.json() | {"message": ""}


def test_lists_and_search_never_include_another_organizations_tickets(api, charlie, acme_ticket):
    client = api(charlie)
    assert client.get("/api/tickets/").json()["items"] == []
    assert client.get("/api/tickets/", {"q": f"#{acme_ticket['t']}"}).json()["items"] == []
    assert client.get("/api/tickets/", {"q": "Hub stuck"}).json()["items"] == []
    assert (
        client.get("/api/tickets/", {"organization": Ticket.objects.get().organization_id}).json()[
            "items"
        ]
        == []
    )


def test_organizations_are_gated_too(api, charlie, alice):
    assert api(charlie).get(f"/api/organizations/{alice.organization_id}").status_code == NOT_FOUND
    assert [o["name"] for o in api(charlie).get("/api/organizations").json()] == ["Globex"]


HTML_PAGES = [
    ("desk detail", "get", "/desk/tickets/{t}/"),
    ("desk reply", "post", "/desk/tickets/{t}/reply/"),
    ("desk update", "post", "/desk/tickets/{t}/update/"),
    ("portal detail", "get", "/portal/tickets/{t}/"),
    ("portal reply", "post", "/portal/tickets/{t}/reply/"),
    ("portal confirm", "post", "/portal/tickets/{t}/confirm/"),
    ("attachment", "get", "/attachments/{a}/"),
    ("note attachment", "get", "/attachments/{n}/"),
    ("desk time", "get", "/desk/tickets/{t}/time/"),
    ("desk time add", "post", "/desk/tickets/{t}/time/"),
    ("desk timer start", "post", "/desk/tickets/{t}/time/start/"),
    ("desk timer stop", "post", "/desk/tickets/{t}/time/stop/"),
]
DESK_TIME = ["desk time", "desk time add", "desk timer start", "desk timer stop"]
EXPECTED_HTML = {
    "charlie": {
        "desk detail": WRONG_ROLE,
        "desk reply": WRONG_ROLE,
        "desk update": WRONG_ROLE,
        "portal detail": NOT_FOUND,
        "portal reply": NOT_FOUND,
        "portal confirm": NOT_FOUND,
        "attachment": NOT_FOUND,
        "note attachment": NOT_FOUND,
        **dict.fromkeys(DESK_TIME, WRONG_ROLE),
    },
    "carol": {
        "desk detail": WRONG_ROLE,
        "desk reply": WRONG_ROLE,
        "desk update": WRONG_ROLE,
        "portal detail": OK,
        "portal reply": HTTPStatus.BAD_REQUEST,
        "portal confirm": HTTPStatus.FOUND,
        "attachment": OK,
        "note attachment": NOT_FOUND,
        **dict.fromkeys(DESK_TIME, WRONG_ROLE),
    },
    **{
        s: {
            "desk detail": OK,
            "desk reply": HTTPStatus.BAD_REQUEST,
            "desk update": HTTPStatus.FOUND,
            "portal detail": WRONG_ROLE,
            "portal reply": WRONG_ROLE,
            "portal confirm": WRONG_ROLE,
            "attachment": OK,
            "note attachment": OK,
            "desk time": OK,
            "desk time add": HTTPStatus.BAD_REQUEST,  # an empty form, answered with its errors
            "desk timer start": HTTPStatus.FOUND,
            "desk timer stop": HTTPStatus.FOUND,
        }
        for s in STAFF
    },
}


@pytest.mark.parametrize("role", list(EXPECTED_HTML))
@pytest.mark.parametrize(("name", "method", "path"), HTML_PAGES)
def test_html_matrix(request, acme_ticket, role, name, method, path):
    client = Client()
    client.force_login(request.getfixturevalue(role))
    status = getattr(client, method)(path.format(**acme_ticket)).status_code
    assert status == EXPECTED_HTML[role][name]


def test_the_portal_page_never_shows_internal_notes(client, carol, acme_ticket):
    client.force_login(carol)
    page = client.get(f"/portal/tickets/{acme_ticket['t']}/").content.decode()
    assert "log" in page
    assert "internal" not in page.lower().replace("data-internal", "")
    assert "n.log" not in page


def test_customers_never_see_time_on_their_tickets(client, api, carol, ted, acme_ticket, now):
    from lifebuoy.timetracking.services import ManualTime, time_entry_add

    ticket = Ticket.objects.get(id=acme_ticket["t"])
    time_entry_add(
        ticket=ticket, agent=ted, data=ManualTime(90, now.date(), "secret-note"), now=now
    )
    assert api(carol).get("/api/time/running").json() == {"running": None}
    assert "secret-note" not in str(api(carol).get(f"/api/tickets/{ticket.id}").json())
    client.force_login(carol)
    page = client.get(f"/portal/tickets/{ticket.id}/").content.decode()
    assert "secret-note" not in page
    assert "Log time" not in page
