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
