"""Bodies a signed-in person can send that Django's parsers refuse: a multipart body without a
(valid) boundary is a 400 with a message, a body or file over the limits a 413, on pages and the
API alike, and nothing is saved."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, override_settings

from lifebuoy.accounts.models import User
from lifebuoy.tickets.models import Attachment, Message, Ticket
from lifebuoy.tickets.services import NewTicket, ticket_create

pytestmark = pytest.mark.django_db

BROKEN_MULTIPART = [
    "multipart/form-data",
    "multipart/form-data; boundary=",
    'multipart/form-data; boundary=""',
    "multipart/form-data; boundary=" + "x" * 300,
    "multipart/form-data; charset=utf-8",
]
BODY = b'--abc\r\nContent-Disposition: form-data; name="body"\r\n\r\nhello\r\n--abc--\r\n'


@pytest.fixture
def ticket(alice: User, now: datetime) -> Ticket:
    return ticket_create(actor=alice, data=NewTicket("Upload trouble", "Body"), now=now)


def _page_client(client: Client, user: User) -> Client:
    client.force_login(user)
    return client


def _paths(ticket: Ticket) -> list[tuple[str, str]]:
    return [
        ("alice", "/portal/tickets/new/"),
        ("alice", f"/portal/tickets/{ticket.id}/reply/"),
        ("ted", f"/desk/tickets/{ticket.id}/reply/"),
        ("ted", "/desk/tickets/new/"),
        ("lena", f"/api/tickets/{ticket.id}/attachments"),
        ("lena", f"/api/tickets/{ticket.id}/messages"),
        ("alice", "/api/tickets/"),
    ]


def _client_for(request: pytest.FixtureRequest, who: str, path: str) -> Client:
    user = request.getfixturevalue(who)
    if path.startswith("/api/"):
        make: Callable[[User], Client] = request.getfixturevalue("api")
        return make(user)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("content_type", BROKEN_MULTIPART)
@pytest.mark.parametrize("index", range(7))
def test_a_multipart_body_without_a_valid_boundary_is_a_400_with_a_message(
    request: pytest.FixtureRequest, ticket: Ticket, content_type: str, index: int
) -> None:
    who, path = _paths(ticket)[index]
    client = _client_for(request, who, path)
    messages_before = Message.objects.count()
    response = client.generic("POST", path, BODY, content_type=content_type)
    assert response.status_code == HTTPStatus.BAD_REQUEST, response.content[:300]
    assert b"boundary" in response.content
    if path.startswith("/api/"):
        assert response.json()["code"] == "bad_request"
    assert Message.objects.count() == messages_before


def _big_file(size: int) -> SimpleUploadedFile:
    return SimpleUploadedFile("big.log", b"x" * size, content_type="text/plain")


@override_settings(LIFEBUOY_MAX_ATTACHMENT_BYTES=1024)
@pytest.mark.parametrize(
    ("who", "path_of", "data"),
    [
        (
            "alice",
            lambda t: "/portal/tickets/new/",
            {"subject": "S", "description": "D", "priority": "P3", "category": "bug"},
        ),
        ("alice", lambda t: f"/portal/tickets/{t.id}/reply/", {"body": "see file"}),
        ("ted", lambda t: f"/desk/tickets/{t.id}/reply/", {"body": "see file"}),
        (
            "ted",
            lambda t: "/desk/tickets/new/",
            {
                "requester_email": "alice@acme.example",
                "subject": "Phone call",
                "description": "D",
                "priority": "P1",
                "category": "bug",
                "channel": "phone",
            },
        ),
        ("lena", lambda t: f"/api/tickets/{t.id}/attachments", {"body": "see file"}),
        ("alice", lambda t: f"/api/tickets/{t.id}/attachments", {"body": "see file"}),
    ],
)
def test_an_oversized_attachment_is_a_413_and_nothing_is_saved(
    request: pytest.FixtureRequest,
    ticket: Ticket,
    who: str,
    path_of: Callable[[Ticket], str],
    data: dict[str, Any],
) -> None:
    path = path_of(ticket)
    client = _client_for(request, who, path)
    counts = (Ticket.objects.count(), Message.objects.count(), Attachment.objects.count())
    field = "files" if path.startswith("/api/") else "attachments"
    response = client.post(path, {**data, field: _big_file(4096)})
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE, response.content[:300]
    assert counts == (Ticket.objects.count(), Message.objects.count(), Attachment.objects.count())


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
@pytest.mark.parametrize(
    ("who", "path_of", "content_type"),
    [
        ("lena", lambda t: f"/api/tickets/{t.id}/messages", "application/json"),
        ("alice", lambda t: "/api/tickets/", "application/json"),
        ("alice", lambda t: f"/portal/tickets/{t.id}/reply/", "application/x-www-form-urlencoded"),
        ("ted", lambda t: f"/desk/tickets/{t.id}/reply/", "application/x-www-form-urlencoded"),
    ],
)
def test_a_body_over_the_memory_limit_is_a_413(
    request: pytest.FixtureRequest,
    ticket: Ticket,
    who: str,
    path_of: Callable[[Ticket], str],
    content_type: str,
) -> None:
    path = path_of(ticket)
    client = _client_for(request, who, path)
    if content_type == "application/json":
        body = b'{"subject": "S", "description": "D", "body": "' + b"x" * 4096 + b'"}'
    else:
        body = b"body=" + b"x" * 4096
    response = client.generic("POST", path, body, content_type=content_type)
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE, response.content[:300]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1024)
def test_multipart_form_fields_over_the_memory_limit_are_a_413(
    ted: User, ticket: Ticket, client: Client
) -> None:
    client.force_login(ted)
    response = client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": "x" * 4096})
    assert response.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
