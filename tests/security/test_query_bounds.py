"""Numbers in query strings have bounds the database can hold: a page offset past them is a 422
naming the parameter, not an overflow inside the database (found by the API fuzz test)."""

from __future__ import annotations

from collections.abc import Callable
from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("offset", ["168431458910235715960832", str(2**63), "1000001"])
def test_a_survey_answers_offset_past_the_bound_is_a_422(
    api: Callable[[User], Client], lena: User, offset: str
) -> None:
    response = api(lena).get("/api/surveys/responses", {"offset": offset})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert "offset" in response.json()["extra"]["fields"]


def test_a_survey_answers_offset_within_the_bound_pages(
    api: Callable[[User], Client], lena: User
) -> None:
    response = api(lena).get("/api/surveys/responses", {"offset": "1000000"})
    assert response.status_code == HTTPStatus.OK
    assert response.json()["results"] == []


FAR_OFFSET = "5182-11-04T12:48:39.61+17:45"  # ISO allows it; PostgreSQL's offsets stop at 15:59


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/api/kb/deflection-rate", {"since": FAR_OFFSET, "until": FAR_OFFSET}),
        ("/api/surveys/responses", {"since": FAR_OFFSET, "until": "2026-11-24T10:00:00"}),
    ],
)
def test_times_with_any_offset_or_none_are_read_as_utc(
    api: Callable[[User], Client], lena: User, path: str, params: dict[str, str]
) -> None:
    assert api(lena).get(path, params).status_code == HTTPStatus.OK


def test_a_time_that_leaves_the_calendar_in_utc_is_a_422_naming_it(
    api: Callable[[User], Client], lena: User
) -> None:
    response = api(lena).get("/api/kb/deflection-rate", {"since": "0001-01-01T00:00:00+01:00"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert "since" in response.json()["extra"]["fields"]


def test_utc_datetime_converts_offsets_and_reads_naive_times_as_utc() -> None:
    from datetime import UTC, datetime

    from pydantic import TypeAdapter

    from lifebuoy.core.schemas import UtcDatetime

    adapter: TypeAdapter[datetime] = TypeAdapter(UtcDatetime)
    assert adapter.validate_python(FAR_OFFSET) == datetime(5182, 11, 3, 19, 3, 39, 610000, UTC)
    assert adapter.validate_python("2026-11-24T10:00:00").tzinfo == UTC
