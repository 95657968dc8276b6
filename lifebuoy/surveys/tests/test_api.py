"""``/api/surveys/…``: answers and follow-ups for support leads, nobody else."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from http import HTTPStatus

import pytest

from lifebuoy.surveys.models import FollowUpTask
from lifebuoy.surveys.services.answers import survey_answer

from .conftest import resolved_ticket, send_csat

pytestmark = pytest.mark.django_db

W48 = datetime(2026, 11, 23, tzinfo=UTC)  # Monday of 2026-W48


@pytest.fixture
def answered(alice, carol, ted):
    first, _ = send_csat(resolved_ticket(alice, ted, W48 - timedelta(days=3)), W48)
    second, _ = send_csat(resolved_ticket(carol, ted, W48 - timedelta(days=2)), W48)
    survey_answer(survey=first, rating=5, comment="Great", now=W48 + timedelta(days=1))
    survey_answer(survey=second, rating=1, comment="Slow", now=W48 + timedelta(days=8))
    return first, second


def test_leads_list_answers_of_a_week(api, lena, answered):
    first, _ = answered
    response = api(lena).get("/api/surveys/responses?week=2026-W48")
    assert response.status_code == HTTPStatus.OK
    data = response.json()
    assert data["count"] == 1
    [row] = data["results"]
    assert (row["id"], row["kind"], row["rating"], row["comment"]) == (first.id, "csat", 5, "Great")
    assert row["ticket_id"] == first.ticket_id
    assert row["organization"] == "Acme"
    everything = api(lena).get("/api/surveys/responses?kind=csat").json()
    assert [r["rating"] for r in everything["results"]] == [1, 5]  # newest first


@pytest.mark.parametrize("who", ["alice", "ted", "grace"])
def test_customers_and_agents_are_refused(api, request, answered, who):
    response = api(request.getfixturevalue(who)).get("/api/surveys/responses")
    assert response.status_code == HTTPStatus.FORBIDDEN


@pytest.mark.parametrize(
    ("query", "field"),
    [("week=2026-48", "week"), ("limit=0", "limit"), ("kind=ces", "kind"), ("since=soon", "since")],
)
def test_bad_filters_are_422_with_the_field(api, lena, query, field):
    response = api(lena).get(f"/api/surveys/responses?{query}")
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert field in response.json()["extra"]["fields"]


def test_leads_close_follow_ups_over_the_api(api, lena, ted, answered):
    [task] = api(lena).get("/api/surveys/follow-ups?status=open").json()
    assert task["survey"]["comment"] == "Slow"
    done = api(lena).post(
        f"/api/surveys/follow-ups/{task['id']}/done",
        {"note": "Apologized."},
        content_type="application/json",
    )
    assert done.status_code == HTTPStatus.OK
    assert done.json()["status"] == "done"
    again = api(lena).post(
        f"/api/surveys/follow-ups/{task['id']}/done", {}, content_type="application/json"
    )
    assert again.status_code == HTTPStatus.CONFLICT
    refused = api(ted).post(
        f"/api/surveys/follow-ups/{task['id']}/done", {}, content_type="application/json"
    )
    assert refused.status_code == HTTPStatus.FORBIDDEN
    assert FollowUpTask.objects.get().note == "Apologized."
