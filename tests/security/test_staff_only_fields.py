"""A customer who sends a field only staff may set gets a 422 naming it, not a ticket that
quietly ignored it (or, worse, took it); staff still set those fields."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from lifebuoy.accounts.models import User
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import NewTicket, ticket_create

pytestmark = pytest.mark.django_db

Api = Callable[[User], Client]
BASE = {"subject": "Agents offline", "description": "Since the upgrade"}


@pytest.mark.parametrize(
    "extra",
    [
        {"channel": "phone"},
        {"channel": "portal"},
        {"tags": ["vip"]},
        {"tags": []},
        {"requester_id": 1},
        {"channel": "email", "tags": ["x"], "requester_id": 1},
    ],
)
def test_a_customer_creating_a_ticket_cannot_set_staff_fields(
    api: Api, alice: User, extra: dict[str, Any]
) -> None:
    response = api(alice).post("/api/tickets/", {**BASE, **extra}, content_type="application/json")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert set(response.json()["extra"]["fields"]) == set(extra)
    assert not Ticket.objects.exists()


def test_a_customer_still_creates_a_ticket_with_the_fields_they_own(api: Api, alice: User) -> None:
    body = {**BASE, "priority": "P2", "category": "bug", "deployment_url": ""}
    response = api(alice).post("/api/tickets/", body, content_type="application/json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    assert response.json()["channel"] == "portal"


def test_staff_set_channel_tags_and_requester(api: Api, ted: User, alice: User) -> None:
    body = {**BASE, "channel": "phone", "tags": ["vip"], "requester_id": alice.id}
    response = api(ted).post("/api/tickets/", body, content_type="application/json")
    assert response.status_code == HTTPStatus.CREATED, response.content
    data = response.json()
    assert (data["channel"], data["tags"], data["requester"]["id"]) == ("phone", ["vip"], alice.id)


@pytest.mark.parametrize(
    "change",
    [
        {"tags": ["vip"]},
        {"status": "resolved"},
        {"priority": "P1"},
        {"assignee_id": 0},
        {"category": "bug", "tags": []},
    ],
)
def test_a_customer_updating_a_ticket_is_told_which_fields_are_staff_only(
    api: Api, alice: User, now: datetime, change: dict[str, Any]
) -> None:
    ticket = ticket_create(actor=alice, data=NewTicket("S", "D"), now=now)
    response = api(alice).patch(
        f"/api/tickets/{ticket.id}", change, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert set(response.json()["extra"]["fields"]) == set(change)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("new", "P3")


def test_staff_still_update_tags(api: Api, ted: User, alice: User, now: datetime) -> None:
    ticket = ticket_create(actor=alice, data=NewTicket("S", "D"), now=now)
    response = api(ted).patch(
        f"/api/tickets/{ticket.id}", {"tags": ["vip"]}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.OK
    assert response.json()["tags"] == ["vip"]
