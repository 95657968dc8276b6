from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from lifebuoy.tickets.models import Attachment, Message, Ticket
from lifebuoy.tickets.services import message_add

from .factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, ted, now):
    t = ticket_opened(alice, now, subject="C3 silent", description="No validation since Monday")
    message_add(ticket=t, author=ted, body="Checking the repo", now=now)
    message_add(ticket=t, author=ted, body="SECRET internal theory", is_internal=True, now=now)
    return t


def test_requests_without_credentials_get_401_json():
    response = Client().get("/api/tickets/")
    assert response.status_code == HTTPStatus.UNAUTHORIZED
    assert response.json()["code"] == "unauthorized"


def test_a_bad_token_is_refused(db):
    client = Client(headers={"authorization": "Bearer lb_not-a-real-token"})
    assert client.get("/api/me").status_code == HTTPStatus.UNAUTHORIZED


def test_a_customer_creates_a_ticket_over_the_api(api, alice):
    response = api(alice).post(
        "/api/tickets/",
        {
            "subject": "Agents offline",
            "description": "All three",
            "priority": "P1",
            "category": "agent_not_responding",
        },
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    body = response.json()
    assert body["number"] == f"#{body['id']}"
    assert (body["priority"], body["status"], body["tags"]) == ("P1", "new", [])
    assert body["organization"] == "Acme"


def test_invalid_input_gets_422_with_a_message_per_field(api, alice):
    response = api(alice).post(
        "/api/tickets/",
        {"subject": "", "description": "", "priority": "urgent"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    body = response.json()
    assert body["code"] == "invalid_input"
    assert set(body["extra"]["fields"]) == {"subject", "description", "priority"}


def test_wrongly_typed_json_gets_422_not_500(api, alice):
    response = api(alice).post(
        "/api/tickets/", {"subject": ["a"], "description": 5}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert set(response.json()["extra"]["fields"]) == {"subject", "description"}


def test_malformed_json_gets_a_4xx(api, alice):
    response = api(alice).post("/api/tickets/", "{not json", content_type="application/json")
    assert 400 <= response.status_code < 500


def test_customers_never_see_internal_notes_over_the_api(api, alice, ticket):
    bodies = [m["body"] for m in api(alice).get(f"/api/tickets/{ticket.id}/messages").json()]
    assert bodies == ["Checking the repo"]


def test_staff_see_internal_notes(api, bob, ticket):
    messages = api(bob).get(f"/api/tickets/{ticket.id}/messages").json()
    assert [m["is_internal"] for m in messages] == [False, True]


def test_customers_get_no_audit_trail(api, alice, ted, ticket):
    assert api(alice).get(f"/api/tickets/{ticket.id}/events").json() == []
    staff_view = api(ted).get(f"/api/tickets/{ticket.id}/events").json()
    assert "created" in [e["action"] for e in staff_view]


def test_staff_change_a_ticket_and_the_change_is_audited(api, bob, ticket):
    client = api(bob)
    response = client.patch(
        f"/api/tickets/{ticket.id}",
        {"priority": "P1", "assignee_id": bob.id},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["assignee"]["id"] == bob.id
    fields = [e["field"] for e in client.get(f"/api/tickets/{ticket.id}/events").json()]
    assert {"priority", "assignee"} <= set(fields)


def test_a_stale_version_is_409_for_a_field_someone_else_changed(api, bob, lena, ticket):
    read = api(bob).get(f"/api/tickets/{ticket.id}").json()
    url = f"/api/tickets/{ticket.id}"
    api(lena).patch(url, {"priority": "P1"}, content_type="application/json")

    # A field nobody else touched goes through with the old version...
    tags = api(bob).patch(
        url, {"tags": ["hub"], "version": read["version"]}, content_type="application/json"
    )
    assert tags.status_code == HTTPStatus.OK
    assert tags.json()["priority"] == "P1"
    # ...one Lena changed is refused, with what is there now.
    clash = api(bob).patch(
        url, {"priority": "P4", "version": read["version"]}, content_type="application/json"
    )
    assert clash.status_code == HTTPStatus.CONFLICT
    body = clash.json()
    assert body["code"] == "edit_conflict"
    assert "Lena changed priority to P1" in body["message"]
    assert body["extra"]["current"]["priority"] == "P1"
    # With the current version it is Bob's choice again.
    fresh = api(bob).get(url).json()["version"]
    again = api(bob).patch(
        url, {"priority": "P4", "version": fresh}, content_type="application/json"
    )
    assert again.json()["priority"] == "P4"
    naive = api(bob).patch(
        url, {"priority": "P2", "version": "2026-11-24T10:00:00"}, content_type="application/json"
    )
    assert naive.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "version" in naive.json()["extra"]["fields"]


def test_an_invalid_transition_is_409_with_the_allowed_ones(api, bob, ticket):
    response = api(bob).patch(
        f"/api/tickets/{ticket.id}", {"status": "closed"}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.CONFLICT
    assert "resolved" in response.json()["extra"]["allowed"]


def test_list_filters_and_keyset_pagination_walk_every_ticket_once(api, alice, bob, now):
    for i in range(7):
        ticket_opened(alice, now, subject=f"T{i}", priority="P1" if i % 2 else "P4")
    client = api(bob)
    seen, cursor = [], None
    while True:
        params = {"priority": "P1", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/tickets/", params).json()
        seen += [t["subject"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == ["T5", "T3", "T1"]


def test_filters_holding_a_nul_character_find_nothing_rather_than_failing(api, alice, bob, now):
    """No stored text holds a NUL, and PostgreSQL refuses to compare one: an empty page."""
    ticket_opened(alice, now, subject="Agents offline", priority="P1")
    client = api(bob)
    for params in (
        {"status": "open\x00"},
        {"status": ["\x00", ""], "priority": "P1"},
        {"category": "bug\x00x"},
        {"q": "agents\x00"},
    ):
        response = client.get("/api/tickets/", params)
        assert response.status_code == HTTPStatus.OK, params
        if "q" not in params:
            assert response.json()["items"] == [], params
    assert [
        t["subject"] for t in client.get("/api/tickets/", {"q": "agents\x00"}).json()["items"]
    ] == ["Agents offline"]


def test_a_forged_cursor_is_422(api, bob):
    response = api(bob).get("/api/tickets/", {"cursor": "!!!"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "cursor" in response.json()["extra"]["fields"]


@override_settings(LIFEBUOY_MAX_ATTACHMENT_BYTES=100)
def test_an_oversized_upload_is_413_and_nothing_is_half_saved(api, alice, ticket):
    before = Message.objects.count()
    response = api(alice).post(
        f"/api/tickets/{ticket.id}/attachments",
        {"body": "log", "files": [SimpleUploadedFile("big.log", b"x" * 101)]},
    )
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert response.json()["code"] == "attachment_too_large"
    assert Message.objects.count() == before
    assert Attachment.objects.count() == 0


def test_attachments_upload_and_download(api, alice, ticket):
    client = api(alice)
    response = client.post(
        f"/api/tickets/{ticket.id}/attachments",
        {"body": "log attached", "files": [SimpleUploadedFile("git.log", b"abc123 C2: build")]},
    )
    assert response.status_code == HTTPStatus.CREATED
    url = response.json()["attachments"][0]["url"]
    download = client.get(url)
    assert b"".join(download.streaming_content) == b"abc123 C2: build"


def test_tokens_can_be_listed_and_revoked(api, alice):
    client = api(alice)
    created = client.post("/api/tokens", {"name": "ci"}, content_type="application/json").json()
    assert created["secret"].startswith("lb_")
    names = [t["name"] for t in client.get("/api/tokens").json()]
    assert "ci" in names
    revoked = Client(headers={"authorization": f"Bearer {created['secret']}"})
    assert client.delete(f"/api/tokens/{created['id']}").status_code == HTTPStatus.NO_CONTENT
    assert revoked.get("/api/me").status_code == HTTPStatus.UNAUTHORIZED


def test_the_openapi_schema_is_served(db):
    assert Client().get("/api/openapi.json").status_code == HTTPStatus.OK


def test_session_api_calls_need_the_csrf_token(alice, ticket):
    client = Client(enforce_csrf_checks=True)
    client.force_login(alice)
    assert client.get(f"/api/tickets/{ticket.id}").status_code == HTTPStatus.OK
    response = client.post(
        f"/api/tickets/{ticket.id}/messages", {"body": "hi"}, content_type="application/json"
    )
    assert response.status_code in (HTTPStatus.UNAUTHORIZED, HTTPStatus.FORBIDDEN)
    assert Ticket.objects.get(id=ticket.id).messages.filter(body="hi").count() == 0
