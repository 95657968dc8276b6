"""Slack Connect inbound throughput: signed Events API requests through a real gunicorn server
and Celery workers, on PostgreSQL and Redis, with a fake Slack Web API on 127.0.0.1.

    python bench/slack/slack_bench.py [--events 3000] [--senders 4] [--web-workers 2]
        [--celery-concurrency 2] [--database-url postgres://postgres@127.0.0.1:5432/slackbench]
        [--broker redis://127.0.0.1:6379/12]

The database named in --database-url is dropped and created afresh. The events: 20 % new
top-level messages from 200 known customers (each opens a ticket), 60 % replies in those
threads, 10 % edits of replies, 10 % messages from other bots (ignored).

Phase 1, "accept": the web server takes the requests while the workers, started and warm,
consume nothing yet. Sender processes POST the signed events on keep-alive connections; each
request verifies the signature, stores the event and queues its task in Redis. Measured:
events/s from the first request to the last 200, latency, and CPU per event of the server and
PostgreSQL.
Phase 2, "process": the workers start consuming and drain the queue: each event becomes a
ticket, a message, a recorded edit or an ignored line, and the tasks those changes queue run
too (acknowledgements posted to the fake Slack, escalation follow-ups). Throughput from the
first to the last event's ``processed_at``; CPU until the queue is empty and the workers idle.
Phase 3, "together": a second batch with the server and the workers running at once, counted
from the first request to the last event processed (Slack's view: sent to done).

CPU per event is read from /proc: gunicorn's processes, Celery's main process and pool, and
PostgreSQL: the benchmark database's backends, plus what backends that exited during the phase
spent (collected by the postmaster; on a shared machine this can include others' short
connections, so it is shown apart).
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from bench.slack import desk, processes, traffic
from bench.slack.processes import PostgresMeter, cpu_seconds


def event_counts(prefix: str) -> tuple[int, int, dict[str, Any]]:
    from django.db.models import Max, Min

    from lifebuoy.integrations.slack.models import SlackEvent

    rows = SlackEvent.objects.filter(event_id__startswith=prefix)
    done = rows.exclude(status="received")
    span = done.aggregate(first=Min("processed_at"), last=Max("processed_at"))
    return rows.count(), done.count(), span


def wait_processed(prefix: str, total: int, timeout: float = 900) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    done = 0
    while time.monotonic() < deadline:
        count, done, span = event_counts(prefix)
        if count == total and done == total:
            return span
        time.sleep(0.25)
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


def cpu_line(n: int, pg: PostgresMeter, **spent: float) -> str:
    """CPU per event by process kind and the total, and what started PostgreSQL processes that
    ended during the phase: new connections to the database, autovacuum runs on its tables."""
    parts = [f"{name} {seconds * 1000 / n:.2f}" for name, seconds in spent.items()]
    total = sum(spent.values()) * 1000 / n
    return (
        f"CPU ms per event: {', '.join(parts)}; total {total:.2f}; "
        f"{pg.connections} new database connections, {pg.autovacuums} autovacuum runs"
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

    import redis

    redis.Redis.from_url(args.broker).flushdb()
    from lifebuoy.integrations.tests.fake_slack import fake_slack

    with fake_slack() as slack:
        desk.fresh_database(args.database_url)
        env = desk.environment(args.database_url, args.broker, slack.api_url)
        desk.setup_desk(env)
        run(args, env, len_posts=lambda: len(slack.posts))


def run(args: argparse.Namespace, env: dict[str, str], len_posts: Any) -> None:
    from django.db import connections

    from lifebuoy.notifications.models import Delivery

    rng = random.Random(7)
    port = processes.free_port()
    print(
        f"events per batch: {args.events}; senders {args.senders}; web workers "
        f"{args.web_workers}; celery concurrency {args.celery_concurrency}; "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    pg = PostgresMeter(desk.database_name(args.database_url), processes.postmaster_pid())
    server = processes.web_server(env, port, args.web_workers)
    workers = processes.celery_workers(env, args.celery_concurrency)
    traffic.warm_up(port)
    time.sleep(5)  # the workers load their code
    web, pool = processes.children(server.pid), processes.children(workers.pid)
    try:
        # Phase 1: accept only.
        batch = traffic.events_for("a", args.events, rng)
        n = len(batch)
        cpu0 = cpu_seconds(web)
        pg.start()
        wall, samples = traffic.send_all(port, batch, args.senders)
        live, reaped = pg.spent()
        print(
            f"accept     {n / wall:7.0f} events/s  n={n} p50={traffic.pct(samples, 0.5):.1f} ms "
            f"p99={traffic.pct(samples, 0.99):.1f} ms max={max(samples) * 1000:.0f} ms  "
            + cpu_line(n, pg, web=cpu_seconds(web) - cpu0, postgres=live, postgres_exited=reaped)
        )

        # Phase 2: the workers drain what phase 1 queued.
        cpu2 = cpu_seconds(pool)
        pg.start()
        processes.consume_default_queue(expected=1)
        span = wait_processed("Eva", n)
        took = (span["last"] - span["first"]).total_seconds()
        processes.wait_idle(args.broker, pool)
        live, reaped = pg.spent()
        print(
            f"process    {n / took:7.0f} events/s  ({outcome_summary('Eva')})  "
            + cpu_line(
                n, pg, workers=cpu_seconds(pool) - cpu2, postgres=live, postgres_exited=reaped
            )
        )

        # Phase 3: both at once, from the first request to the last event processed.
        batch = traffic.events_for("b", args.events, rng)
        cpu4 = (cpu_seconds(web), cpu_seconds(pool))
        pg.start()
        began = time.perf_counter()
        wall, samples = traffic.send_all(port, batch, args.senders)
        wait_processed("Evb", n)
        total = time.perf_counter() - began
        processes.wait_idle(args.broker, pool)
        live, reaped = pg.spent()
        web_cpu, pool_cpu = cpu_seconds(web) - cpu4[0], cpu_seconds(pool) - cpu4[1]
        print(
            f"together   {n / total:7.0f} events/s sent to processed (accepted at {n / wall:.0f}/s, "
            f"p50={traffic.pct(samples, 0.5):.1f} ms p99={traffic.pct(samples, 0.99):.1f} ms) "
            f"({outcome_summary('Evb')})  "
            + cpu_line(n, pg, web=web_cpu, workers=pool_cpu, postgres=live, postgres_exited=reaped)
        )
        sent = Delivery.objects.filter(kind="slack", status="sent").count()
        unsent = Delivery.objects.filter(kind="slack").exclude(status="sent").count()
        print(
            f"slack posts: {sent} sent ({len_posts()} received by the fake Slack), "
            f"{unsent} not (yet) sent"
        )
    finally:
        connections.close_all()
        processes.stop(workers)
        processes.stop(server)
    print(f"load average at the end {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
