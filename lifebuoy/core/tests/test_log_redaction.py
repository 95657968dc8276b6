"""No secret in a log line: with the site's logging configuration, requests, errors and
deliveries that log never write a token, password, webhook secret or session id."""

from __future__ import annotations

import copy
import io
import logging
import logging.config
from collections.abc import Iterator
from http import HTTPStatus
from typing import Any

import pytest
from django.http import HttpRequest, HttpResponse
from django.test import Client
from django.urls import path

from config.settings import base
from lifebuoy.core.redaction import redact

pytestmark = pytest.mark.django_db

TOKEN = "lb_Zq3xT0kenValue1234567890abcdef"
PASSWORD = "correct-horse-battery"
WEBHOOK_SECRET = "whk3y-R7s9Pq2LmN4vB8xC1zD6fG"
SESSION = "k2j3h4g5f6d7s8a9q0w1e2r3t4y5u6i7"


def _failing_view(request: HttpRequest) -> HttpResponse:
    headers = {"Authorization": request.headers.get("Authorization", ""), "Cookie": "x"}
    raise RuntimeError(f"upstream refused {headers} with password={PASSWORD}")


def _logging_view(request: HttpRequest) -> HttpResponse:
    logging.getLogger("lifebuoy.test").warning(
        "webhook %s: %s", {"url": "https://h.example/", "secret": WEBHOOK_SECRET}, request.META
    )
    return HttpResponse("ok")


urlpatterns = [path("fail/", _failing_view), path("log/", _logging_view)]


@pytest.fixture
def site_log(caplog) -> Iterator[io.StringIO]:
    """The production LOGGING from ``config.settings.base``, its console writing to a buffer."""
    stream = io.StringIO()
    config: dict[str, Any] = copy.deepcopy(base.LOGGING)
    config["handlers"]["console"]["stream"] = stream
    root = logging.getLogger()
    before = list(root.handlers)
    logging.config.dictConfig(config)
    caplog.set_level(logging.INFO)
    yield stream
    for handler in list(root.handlers):
        root.removeHandler(handler)
    for handler in before:
        root.addHandler(handler)


def _everything_logged(stream: io.StringIO, caplog) -> str:
    captured = "\n".join(caplog.handler.format(r) for r in caplog.records)
    return stream.getvalue() + "\n" + captured + "\n" + caplog.text


def _assert_clean(text: str) -> None:
    for secret in (TOKEN, PASSWORD, WEBHOOK_SECRET, SESSION, "test-secret-key"):
        assert secret not in text


@pytest.mark.urls(__name__)
def test_a_failing_request_logs_its_traceback_without_the_secrets(site_log, caplog, settings):
    settings.DEBUG = False
    client = Client(raise_request_exception=False, headers={"authorization": f"Bearer {TOKEN}"})
    client.cookies["sessionid"] = SESSION
    assert client.get("/fail/").status_code == HTTPStatus.INTERNAL_SERVER_ERROR
    logged = _everything_logged(site_log, caplog)
    assert "Internal Server Error: /fail/" in logged
    assert "RuntimeError: upstream refused" in logged  # the traceback is still there
    assert "[redacted]" in logged
    _assert_clean(logged)


@pytest.mark.urls(__name__)
def test_a_logged_request_meta_and_webhook_dict_are_redacted(site_log, caplog):
    client = Client(headers={"authorization": f"Bearer {TOKEN}"})
    client.cookies["sessionid"] = SESSION
    assert client.get("/log/").status_code == HTTPStatus.OK
    logged = _everything_logged(site_log, caplog)
    assert "https://h.example/" in logged
    _assert_clean(logged)


def test_a_bad_api_token_and_an_expired_survey_link_leave_no_trace(site_log, caplog):
    Client(headers={"authorization": f"Bearer {TOKEN}"}).get("/api/me")
    Client().get(f"/surveys/{SESSION}/")
    logged = _everything_logged(site_log, caplog)
    assert "Not Found: /surveys/[redacted]/" in logged
    _assert_clean(logged)


@pytest.mark.parametrize(
    ("line", "kept"),
    [
        (f"Authorization: Bearer {TOKEN}", "Authorization:"),
        (f"{{'HTTP_AUTHORIZATION': 'Bearer {TOKEN}'}}", "HTTP_AUTHORIZATION"),
        (f"Authorization: Basic dXNlcjp{PASSWORD}", "Authorization:"),
        (f'{{"secret": "{WEBHOOK_SECRET}", "events": ["ticket.created"]}}', "ticket.created"),
        (f"secret={WEBHOOK_SECRET}&next=/desk/", "next=/desk/"),
        (f"Cookie: csrftoken=abc123def456; sessionid={SESSION}", "Cookie"),
        (f"sessionid={SESSION}", "sessionid"),
        (f"login failed: password={PASSWORD} for ann@acme.example", "ann@acme.example"),
        (f"token {TOKEN} was revoked", "was revoked"),
        ("deployment token lbd_" + "A" * 40, "deployment"),
    ],
)
def test_each_kind_of_secret_is_replaced(line, kept):
    cleaned = redact(line)
    assert "[redacted]" in cleaned
    assert kept in cleaned
    for secret in (TOKEN, PASSWORD, WEBHOOK_SECRET, SESSION, "A" * 40):
        assert secret not in cleaned


def test_secret_settings_are_redacted_by_value(settings):
    settings.EMAIL_HOST_PASSWORD = "smtp-pass-Xy12"
    assert redact("SMTP AUTH with smtp-pass-Xy12 failed") == "SMTP AUTH with [redacted] failed"


def test_ordinary_lines_are_left_alone():
    line = "Delivery 42 (webhook) attempt 3 failed: HTTP 503; next try in 120s"
    assert redact(line) == line
