"""The time panel on the ticket page, its buttons and form, and the API."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.timetracking.models import TimeEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def desk(ted) -> Client:
    client = Client()
    client.force_login(ted)
    return client


def test_the_ticket_page_shows_the_time_panel(desk, ticket):
    page = desk.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert 'id="time"' in page
    assert "No time logged yet." in page
    assert "Start timer" in page
    assert 'name="minutes"' in page


def test_start_and_stop_from_the_desk(desk, ticket, other_ticket):
    assert desk.post(f"/desk/tickets/{other_ticket.id}/time/start/").status_code == HTTPStatus.FOUND
    assert desk.post(f"/desk/tickets/{ticket.id}/time/start/").status_code == HTTPStatus.FOUND
    page = desk.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "Your timer is running" in page
    assert "Stop timer" in page
    desk.post(f"/desk/tickets/{ticket.id}/time/stop/")
    assert not TimeEntry.objects.filter(stopped_at__isnull=True).exists()
    assert TimeEntry.objects.count() == 2


def test_manual_time_from_the_desk(desk, ticket):
    response = desk.post(
        f"/desk/tickets/{ticket.id}/time/",
        {"minutes": "90", "worked_on": "2020-01-02", "note": "Phone call"},
    )
    assert response.status_code == HTTPStatus.FOUND
    page = desk.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "1 h 30 min" in page
    assert "Phone call" in page


def test_a_bad_manual_entry_shows_each_fields_error(desk, ticket):
    response = desk.post(
        f"/desk/tickets/{ticket.id}/time/", {"minutes": "0", "worked_on": "2999-01-01"}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    page = response.content.decode()
    assert "Ensure this value is greater than or equal to 1." in page
    assert "The day cannot be in the future." not in page  # the form stops at the minutes
    response = desk.post(
        f"/desk/tickets/{ticket.id}/time/", {"minutes": "15", "worked_on": "2999-01-01"}
    )
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "The day cannot be in the future." in response.content.decode()
    response = desk.post(f"/desk/tickets/{ticket.id}/time/", {"minutes": "lots"})
    assert "Give the minutes as a whole number." in response.content.decode()
    assert "Give the day." in response.content.decode()
    assert not TimeEntry.objects.exists()


def test_the_api_round_trip(api, ted, ticket):
    client = api(ted)
    started = client.post(f"/api/tickets/{ticket.id}/time/start")
    assert started.status_code == HTTPStatus.CREATED
    assert started.json()["is_running"] is True
    assert client.get("/api/time/running").json()["running"]["ticket_id"] == ticket.id
    stopped = client.post(f"/api/tickets/{ticket.id}/time/stop")
    assert stopped.json()["is_running"] is False
    added = client.post(
        f"/api/tickets/{ticket.id}/time/entries",
        {"minutes": 30, "note": "Docs"},
        content_type="application/json",
    )
    assert added.status_code == HTTPStatus.CREATED
    body = client.get(f"/api/tickets/{ticket.id}/time").json()
    assert body["logged_seconds"] >= 1800
    assert [e["kind"] for e in body["entries"]] == ["manual", "timer"]


def test_the_api_names_bad_fields(api, ted, ticket):
    response = api(ted).post(
        f"/api/tickets/{ticket.id}/time/entries",
        {"minutes": 0, "worked_on": "2999-01-01"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert set(response.json()["extra"]["fields"]) == {"minutes", "worked_on"}
    assert api(ted).post(f"/api/tickets/{ticket.id}/time/stop").status_code == HTTPStatus.CONFLICT
