"""Slack Connect inbound throughput: signed Events API requests through a real gunicorn server
and Celery workers, on PostgreSQL and Redis, with a fake Slack Web API on 127.0.0.1.

    python bench/slack_bench.py [--events 3000] [--senders 4] [--web-workers 2]
        [--celery-concurrency 2] [--database-url postgres://postgres@127.0.0.1:5432/slackbench]
        [--broker redis://127.0.0.1:6379/12]

The database named in --database-url is dropped and created afresh. The events: 20 % new
top-level messages from 200 known customers (each opens a ticket), 60 % replies in those
threads, 10 % edits of replies, 10 % messages from other bots (ignored).

Phase 1, "accept": only the web server runs. Sender processes POST the signed events on
keep-alive connections; each request verifies the signature, stores the event and queues its
task in Redis. Measured: events/s from the first request to the last 200, latency, and CPU per
event of the server and PostgreSQL.
Phase 2, "process": Celery workers start and drain the queue: each event becomes a ticket, a
message, a recorded edit or an ignored line, and the acknowledgements are posted to the fake
Slack through the outbox. Measured from the first to the last event's ``processed_at``, with CPU
per event of the workers and PostgreSQL.
Phase 3, "together": a second batch with the server and the workers running at once, counted
from the first request to the last event processed (Slack's view: sent to done).
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import http.client
import json
import os
import random
import signal
import socket
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
SECRET = "bench-signing-secret"  # noqa: S105  # the bench signs its own requests
CHANNEL = "CBENCH0001"
CUSTOMERS = 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


def fresh_database(url: str) -> None:
    import psycopg

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = parts._replace(path="/postgres").geturl()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def environment(url: str, broker: str, slack_api: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": url,
        "CELERY_BROKER_URL": broker,
        "LIFEBUOY_CACHE_URL": broker,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "DEBUG": "0",
        "SECRET_KEY": "benchmark-only-secret-key",
        "LOG_LEVEL": "WARNING",
        "LIFEBUOY_SLACK_SIGNING_SECRET": SECRET,
        "LIFEBUOY_SLACK_BOT_TOKEN": "xoxb-test-token",
        "LIFEBUOY_SLACK_API_URL": slack_api,
        "LIFEBUOY_NOTIFY_EMAIL": "0",
        "LIFEBUOY_DATA_DIR": tempfile.mkdtemp(prefix="lifebuoy-slackbench-"),
    }


def setup_desk(env: dict[str, str]) -> None:
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v", "0"], cwd=ROOT, env=env, check=True
    )
    os.environ.update(env)
    import django

    django.setup()
    from django.utils import timezone

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import organization_create
    from lifebuoy.integrations.slack.models import SlackUser
    from lifebuoy.integrations.slack.services import slack_channel_connect

    now = timezone.now()
    org = organization_create(name="Bench Co", slug="bench", plan="enterprise", timezone="UTC")
    lead = User.objects.create_user("lead@bench.test", None, full_name="Lead", role=Role.LEAD)
    slack_channel_connect(
        actor=lead,
        organization=org,
        channel_id=CHANNEL,
        name="bench",
        resolve_emoji="white_check_mark",
        now=now,
    )
    for n in range(CUSTOMERS):
        user = User.objects.create_user(
            f"c{n}@bench.test",
            None,
            full_name=f"Customer {n}",
            role=Role.CUSTOMER,
            organization=org,
        )
        SlackUser.objects.create(slack_user_id=f"UC{n:07d}", user=user, created_at=now)
    from django.db import connections

    connections.close_all()


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


def events_for(batch: str, count: int, rng: random.Random) -> list[dict[str, Any]]:
    """Roots first (each opens a ticket), then replies, edits and bot chatter, shuffled."""
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
    rest: list[dict[str, Any]] = []
    replies: list[tuple[str, str, str]] = []
    for i in range(count - roots):
        kind = rng.random()
        thread = rng.randrange(roots)
        user = f"UC{thread % CUSTOMERS:07d}"
        ts = f"{base + 100_000 + i}.000200"
        if kind < 0.75 or not replies:
            text = f"More detail {i}"
            replies.append((ts, user, text))
            event = {
                "type": "message",
                "user": user,
                "ts": ts,
                "thread_ts": root_ts[thread],
                "text": text,
            }
        elif kind < 0.875:
            old_ts, old_user, old = replies[rng.randrange(len(replies))]
            event = {
                "type": "message",
                "subtype": "message_changed",
                "ts": ts,
                "message": {"user": old_user, "ts": old_ts, "text": old + " (edited)"},
                "previous_message": {"user": old_user, "ts": old_ts, "text": old},
            }
        else:
            event = {
                "type": "message",
                "subtype": "bot_message",
                "bot_id": "BOTHER",
                "ts": ts,
                "text": "beep",
            }
        rest.append(envelope(f"Ev{batch}X{i}", event))
    return made + rest


def sign(body: bytes) -> dict[str, str]:
    stamp = str(int(time.time()))
    digest = hmac.new(SECRET.encode(), b"v0:" + stamp.encode() + b":" + body, hashlib.sha256)
    return {
        "X-Slack-Request-Timestamp": stamp,
        "X-Slack-Signature": "v0=" + digest.hexdigest(),
        "Content-Type": "application/json",
    }


def send_share(args: tuple[int, list[dict[str, Any]]]) -> list[float]:
    port, payloads = args
    conn = http.client.HTTPConnection(HOST, port, timeout=30)
    samples = []
    for payload in payloads:
        body = json.dumps(payload).encode()
        began = time.perf_counter()
        conn.request("POST", "/integrations/slack/events", body=body, headers=sign(body))
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
        conn.request("POST", "/integrations/slack/events", body=body, headers=sign(body))
        conn.getresponse().read()
        conn.close()


def send_all(port: int, payloads: list[dict[str, Any]], senders: int) -> tuple[float, list[float]]:
    """Roots first from every sender (a reply needs its thread), then the rest."""
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


def cpu_seconds(pids: list[int]) -> float:
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def pids_matching(match: str) -> list[int]:
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            text = (
                Path(f"/proc/{entry}/cmdline")
                .read_bytes()
                .replace(b"\0", b" ")
                .decode(errors="replace")
            )
        except OSError:
            continue
        if match in text:
            found.append(int(entry))
    return found


DATABASE = ["slackbench"]  # the benchmark's database: only its backends' CPU is counted


def pg_snapshot() -> dict[int, float]:
    """CPU seconds of each backend of the benchmark's database, by process id."""
    return {pid: cpu_seconds([pid]) for pid in pg_pids()}


def pg_spent(before: dict[int, float]) -> float:
    """CPU the benchmark's backends spent since ``before``, counting backends that connected
    since then from zero."""
    return sum(cpu - before.get(pid, 0.0) for pid, cpu in pg_snapshot().items())


def pg_pids() -> list[int]:
    """PostgreSQL backends serving the benchmark's database (other databases on the machine
    are other people's work). A backend that exits takes its CPU time with it; the server and
    the workers keep their connections open (CONN_MAX_AGE)."""
    return pids_matching(f"postgres: 15/main: postgres {DATABASE[0]} ")


def children(pid: int) -> list[int]:
    found = [pid]
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            ppid = int(Path(f"/proc/{entry}/stat").read_text().rsplit(")", 1)[1].split()[1])
        except OSError:
            continue
        if ppid == pid:
            found.append(int(entry))
    return found


def start(cmd: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, cwd=ROOT, env=env, start_new_session=True)


def stop(proc: subprocess.Popen[bytes]) -> None:
    os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)


def wait_for_port(port: int) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection((HOST, port), 0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def web_server(env: dict[str, str], port: int, workers: int) -> subprocess.Popen[bytes]:
    proc = start(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"{HOST}:{port}",
            "--workers",
            str(workers),
            "--log-level",
            "warning",
        ],
        env,
    )
    wait_for_port(port)
    return proc


def celery_workers(env: dict[str, str], concurrency: int) -> subprocess.Popen[bytes]:
    return start(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "config",
            "worker",
            "-c",
            str(concurrency),
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        env,
    )


def event_counts(prefix: str) -> tuple[int, int, Any, Any]:
    from django.db.models import Max, Min

    from lifebuoy.integrations.slack.models import SlackEvent

    rows = SlackEvent.objects.filter(event_id__startswith=prefix)
    done = rows.exclude(status="received")
    span = done.aggregate(
        first=Min("processed_at"), last=Max("processed_at"), received=Min("received_at")
    )
    return rows.count(), done.count(), span, rows


def wait_processed(prefix: str, total: int, timeout: float = 900) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        count, done, span, _ = event_counts(prefix)
        if count == total and done == total:
            return span
        time.sleep(0.5)
    raise SystemExit(f"only {done} of {total} events processed in time")


def outcome_summary(prefix: str) -> str:
    from django.db.models import Count

    from lifebuoy.integrations.slack.models import SlackEvent

    rows = (
        SlackEvent.objects.filter(event_id__startswith=prefix)
        .values("status")
        .annotate(n=Count("id"))
    )
    return ", ".join(f"{r['status']} {r['n']}" for r in rows.order_by("status"))


def pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def together(
    port: int, *, env_batch: list[dict[str, Any]], senders: int, web: list[int], pool: list[int]
) -> None:
    """Phase 3: the server and the workers at once, from the first request to the last event
    processed."""
    batch, n = env_batch, len(env_batch)
    cpu4, pg4 = (cpu_seconds(web), cpu_seconds(pool)), pg_snapshot()
    began = time.perf_counter()
    wall, samples = send_all(port, batch, senders)
    wait_processed("Evb", n)
    total = time.perf_counter() - began
    cpu5, pg5 = (cpu_seconds(web), cpu_seconds(pool)), pg_spent(pg4)
    per = [(b - a) * 1000 / n for a, b in zip(cpu4, cpu5, strict=True)] + [pg5 * 1000 / n]
    print(
        f"together   {n / total:7.0f} events/s sent to processed (accepted at {n / wall:.0f}/s, "
        f"p50={pct(samples, 0.5):.1f} ms p99={pct(samples, 0.99):.1f} ms) ({outcome_summary('Evb')})  "
        f"CPU per event: web {per[0]:.2f} ms, workers {per[1]:.2f} ms, postgres {per[2]:.2f} ms"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--web-workers", type=int, default=2)
    parser.add_argument("--celery-concurrency", type=int, default=2)
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/slackbench")
    parser.add_argument("--broker", default="redis://127.0.0.1:6379/12")
    args = parser.parse_args()
    DATABASE[0] = urlsplit(args.database_url).path.lstrip("/")

    import redis

    redis.Redis.from_url(args.broker).flushdb()
    from lifebuoy.integrations.tests.fake_slack import fake_slack

    with fake_slack() as slack:
        fresh_database(args.database_url)
        env = environment(args.database_url, args.broker, slack.api_url)
        setup_desk(env)
        from django.db import connections

        from lifebuoy.notifications.models import Delivery

        rng = random.Random(7)
        port = free_port()
        print(
            f"events per batch: {args.events}; senders {args.senders}; web workers {args.web_workers}; "
            f"celery concurrency {args.celery_concurrency}; load average {os.getloadavg()[0]:.1f}"
        )

        # Phase 1: accept only.
        server = web_server(env, port, args.web_workers)
        warm_up(port)
        batch = events_for("a", args.events, rng)
        web = children(server.pid)
        cpu0, pg0 = cpu_seconds(web), pg_snapshot()
        wall, samples = send_all(port, batch, args.senders)
        cpu1, pg1 = cpu_seconds(web), pg_spent(pg0)
        n = len(batch)
        print(
            f"accept     {n / wall:7.0f} events/s  n={n} p50={pct(samples, 0.5):.1f} ms "
            f"p99={pct(samples, 0.99):.1f} ms max={max(samples) * 1000:.0f} ms  CPU per event: "
            f"web {(cpu1 - cpu0) * 1000 / n:.2f} ms, postgres {pg1 * 1000 / n:.2f} ms"
        )

        # Phase 2: workers drain what phase 1 queued.
        workers = celery_workers(env, args.celery_concurrency)
        time.sleep(3)
        pool = children(workers.pid)
        cpu2, pg2 = cpu_seconds(pool), pg_snapshot()
        span = wait_processed("Eva", n)
        cpu3, pg3 = cpu_seconds(pool), pg_spent(pg2)
        took = (span["last"] - span["first"]).total_seconds()
        print(
            f"process    {n / took:7.0f} events/s  ({outcome_summary('Eva')})  CPU per event: "
            f"workers {(cpu3 - cpu2) * 1000 / n:.2f} ms, postgres {pg3 * 1000 / n:.2f} ms"
        )

        together(
            port,
            env_batch=events_for("b", args.events, rng),
            senders=args.senders,
            web=web,
            pool=pool,
        )
        time.sleep(5)  # let the last acknowledgements go out
        sent = Delivery.objects.filter(kind="slack", status="sent").count()
        print(
            f"slack posts: {sent} sent ({len(slack.posts)} received by the fake Slack), "
            f"{Delivery.objects.filter(kind='slack').exclude(status='sent').count()} not (yet) sent"
        )
        connections.close_all()
        stop(workers)
        stop(server)
        print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
