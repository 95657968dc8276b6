"""A fake Slack on 127.0.0.1 for the tests: the Web API methods the desk calls, file downloads,
and an Events API sender that signs its requests as Slack does.

``FakeSlack`` answers ``users.info``, ``files.info``, ``chat.postMessage`` and ``auth.test``
from its own state; ``throttle(n, retry_after)`` makes the next n posts answer 429 with
``Retry-After``, ``fail_posts(error)`` makes posts fail with a Slack error.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

BOT_USER = "UBOT00001"
APP_ID = "AAPP00001"
TEAM = "TTEAM0001"


@dataclass
class SlackState:
    users: dict[str, dict[str, Any]] = field(default_factory=dict)
    files: dict[str, dict[str, Any]] = field(default_factory=dict)
    file_bytes: dict[str, bytes] = field(default_factory=dict)
    posts: list[dict[str, Any]] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)
    throttled: list[float] = field(default_factory=list)
    post_error: str = ""
    files_read: bool = True
    lock: threading.Lock = field(default_factory=threading.Lock)
    ts: Iterator[int] = field(default_factory=lambda: itertools.count(1))


class _Handler(BaseHTTPRequestHandler):
    state: SlackState
    base: str

    def log_message(self, format: str, *args: Any) -> None:  # http.server's signature
        return

    def _answer(self, status: int, body: dict[str, Any], headers: dict[str, str] | None = None):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _params(self) -> dict[str, Any]:
        query = {k: v[0] for k, v in parse_qs(urlsplit(self.path).query).items()}
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if raw and "json" in (self.headers.get("Content-Type") or ""):
            query.update(json.loads(raw))
        elif raw:
            query.update({k: v[0] for k, v in parse_qs(raw.decode()).items()})
        return query

    def do_GET(self) -> None:  # http.server's hook name
        path = urlsplit(self.path).path
        if path.startswith("/files/"):
            return self._download(path)
        return self._api(path, self._params())

    def do_POST(self) -> None:  # http.server's hook name
        return self._api(urlsplit(self.path).path, self._params())

    def _authorized(self) -> bool:
        return self.headers.get("Authorization", "") == "Bearer xoxb-test-token"

    def _download(self, path: str) -> None:
        file_id = path.split("/")[2]
        if not self._authorized() or file_id not in self.state.file_bytes:
            self.send_response(404)
            self.end_headers()
            return
        data = self.state.file_bytes[file_id]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _api(self, path: str, params: dict[str, Any]) -> None:
        method = path.rsplit("/", 1)[-1]
        with self.state.lock:
            self.state.calls.append(method)
        if not self._authorized():
            return self._answer(200, {"ok": False, "error": "invalid_auth"})
        handler = getattr(self, "_m_" + method.replace(".", "_"), None)
        if handler is None:
            return self._answer(200, {"ok": False, "error": "unknown_method"})
        return handler(params)

    def _m_auth_test(self, params: dict[str, Any]) -> None:
        self._answer(200, {"ok": True, "user_id": BOT_USER, "team_id": TEAM})

    def _m_users_info(self, params: dict[str, Any]) -> None:
        user = self.state.users.get(str(params.get("user")))
        if user is None:
            return self._answer(200, {"ok": False, "error": "user_not_found"})
        return self._answer(200, {"ok": True, "user": user})

    def _m_files_info(self, params: dict[str, Any]) -> None:
        if not self.state.files_read:
            return self._answer(200, {"ok": False, "error": "missing_scope"})
        found = self.state.files.get(str(params.get("file")))
        if found is None:
            return self._answer(200, {"ok": False, "error": "file_not_found"})
        return self._answer(200, {"ok": True, "file": found})

    def _m_chat_postMessage(self, params: dict[str, Any]) -> None:  # noqa: N802  # Slack's name
        with self.state.lock:
            if self.state.throttled:
                wait = self.state.throttled.pop(0)
                return self._answer(
                    429, {"ok": False, "error": "ratelimited"}, {"Retry-After": f"{wait:g}"}
                )
            if self.state.post_error:
                return self._answer(200, {"ok": False, "error": self.state.post_error})
            ts = f"{int(time.time())}.{next(self.state.ts):06d}"
            self.state.posts.append({**params, "ts": ts})
        return self._answer(200, {"ok": True, "channel": params.get("channel"), "ts": ts})


class FakeSlack:
    def __init__(self, state: SlackState, url: str) -> None:
        self.state = state
        self.url = url
        self.api_url = f"{url}/api/"

    def add_user(self, user_id: str, name: str, email: str = "", *, is_bot: bool = False) -> None:
        profile = {"real_name": name, **({"email": email} if email else {})}
        self.state.users[user_id] = {
            "id": user_id,
            "name": name.lower(),
            "real_name": name,
            "is_bot": is_bot,
            "profile": profile,
        }

    def add_file(self, file_id: str, name: str, data: bytes, mimetype: str = "text/plain"):
        self.state.file_bytes[file_id] = data
        shared = {
            "id": file_id,
            "name": name,
            "mimetype": mimetype,
            "size": len(data),
            "permalink": f"https://acme.slack.com/files/{file_id}/{name}",
            "url_private_download": f"{self.url}/files/{file_id}/{name}",
        }
        self.state.files[file_id] = shared
        return {k: shared[k] for k in ("id", "name", "mimetype", "size", "permalink")}

    def throttle(self, count: int, retry_after: float) -> None:
        self.state.throttled.extend([retry_after] * count)

    @property
    def posts(self) -> list[dict[str, Any]]:
        return list(self.state.posts)


@contextmanager
def fake_slack() -> Iterator[FakeSlack]:
    state = SlackState()
    handler = type("Handler", (_Handler,), {"state": state})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield FakeSlack(state, f"http://127.0.0.1:{server.server_address[1]}")
    finally:
        server.shutdown()
        server.server_close()


class EventSender:
    """Builds Events API payloads and POSTs them, signed with ``secret``, to the request URL
    through ``post(path, body, headers)`` (the Django test client, or HTTP)."""

    def __init__(self, post: Any, secret: str, path: str = "/integrations/slack/events") -> None:
        self._post = post
        self.secret = secret
        self.path = path
        self._ids = itertools.count(1)
        self._ts = itertools.count(1)

    def next_ts(self) -> str:
        return f"{1_764_000_000 + next(self._ts)}.000100"

    def envelope(self, event: dict[str, Any], event_id: str = "") -> dict[str, Any]:
        return {
            "token": "unused",
            "team_id": TEAM,
            "api_app_id": APP_ID,
            "event": event,
            "type": "event_callback",
            "event_id": event_id or f"Ev{next(self._ids):08d}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }

    def message(
        self, channel: str, user: str, text: str, *, thread_ts: str = "", **extra: Any
    ) -> dict[str, Any]:
        ts = extra.pop("ts", "") or self.next_ts()
        event = {"type": "message", "channel": channel, "user": user, "text": text, "ts": ts}
        if thread_ts:
            event["thread_ts"] = thread_ts
        return self.envelope({**event, **extra})

    def reaction(self, channel: str, user: str, ts: str, name: str) -> dict[str, Any]:
        return self.envelope(
            {
                "type": "reaction_added",
                "user": user,
                "reaction": name,
                "item": {"type": "message", "channel": channel, "ts": ts},
                "event_ts": self.next_ts(),
            }
        )

    def edit(self, channel: str, user: str, ts: str, old: str, new: str) -> dict[str, Any]:
        return self.envelope(
            {
                "type": "message",
                "subtype": "message_changed",
                "channel": channel,
                "ts": self.next_ts(),
                "message": {"type": "message", "user": user, "text": new, "ts": ts},
                "previous_message": {"type": "message", "user": user, "text": old, "ts": ts},
            }
        )

    def delete(self, channel: str, user: str, ts: str, old: str) -> dict[str, Any]:
        return self.envelope(
            {
                "type": "message",
                "subtype": "message_deleted",
                "channel": channel,
                "ts": self.next_ts(),
                "deleted_ts": ts,
                "previous_message": {"type": "message", "user": user, "text": old, "ts": ts},
            }
        )

    def signed_headers(self, body: bytes, *, timestamp: int | None = None) -> dict[str, str]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        base = b"v0:" + stamp.encode() + b":" + body
        digest = hmac.new(self.secret.encode(), base, hashlib.sha256).hexdigest()
        return {"X-Slack-Request-Timestamp": stamp, "X-Slack-Signature": f"v0={digest}"}

    def send(
        self,
        payload: dict[str, Any],
        *,
        retry_num: int | None = None,
        headers: dict[str, str] | None = None,
    ) -> Any:
        body = json.dumps(payload).encode()
        sent = headers if headers is not None else self.signed_headers(body)
        if retry_num is not None:
            sent = {
                **sent,
                "X-Slack-Retry-Num": str(retry_num),
                "X-Slack-Retry-Reason": "http_timeout",
            }
        return self._post(self.path, body, sent)
