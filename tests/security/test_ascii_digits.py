"""Keys and ids in paths, queries and bodies are ASCII digits. ``"²".isdigit()`` is true and
``int("²")`` raises, so a check with ``isdigit()`` let such keys through to a server error; they
are now "not found" in a path, ignored in a list filter and a 422 naming the field in a body."""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

import pytest
from django.test import Client

from lifebuoy.accounts.models import User
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.parsing import parse_id
from lifebuoy.escalations.models import Condition, Rule
from lifebuoy.escalations.services.rules import rule_update
from lifebuoy.kb.forms import parse_shown
from lifebuoy.kb.selectors import parse_article_key
from lifebuoy.surveys.forms import preselected

pytestmark = pytest.mark.django_db

ODD_DIGITS = ["²", "١٢", "٣", "１２", "KB-²", "kb-١٠٠١", "1²", "⑦"]


@pytest.mark.parametrize("raw", ODD_DIGITS)
def test_parsers_read_ascii_digits_only(raw: str) -> None:
    assert parse_id(raw) is None
    assert parse_article_key(raw) is None
    assert parse_shown(raw) == []


def test_parsers_still_read_ascii_digits() -> None:
    assert parse_id("42") == 42
    assert parse_id(" 42 ") == 42
    assert parse_id("0") is None
    assert parse_id("9" * 30) is None
    assert parse_article_key("KB-1001") == 1001
    assert parse_shown("KB-1001, 1004 ²") == [1001, 1004]


@pytest.mark.parametrize("path", ["/api/kb/articles/²", "/api/kb/articles/KB-²/revisions"])
def test_api_article_paths_with_odd_digits_are_not_found(api: Any, ted: User, path: str) -> None:
    response = api(ted).get(path)
    assert response.status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "path",
    ["/api/tickets/²", "/api/tickets/٣/messages", "/api/attachments/²", "/api/organizations/²"],
)
def test_api_int_paths_with_odd_digits_are_not_found(api: Any, lena: User, path: str) -> None:
    response = api(lena).get(path)
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("path", ["/api/kb/deflections"])
@pytest.mark.parametrize("article", ["²", "KB-٣", "1²"])
def test_article_keys_in_bodies_answer_422_naming_the_field(
    api: Any, alice: User, path: str, article: str
) -> None:
    response = api(alice).post(
        path, {"article": article, "shown": []}, content_type="application/json"
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY, response.content
    assert "article" in response.json()["extra"]["fields"]


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("alice", "/portal/kb/²/"),
        ("alice", "/portal/kb/KB-²/"),
        ("ted", "/desk/kb/²/"),
        ("ted", "/desk/kb/²/edit/"),
        ("ted", "/desk/tickets/²/"),
    ],
)
def test_page_paths_with_odd_digits_are_not_found(
    client: Client, request: pytest.FixtureRequest, who: str, path: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    ("who", "path", "query"),
    [
        ("ted", "/desk/", {"q": "#²"}),
        ("ted", "/desk/kb/new/", {"ticket": "²"}),
        ("alice", "/portal/webhooks/", {"organization": "²"}),
        ("lena", "/portal/webhooks/", {"organization": "²"}),
    ],
)
def test_page_filters_with_odd_digits_are_ignored(
    client: Client, request: pytest.FixtureRequest, who: str, path: str, query: dict[str, str]
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(path, query).status_code == HTTPStatus.OK


def test_the_queue_refuses_an_assignee_that_is_not_one_of_its_choices(
    client: Client, ted: User
) -> None:
    client.force_login(ted)
    response = client.get("/desk/", {"assignee": "²"})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "assignee" in response.context["form"].errors


@pytest.mark.parametrize("query", [{"assignee": "²"}, {"q": "#²"}])
def test_api_ticket_filters_with_odd_digits_are_ignored(
    api: Any, lena: User, query: dict[str, str]
) -> None:
    assert api(lena).get("/api/tickets/", query).status_code == HTTPStatus.OK


def test_a_survey_link_rating_with_odd_digits_is_not_preselected() -> None:
    class Scale:
        scale = range(1, 6)

    assert preselected(Scale(), "²") is None  # type: ignore[arg-type]  # only .scale is read
    assert preselected(Scale(), "4") == 4  # type: ignore[arg-type]  # only .scale is read


def test_a_numeric_escalation_rule_refuses_odd_digits(lena: User) -> None:
    rule = Rule.objects.filter(condition=Condition.OPEN_LONGER_THAN).first()
    assert rule is not None
    with pytest.raises(ValidationFailed):
        rule_update(rule=rule, actor=lena, mode=rule.mode, is_active=True, value="٤٨", also_tag="")


HUGE = "9" * 30


@pytest.mark.parametrize(
    ("who", "path"),
    [
        ("ted", f"/desk/tickets/{HUGE}/"),
        ("alice", f"/portal/tickets/{HUGE}/"),
        ("ted", f"/desk/kb/{HUGE}/"),
        ("alice", f"/portal/kb/KB-{HUGE}/"),
        ("ted", f"/attachments/{HUGE}/"),
        ("lena", f"/desk/monitoring/{HUGE}/"),
        ("lena", f"/portal/webhooks/{HUGE}/"),
    ],
)
def test_page_ids_past_any_database_integer_are_not_found(
    client: Client, request: pytest.FixtureRequest, who: str, path: str
) -> None:
    client.force_login(request.getfixturevalue(who))
    assert client.get(path).status_code == HTTPStatus.NOT_FOUND


@pytest.mark.parametrize(
    "path", [f"/api/tickets/{HUGE}", f"/api/kb/articles/{HUGE}", f"/api/attachments/{HUGE}"]
)
def test_api_ids_past_any_database_integer_are_not_found(api: Any, lena: User, path: str) -> None:
    assert api(lena).get(path).status_code == HTTPStatus.NOT_FOUND
