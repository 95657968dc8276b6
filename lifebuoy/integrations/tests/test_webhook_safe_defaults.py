"""Private webhook targets are refused whatever DEBUG says, and a failed delivery records only
the kind of failure and the status code: never bytes the target sent back."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.test import override_settings

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.integrations.webhook import transport
from lifebuoy.integrations.webhook.transport import WebhookTransport
from lifebuoy.notifications.models import WebhookEndpoint
from lifebuoy.notifications.services import delivery as outbox
from lifebuoy.notifications.services.webhooks import webhook_endpoint_ping, webhook_fields_validate
from lifebuoy.notifications.tests.loopback import free_port
from lifebuoy.notifications.transports import Outgoing, TransportError

LEAK = b"db-password=hunter2"


@pytest.mark.parametrize(
    "url",
    [
        "http://localhost:8000/hook",
        "https://localhost/hook",
        "http://127.0.0.1:9000/hook",
        "https://[::1]/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://10.0.0.8/hook",
    ],
)
@pytest.mark.parametrize("debug", [True, False])
def test_private_targets_are_refused_in_development_too(url, debug, settings):
    settings.DEBUG = debug
    settings.LIFEBUOY_WEBHOOK_PRIVATE_TARGETS = False
    with pytest.raises(ValidationFailed) as refused:
        webhook_fields_validate(url=url)
    assert "url" in refused.value.extra["fields"]


def test_the_private_targets_setting_allows_this_machine(settings):
    settings.LIFEBUOY_WEBHOOK_PRIVATE_TARGETS = True
    webhook_fields_validate(url="http://localhost:8000/hook")  # a receiver on this machine
    webhook_fields_validate(url="https://10.0.0.8/hook")
    with pytest.raises(ValidationFailed) as refused:
        webhook_fields_validate(url="http://10.0.0.8/hook")  # plain http: this machine only
    assert refused.value.extra["fields"]["url"] == "Use an https:// URL."


def _read_request(conn: socket.socket) -> None:
    """Read one HTTP request, headers and body, however the client split it into segments
    (a client that sends nothing, or gives up, leaves it after at most a second)."""
    conn.settimeout(1)
    try:
        _read_whole(conn)
    except OSError:
        return


def _read_whole(conn: socket.socket) -> None:
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value.strip())
    while len(body) < length:
        chunk = conn.recv(65536)
        if not chunk:
            return
        body += chunk


@contextmanager
def raw_server(answer: bytes | None) -> Iterator[str]:
    """A TCP server on 127.0.0.1 that reads a request and writes ``answer`` (None: nothing)."""
    server = socket.create_server(("127.0.0.1", 0))
    stop = threading.Event()

    def serve() -> None:
        server.settimeout(0.2)
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except TimeoutError:
                continue
            with conn:
                _read_request(conn)  # all of it: closing on unread bytes would reset instead
                if answer is not None:
                    conn.sendall(answer)
                else:
                    stop.wait(5)

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.getsockname()[1]}/hook"
    finally:
        stop.set()
        thread.join(5)
        server.close()


def _http(status_line: bytes) -> bytes:
    body = b"<html>" + LEAK + b"</html>"
    return status_line + b"\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def _send(url: str) -> TransportError:
    outgoing = Outgoing(
        kind="webhook", target=url, payload={"event": "ping"}, idempotency_key="k", secret="s"
    )
    with pytest.raises(TransportError) as failed:
        WebhookTransport().send(outgoing)
    return failed.value


@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True)
@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (_http(b"HTTP/1.1 403 Forbidden " + LEAK), "HTTP 403"),
        (_http(b"HTTP/1.1 500 Internal Server Error"), "HTTP 500"),
        (_http(b"HTTP/1.1 301 Moved") + b"Location: https://x/" + LEAK, "HTTP 301"),
        (LEAK + b"\r\n\r\n", "invalid HTTP response"),
        (b"", "connection closed"),
    ],
)
def test_a_failure_says_what_kind_it_was_and_nothing_the_target_sent(answer, says):
    with raw_server(answer) as url:
        error = str(_send(url))
    assert error.startswith(says)
    assert "hunter2" not in error
    assert "127.0.0.1" not in error  # not the URL either: the page shows it already


@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True)
def test_refused_timed_out_and_tls_failures_are_named():
    assert str(_send(f"http://127.0.0.1:{free_port()}/hook")) == "connection refused"
    with raw_server(_http(b"HTTP/1.1 200 OK")) as url:
        assert str(_send(url.replace("http://", "https://"))) == "TLS error"


@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True)
def test_a_silent_target_times_out(monkeypatch):
    monkeypatch.setattr(transport, "TIMEOUT_SECONDS", 0.3)
    with raw_server(None) as url:
        assert str(_send(url)) == "timed out"


@pytest.mark.django_db
@override_settings(LIFEBUOY_WEBHOOK_PRIVATE_TARGETS=True, LIFEBUOY_NOTIFY_EMAIL=False)
def test_the_recorded_last_error_is_only_the_category(alice, now):
    with raw_server(_http(b"HTTP/1.1 403 Forbidden " + LEAK)) as url:
        endpoint = WebhookEndpoint.objects.create(
            organization=alice.organization, url=url, secret="k"
        )
        delivery = webhook_endpoint_ping(endpoint=endpoint, actor=alice, now=now)
        outbox.delivery_attempt(delivery_id=delivery.id, now=now + timedelta(seconds=1))
    delivery.refresh_from_db()
    assert delivery.last_error == "HTTP 403"
