"""A crafted pagination cursor is bad input, never a server error: the API answers 422 naming
``cursor``, the desk queue and the portal list show the error on a 400 page."""

from __future__ import annotations

import base64
import json
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from lifebuoy.accounts.models import User
from lifebuoy.tickets.services import NewTicket, ticket_create

pytestmark = pytest.mark.django_db


def b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def js(value: Any) -> str:
    return b64(json.dumps(value).encode())


ANY_SORT = ["newest", "oldest", "priority", "activity", "deadline"]
WHEN = "2026-11-24T10:00:00+00:00"

# (cursor, sort): every one of these is a cursor this desk never handed out.
CRAFTED: list[tuple[str, str]] = [
    ("", "newest"),
    ("!!!not-base64!!!", "newest"),
    ("a", "oldest"),
    ("ab²c", "newest"),
    ("²", "priority"),
    (b64(b"not json at all"), "newest"),
    (b64(b"\xff\xfe\xfd"), "activity"),
    (js({"key": None, "id": 1}), "newest"),
    (js("abc"), "oldest"),
    (js(5), "newest"),
    (js(None), "newest"),
    (js([]), "newest"),
    (js([1]), "oldest"),
    (js([None, 5, 6, 7]), "newest"),
    (js([None, "x"]), "newest"),
    (js([None, "x"]), "oldest"),
    (js([None, 5]), "activity"),
    (js([None, 5]), "priority"),
    (js(["P1", "x"]), "priority"),
    (js([[1], {"a": 1}]), "activity"),
    (js([None, 1.5]), "newest"),
    (js([None, True]), "oldest"),
    (js([None, 10**30]), "newest"),
    (js([None, -5]), "oldest"),
    (js([None, 0]), "newest"),
    (js(["²", "²"]), "newest"),
    (js(["not a date", 5]), "activity"),
    (js(["2026-13-45T99:00:00+00:00", 5]), "activity"),
    (js(["٢٠٢٦-١١-٢٤T10:00:00+00:00", 5]), "activity"),
    (js(["2026-11-24T10:00:00", 5]), "activity"),
    (js([WHEN, 5]), "priority"),
    (js([10**400, 5]), "activity"),
    (js(["tomorrow", 5]), "deadline"),
    (js([12, 5]), "deadline"),
    (js([None, "x"]), "deadline"),
    (b64(b"[null, NaN]"), "newest"),
    (b64(b"[null, Infinity]"), "oldest"),
    (b64(b'["P1", -Infinity]'), "priority"),
    ("A" * 20_000, "newest"),
    (js([None, 5]) + "=" * 50, "oldest"),
]


@pytest.fixture
def tickets(alice: User, now: Any) -> None:
    for subject in ("One", "Two", "Three"):
        ticket_create(actor=alice, data=NewTicket(subject, "Body"), now=now)


def _next_cursor(client: Client, sort: str) -> str:
    response = client.get("/api/tickets/", {"sort": sort, "limit": "1"})
    assert response.status_code == HTTPStatus.OK, response.content
    cursor = response.json()["next_cursor"]
    assert isinstance(cursor, str)
    return cursor


@pytest.mark.parametrize(("cursor", "sort"), CRAFTED)
def test_the_api_answers_422_naming_the_cursor(
    api: Any, lena: User, tickets: None, cursor: str, sort: str
) -> None:
    response = api(lena).get("/api/tickets/", {"sort": sort, "cursor": cursor})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    body = response.json()
    assert "cursor" in body["extra"]["fields"]
    assert "cursor" in body["message"]


@pytest.mark.parametrize(
    ("made_for", "used_for"),
    [
        ("newest", "activity"),
        ("activity", "priority"),
        ("priority", "deadline"),
        ("oldest", "newest"),
        ("deadline", "activity"),
    ],
)
def test_a_cursor_of_another_sort_order_is_refused(
    api: Any, lena: User, tickets: None, made_for: str, used_for: str
) -> None:
    client = api(lena)
    cursor = _next_cursor(client, made_for)
    response = client.get("/api/tickets/", {"sort": used_for, "cursor": cursor})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert "cursor" in response.json()["extra"]["fields"]


@pytest.mark.parametrize(("cursor", "sort"), CRAFTED)
def test_the_desk_queue_shows_a_form_error_naming_the_cursor(
    client: Client, ted: User, tickets: None, cursor: str, sort: str
) -> None:
    client.force_login(ted)
    response = client.get("/desk/", {"sort": sort, "cursor": cursor})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "cursor" in response.context["form"].errors
    assert b"cursor" in response.content


@pytest.mark.parametrize("cursor", sorted({cursor for cursor, _ in CRAFTED}))
def test_the_portal_list_shows_an_error_naming_the_cursor(
    client: Client, alice: User, tickets: None, cursor: str
) -> None:
    client.force_login(alice)
    response = client.get("/portal/", {"show": "all", "cursor": cursor})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert b"cursor" in response.content


def test_a_cursor_the_desk_handed_out_still_pages(api: Any, lena: User, tickets: None) -> None:
    client = api(lena)
    for sort in ANY_SORT:
        cursor = _next_cursor(client, sort)
        response = client.get("/api/tickets/", {"sort": sort, "cursor": cursor, "limit": "1"})
        assert response.status_code == HTTPStatus.OK, (sort, response.content)
        assert len(response.json()["items"]) == 1
