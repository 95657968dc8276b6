"""Real components on loopback for the tests: an aiosmtpd sink and an HTTP receiver."""

from __future__ import annotations

import email
import json
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import Envelope, Session


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Sink:
    """Collects every message an SMTP client hands it."""

    def __init__(self) -> None:
        self.messages: list[Message] = []
        self.lock = threading.Lock()

    async def handle_DATA(self, server: Any, session: Session, envelope: Envelope) -> str:  # noqa: N802  # aiosmtpd's hook name
        raw = envelope.original_content or b""
        with self.lock:
            self.messages.append(email.message_from_bytes(raw))
        return "250 OK"

    def message_ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


@contextmanager
def smtp_sink(port: int | None = None) -> Iterator[tuple[Sink, int]]:
    sink = Sink()
    port = port or free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield sink, port
    finally:
        controller.stop()


class Recorder(BaseHTTPRequestHandler):
    received: list[dict[str, Any]]
    status: list[int]

    def do_POST(self) -> None:  # http.server's hook name
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        self.received.append({"path": self.path, "headers": dict(self.headers), "body": body})
        code = self.status.pop(0) if self.status else 200
        self.send_response(code)
        if self.path.startswith("/api/"):  # Slack's Web API answers JSON
            self.send_header("Content-Type", "application/json")
            self.end_headers()
            self.wfile.write(b'{"ok": true}' if code == 200 else b'{"ok": false, "error": "x"}')
            return
        self.send_header("Content-Type", "text/plain")
        self.end_headers()
        self.wfile.write(b"ok" if code == 200 else b"error")

    def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
        return


@contextmanager
def http_receiver(statuses: list[int] | None = None) -> Iterator[tuple[list[dict[str, Any]], str]]:
    """A local HTTP server standing in for Slack or a customer's webhook endpoint.

    ``statuses`` are the answers to the first requests (then 200)."""
    received: list[dict[str, Any]] = []
    handler = type("Handler", (Recorder,), {"received": received, "status": list(statuses or [])})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield received, f"http://127.0.0.1:{server.server_address[1]}/hook"
    finally:
        server.shutdown()
        server.server_close()


def json_body(request: dict[str, Any]) -> Any:
    return json.loads(request["body"])
