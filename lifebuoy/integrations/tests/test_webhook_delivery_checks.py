"""Every webhook delivery checks its host again and connects only to the address it checked."""

from __future__ import annotations

import pytest
from django.test import override_settings

from lifebuoy.integrations.webhook.transport import WebhookTransport
from lifebuoy.notifications import webhook_targets as targets
from lifebuoy.notifications.tests.loopback import http_receiver
from lifebuoy.notifications.transports import Outgoing, TransportError
from lifebuoy.notifications.webhook_targets import webhook_url_problem


def outgoing(url: str) -> Outgoing:
    return Outgoing(
        kind="webhook",
        target=url,
        payload={"event": "ping"},
        idempotency_key="webhook:1:ping:1",
        secret="s3cret",
    )


@pytest.fixture
def dns(monkeypatch):
    """A DNS whose answers the test changes; every lookup is recorded."""
    answers: dict[str, list[str]] = {}
    asked: list[str] = []

    def resolve(host: str, port: int) -> list[str]:
        asked.append(host)
        return answers[host]

    monkeypatch.setattr(targets, "resolve_addresses", resolve)
    return answers, asked


def test_a_name_rebound_to_a_private_address_after_it_was_saved_is_refused(dns):
    answers, _ = dns
    answers["hooks.acme.example"] = ["93.184.215.14"]
    assert webhook_url_problem("https://hooks.acme.example/in") is None  # saved
    answers["hooks.acme.example"] = ["169.254.169.254"]  # the owner's DNS now points inside
    with pytest.raises(TransportError) as refused:
        WebhookTransport().send(outgoing("https://hooks.acme.example/in"))
    assert "private" in str(refused.value)
    assert refused.value.retryable is False


def test_an_unresolvable_host_is_retried_later(dns):
    answers, _ = dns
    answers["hooks.acme.example"] = []
    with pytest.raises(TransportError, match="cannot be resolved") as failed:
        WebhookTransport().send(outgoing("https://hooks.acme.example/in"))
    assert failed.value.retryable is True


@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True)  # plain http to this machine
def test_the_request_goes_to_the_checked_address_and_keeps_the_host_name(dns):
    answers, asked = dns
    answers["localhost"] = ["127.0.0.1"]
    with http_receiver() as (received, url):
        port = url.split(":")[2].split("/")[0]
        WebhookTransport().send(outgoing(f"http://localhost:{port}/hook?team=7"))
    assert asked == ["localhost"]  # resolved once, by the check
    (request,) = received
    assert request["headers"]["Host"] == f"localhost:{port}"
    assert request["path"] == "/hook?team=7"


@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True)
def test_a_redirect_is_not_followed_nor_retried(dns):
    answers, _ = dns
    answers["127.0.0.1"] = ["127.0.0.1"]
    with http_receiver(statuses=[302]) as (received, url), pytest.raises(TransportError) as failed:
        WebhookTransport().send(outgoing(url))
    assert len(received) == 1
    assert "redirects are not followed" in str(failed.value)
    assert failed.value.retryable is False


def test_an_on_premises_installation_may_allow_private_targets(dns):
    answers, _ = dns
    answers["tools.corp.example"] = ["10.1.2.3"]
    url = "https://tools.corp.example/hook"
    assert "private" in (webhook_url_problem(url) or "")
    assert webhook_url_problem(url, allow_private=True) is None
    assert "https" in (webhook_url_problem("http://tools.corp.example/h", allow_private=True) or "")
