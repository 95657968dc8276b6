"""The SLA sweep on PostgreSQL with many open clocks: idle sweeps and sweeps that change 1,000.

    python bench/sla_sweep_bench.py --tickets 100000
    python bench/sla_sweep_bench.py --tickets 1000000 --rounds 5

Creates its own database (``lifebuoy_bench_sla`` next to DATABASE_URL's, dropped at the end
unless --keep), migrates it, and bulk-inserts open tickets with generate_series: each ticket has
a running first-response and resolution clock whose at-risk point and deadline lie between one
hour and 30 days ahead, plus its summary row. Then it times

- idle: ``sla_breach_scan`` when nothing is due (the index probe on ``next_check_at``);
- busy: the same sweep after 1,000 random clocks were made due (500 reach their at-risk point,
  500 their deadline), which writes 1,000 conditional updates, 1,000 audit rows and the
  summaries in batches of 500.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/test"
BENCH_DB = "lifebuoy_bench_sla"
NOW = datetime(2026, 11, 24, 12, 0, tzinfo=UTC)


def recreate_database(server_url: str, name: str, *, drop_only: bool = False) -> str:
    import psycopg

    base = server_url.rsplit("/", 1)[0]
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop_only:
            conn.execute(f'CREATE DATABASE "{name}"')
    return f"{base}/{name}"


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    os.environ.setdefault("DEBUG", "0")  # no query log
    os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
    # Event deliveries the sweep queues stay in this process, away from any real worker.
    os.environ["CELERY_BROKER_URL"] = "memory://"
    import django

    django.setup()


def populate(tickets: int) -> None:
    from django.core.management import call_command
    from django.db import connection

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.accounts.services import organization_create
    from lifebuoy.sla.models import Policy

    call_command("migrate", verbosity=0)
    org = organization_create(
        name="Bench", slug="bench", plan="cloud_professional", timezone="Europe/Berlin"
    )
    customer = User.objects.create_user(
        "bench@example.com", None, role=Role.CUSTOMER, organization=org
    )
    policy = Policy.objects.get(tier=2)
    began = time.monotonic()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO tickets_ticket (created_at, updated_at, subject, description,
                description_html, requester_id, organization_id, priority, category, channel,
                status, deployment_url, reopen_count, last_activity_at)
            SELECT %(now)s, %(now)s, 'Bench ticket ' || g, 'Generated.', '', %(user)s, %(org)s,
                (ARRAY['P1', 'P2', 'P3', 'P4'])[1 + g %% 4], 'bug', 'portal', 'open', '', 0,
                %(now)s
            FROM generate_series(1, %(n)s) AS g
            """,
            {"now": NOW, "user": customer.id, "org": org.id, "n": tickets},
        )
        cursor.execute(
            """
            INSERT INTO sla_clock (ticket_id, kind, state, policy_id, policy_version, priority,
                target_minutes, hours, is_goal, started_at, running_since, pauses, minutes_used,
                due_at, at_risk_at, next_check_at)
            SELECT t.id, k.kind, 'running', %(policy)s, 1, t.priority, 2880, 'calendar', false,
                %(now)s, %(now)s, '[]', 0, d.due, d.due - interval '1 hour',
                d.due - interval '1 hour'
            FROM tickets_ticket AS t
            CROSS JOIN (VALUES ('first_response'), ('resolution')) AS k (kind)
            CROSS JOIN LATERAL (
                SELECT %(now)s + interval '2 hours' + random() * interval '30 days' AS due
                WHERE k.kind IS NOT NULL
            ) AS d
            """,
            {"now": NOW, "policy": policy.id},
        )
        cursor.execute(
            """
            INSERT INTO sla_summary (ticket_id, next_due_at, state)
            SELECT ticket_id, min(due_at), 'ok' FROM sla_clock GROUP BY ticket_id
            """
        )
        cursor.execute("VACUUM ANALYZE")
    print(f"inserted {tickets:,} tickets in {time.monotonic() - began:.1f} s", flush=True)


def make_due(ids: list[int], count: int) -> None:
    """Move ``count`` running, unwarned clocks' (from the shuffled ``ids``) into the past."""
    from django.db import connection

    chosen = ids[-count:]
    del ids[-count:]
    half = count // 2
    past = NOW - timedelta(minutes=1)
    with connection.cursor() as cursor:
        cursor.execute(  # reach the at-risk point, deadline still ahead
            "UPDATE sla_clock SET at_risk_at = %s, next_check_at = %s WHERE id = ANY(%s)",
            [past, past, chosen[:half]],
        )
        cursor.execute(  # past the deadline
            "UPDATE sla_clock SET due_at = %s, at_risk_at = %s, next_check_at = %s "
            "WHERE id = ANY(%s)",
            [past, past - timedelta(hours=1), past - timedelta(hours=1), chosen[half:]],
        )


def timed_sweep() -> tuple[float, int, int]:
    from lifebuoy.sla.services import sla_breach_scan

    began = time.perf_counter()
    result = sla_breach_scan(now=NOW, batch_size=500)
    return (time.perf_counter() - began) * 1000, result.at_risk, result.breached


def measure(rounds: int, idle_runs: int, changes: int) -> dict[str, list[float]]:
    from django.db import connection

    from lifebuoy.sla.models import Clock

    ids = list(Clock.objects.values_list("id", flat=True))
    random.Random(7).shuffle(ids)
    timed_sweep()  # warm the connection and caches
    idle: list[float] = []
    busy: list[float] = []
    for _ in range(idle_runs):
        ms, warned, breached = timed_sweep()
        assert warned == breached == 0, "nothing should be due"
        idle.append(ms)
    for n in range(rounds):
        make_due(ids, changes)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE sla_clock")
        ms, warned, breached = timed_sweep()
        assert (warned, breached) == (changes // 2, changes - changes // 2), (warned, breached)
        busy.append(ms)
        print(f"round {n + 1}: {changes:,} changes in {ms:.0f} ms", flush=True)
    return {"idle": idle, "busy": busy}


def measure_queue(runs: int) -> list[float]:
    """The agent queue sorted by next deadline: page 1, then following pages by cursor."""
    from lifebuoy.accounts.models import Role, User
    from lifebuoy.tickets.selectors import TicketFilters, ticket_list_for_user

    agent = User.objects.create_user("agent@example.com", None, role=Role.AGENT, tier=2)
    filters = TicketFilters(status=("new", "open", "pending", "escalated"), sort="deadline")
    timings: list[float] = []
    cursor = None
    for n in range(runs):
        began = time.perf_counter()
        page = ticket_list_for_user(user=agent, filters=filters, cursor=cursor, limit=50)
        timings.append((time.perf_counter() - began) * 1000)
        cursor = page.next_cursor if n % 10 != 9 else None  # back to page 1 now and then
    return timings


def explain_idle() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "EXPLAIN (ANALYZE, COSTS OFF, TIMING OFF) SELECT id FROM sla_clock "
            "WHERE next_check_at <= %s ORDER BY next_check_at, id LIMIT 500",
            [NOW],
        )
        return "\n".join(row[0] for row in cursor.fetchall())


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="two clocks each")
    parser.add_argument("--rounds", type=int, default=5, help="busy sweeps of --changes each")
    parser.add_argument("--changes", type=int, default=1000)
    parser.add_argument("--idle-runs", type=int, default=50)
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        sys.exit("The sweep benchmark needs PostgreSQL (DATABASE_URL=postgres://...).")
    url = recreate_database(args.database_url, BENCH_DB)
    try:
        setup_django(url)
        populate(args.tickets)
        results = measure(args.rounds, args.idle_runs, args.changes)
        results["queue"] = measure_queue(args.idle_runs)
        print(explain_idle())
    finally:
        from django.db import connections

        connections.close_all()
        if not args.keep:
            recreate_database(args.database_url, BENCH_DB, drop_only=True)
    idle, busy = results["idle"], results["busy"]
    print(
        f"python {platform.python_version()}, {os.cpu_count()} cpus; "
        f"{args.tickets:,} open tickets, {2 * args.tickets:,} running clocks"
    )
    print(
        f"idle sweep: median {statistics.median(idle):.2f} ms, p95 {pct(idle, 0.95):.2f} ms, "
        f"max {max(idle):.2f} ms ({len(idle)} runs)"
    )
    queue = results["queue"]
    print(
        f"queue by deadline (50 rows): median {statistics.median(queue):.1f} ms, "
        f"p95 {pct(queue, 0.95):.1f} ms ({len(queue)} pages)"
    )
    print(
        f"{args.changes:,} changes: median {statistics.median(busy):.0f} ms, "
        f"max {max(busy):.0f} ms ({len(busy)} runs)"
    )


if __name__ == "__main__":
    main()
