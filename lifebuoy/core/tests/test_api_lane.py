"""API calls with a token and no session take a shorter middleware chain and answer the same."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from http import HTTPStatus
from unittest import mock

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import Client, override_settings

from lifebuoy.accounts.models import User
from lifebuoy.core.api_lane import lane_chain

pytestmark = pytest.mark.django_db

LANE = "lifebuoy.core.api_lane.ApiTokenLaneMiddleware"
SECURITY_HEADERS = (
    "Content-Security-Policy",
    "X-Frame-Options",
    "X-Content-Type-Options",
    "Referrer-Policy",
    "Cross-Origin-Opener-Policy",
)
NEW_TICKET = {"subject": "C2 silent", "description": "No commits since noon", "priority": "P2"}


def _full_chain() -> override_settings:
    return override_settings(MIDDLEWARE=[m for m in settings.MIDDLEWARE if m != LANE])


@pytest.fixture
def session_middleware_runs() -> Iterator[mock.MagicMock]:
    from django.contrib.sessions.middleware import SessionMiddleware

    with mock.patch.object(
        SessionMiddleware,
        "process_request",
        autospec=True,
        side_effect=SessionMiddleware.process_request,
    ) as spy:
        yield spy


def test_a_token_call_creates_the_same_ticket_without_the_browser_middleware(
    api: Callable[[User], Client], alice: User, session_middleware_runs: mock.MagicMock
) -> None:
    lane = api(alice).post("/api/tickets/", NEW_TICKET, content_type="application/json")
    assert session_middleware_runs.call_count == 0
    with _full_chain():
        full = api(alice).post("/api/tickets/", NEW_TICKET, content_type="application/json")
    assert session_middleware_runs.call_count == 1

    assert lane.status_code == full.status_code == HTTPStatus.CREATED
    lane_body, full_body = lane.json(), full.json()
    for field in ("subject", "description_html", "status", "priority", "organization"):
        assert lane_body[field] == full_body[field]
    assert lane_body["number"] != full_body["number"]
    for header in SECURITY_HEADERS:
        assert lane[header] == full[header], header
    assert lane["Content-Type"] == full["Content-Type"] == "application/json; charset=utf-8"


def test_a_bad_token_is_refused_as_by_the_full_chain(alice: User) -> None:
    client = Client(headers={"authorization": "Bearer lb_not-a-real-token"})
    lane = client.get("/api/tickets/")
    with _full_chain():
        full = Client(headers={"authorization": "Bearer lb_not-a-real-token"}).get("/api/tickets/")
    assert lane.status_code == full.status_code == HTTPStatus.UNAUTHORIZED
    assert lane.json() == full.json()


def test_a_browser_session_still_counts_beside_a_stale_token(
    bob: User, session_middleware_runs: mock.MagicMock
) -> None:
    client = Client(headers={"authorization": "Bearer lb_revoked-long-ago"})
    client.force_login(bob)
    response = client.get("/api/tickets/")
    assert response.status_code == HTTPStatus.OK
    assert session_middleware_runs.call_count == 1


def test_pages_take_the_full_chain_even_with_a_token(
    api: Callable[[User], Client], alice: User, session_middleware_runs: mock.MagicMock
) -> None:
    api(alice).get("/accounts/login/")
    assert session_middleware_runs.call_count == 1


def test_the_lane_keeps_the_apis_refusals(api: Callable[[User], Client], alice: User) -> None:
    client = api(alice)
    wrong_method = client.put("/api/tickets/", NEW_TICKET, content_type="application/json")
    assert wrong_method.status_code == HTTPStatus.METHOD_NOT_ALLOWED
    assert wrong_method.json()["code"] == "method_not_allowed"
    assert "GET" in wrong_method["Allow"]

    with override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=1000):
        too_big = client.post(
            "/api/tickets/",
            {**NEW_TICKET, "description": "x" * 5000},
            content_type="application/json",
        )
    assert too_big.status_code == HTTPStatus.REQUEST_ENTITY_TOO_LARGE
    assert too_big.json()["code"] == "payload_too_large"


def test_the_lane_cannot_contain_itself() -> None:
    with pytest.raises(ImproperlyConfigured, match="cannot include itself"):
        lane_chain([*settings.LIFEBUOY_API_TOKEN_MIDDLEWARE, LANE])
