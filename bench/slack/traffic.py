"""The Events API traffic: a batch of signed event callbacks, and sender processes that POST
them on keep-alive connections and time each answer."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import random
import time
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from bench.slack.desk import CHANNEL, CUSTOMERS, SECRET

HOST = "127.0.0.1"
EVENTS_PATH = "/integrations/slack/events"


def envelope(event_id: str, event: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "event_callback",
        "team_id": "TBENCH001",
        "api_app_id": "ABENCH001",
        "event_id": event_id,
        "event_time": int(time.time()),
        "authorizations": [{"user_id": "UBOTBENCH", "is_bot": True}],
        "event": {"channel": CHANNEL, **event},
    }


def _reply(user: str, ts: str, thread_ts: str, text: str) -> dict[str, Any]:
    return {"type": "message", "user": user, "ts": ts, "thread_ts": thread_ts, "text": text}


def _edit(user: str, ts: str, old_ts: str, old: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "message_changed",
        "ts": ts,
        "message": {"user": user, "ts": old_ts, "text": old + " (edited)"},
        "previous_message": {"user": user, "ts": old_ts, "text": old},
    }


def _bot(ts: str) -> dict[str, Any]:
    return {
        "type": "message",
        "subtype": "bot_message",
        "bot_id": "BOTHER",
        "ts": ts,
        "text": "beep",
    }


def events_for(batch: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Roots first (a fifth of ``count``; each opens a ticket), then replies in their threads
    (75 % of the rest), edits of replies (12.5 %) and another bot's chatter (12.5 %)."""
    roots = max(1, count // 5)
    base = 1_770_000_000 + (0 if batch == "a" else 500_000)
    root_ts = [f"{base + i}.000100" for i in range(roots)]
    made = [
        envelope(
            f"Ev{batch}R{i}",
            {
                "type": "message",
                "user": f"UC{i % CUSTOMERS:07d}",
                "ts": ts,
                "text": f"Agent {i} stopped",
            },
        )
        for i, ts in enumerate(root_ts)
    ]
    replies: list[tuple[str, str, str]] = []
    for i in range(count - roots):
        kind = rng.random()
        thread = rng.randrange(roots)
        user = f"UC{thread % CUSTOMERS:07d}"
        ts = f"{base + 100_000 + i}.000200"
        if kind < 0.75 or not replies:
            text = f"More detail {i}"
            replies.append((ts, user, text))
            event = _reply(user, ts, root_ts[thread], text)
        elif kind < 0.875:
            old_ts, old_user, old = replies[rng.randrange(len(replies))]
            event = _edit(old_user, ts, old_ts, old)
        else:
            event = _bot(ts)
        made.append(envelope(f"Ev{batch}X{i}", event))
    return made


def sign(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/json",
    }


def send_share(args: tuple[int, list[dict[str, Any]]]) -> list[float]:
    """One sender: its share of the payloads on one keep-alive connection; each latency."""
    port, payloads = args
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    samples = []
    for payload in payloads:
        body = json.dumps(payload).encode()
        began = time.perf_counter()
        conn.request("POST", EVENTS_PATH, body=body, headers=sign(body))
        response = conn.getresponse()
        response.read()
        samples.append(time.perf_counter() - began)
        if response.status != 200:
            raise SystemExit(f"request answered {response.status}")
    conn.close()
    return samples


def warm_up(port: int, requests: int = 40) -> None:
    """Load each server process's code and connection before the clock starts."""
    body = json.dumps({"type": "url_verification", "challenge": "warm"}).encode()
    for _ in range(requests):
        conn = http.client.HTTPConnection(HOST, port, timeout=30)
        conn.request("POST", EVENTS_PATH, body=body, headers=sign(body))
        conn.getresponse().read()
        conn.close()


def send_all(port: int, payloads: list[dict[str, Any]], senders: int) -> tuple[float, list[float]]:
    """Roots first from every sender (a reply needs its thread), then the rest; the seconds it
    took and each request's latency."""
    roots = [p for p in payloads if "R" in p["event_id"]]
    rest = [p for p in payloads if "R" not in p["event_id"]]
    began = time.perf_counter()
    samples: list[float] = []
    with ProcessPoolExecutor(senders) as pool:
        for part in (roots, rest):
            shares = [(port, part[i::senders]) for i in range(senders)]
            for result in pool.map(send_share, shares):
                samples.extend(result)
    return time.perf_counter() - began, samples


def pct(samples: list[float], q: float) -> float:
    """The ``q`` quantile of ``samples`` (seconds), in milliseconds."""
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000
