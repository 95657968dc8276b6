"""What would make the slower queue-view counts cheaper: candidate indexes and query shapes,
tried on a benchmark database only.

    python bench/desk/queue_index_whatif.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_queue

For each candidate, the count query the desk runs today (taken from ``ticket_count_for_user``
with the view's filters, for the agent bench/desk/queue_views_bench.py measures as) is timed,
the candidate's indexes are created and analysed, and the same query (and, where the candidate
is a different query shape, that query) is timed again; then the indexes are dropped. Nothing
in the application changes: this shows what a migration or a selector change would buy.
Refuses a database whose name does not contain "bench".
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import setup_django  # noqa: E402
from bench.desk.http_bench import percentiles  # noqa: E402

UNSOLVED = "('new', 'open', 'pending', 'escalated')"
CAP = 10_001


@dataclass
class Candidate:
    name: str
    view: str  # the built-in view whose count it is for
    indexes: list[str] = field(default_factory=list)  # CREATE INDEX statements
    shape: str = ""  # another query for the same count ({me}: the agent's id, {now}), if any
    why: str = ""


CANDIDATES = [
    Candidate(
        name="unassigned: partial index on unsolved tickets nobody has",
        view="unassigned",
        indexes=[
            "CREATE INDEX whatif_ticket_nobodys ON tickets_ticket (status, id DESC) "
            "WHERE assignee_id IS NULL AND owner_id IS NULL"
        ],
        why="the count becomes an index-only scan instead of a bitmap heap scan",
    ),
    Candidate(
        name="mine: partial indexes on assignee and owner of unsolved tickets",
        view="mine",
        indexes=[
            f"CREATE INDEX whatif_ticket_unsolved_assignee ON tickets_ticket (assignee_id, id) "
            f"WHERE status IN {UNSOLVED}",
            f"CREATE INDEX whatif_ticket_unsolved_owner ON tickets_ticket "
            f"(owner_id, assignee_id, id) WHERE status IN {UNSOLVED}",
        ],
        shape=(
            "SELECT COUNT(*) FROM (SELECT id FROM tickets_ticket WHERE status IN {unsolved} "
            "AND assignee_id = {me} UNION ALL SELECT id FROM tickets_ticket WHERE status IN "
            "{unsolved} AND owner_id = {me} AND assignee_id IS DISTINCT FROM {me} LIMIT {cap}) s"
        ),
        why="OR of assignee and owner as UNION ALL of two index-only scans",
    ),
    Candidate(
        name="breached: count from the SLA summary alone",
        view="breached",
        shape=(
            "SELECT COUNT(*) FROM (SELECT ticket_id FROM sla_summary "
            "WHERE state = 'breached' LIMIT {cap}) s"
        ),
        why=(
            "a 'breached' summary only exists for a ticket with an open breached clock, which "
            "pending, resolved and closed stop; without the join to tickets' status the count is "
            "an index-only scan of sla_summary_state"
        ),
    ),
    Candidate(
        name="breaching: partial index on running deadlines",
        view="breaching",
        indexes=[
            "CREATE INDEX whatif_summary_due_running ON sla_summary (next_due_at, ticket_id) "
            "WHERE state IN ('ok', 'at_risk')"
        ],
        shape=(
            "SELECT COUNT(*) FROM (SELECT ticket_id FROM sla_summary WHERE next_due_at > "
            "'{now}'::timestamptz AND next_due_at <= '{now}'::timestamptz + interval '1 hour' "
            "AND state IN ('ok', 'at_risk') LIMIT {cap}) s"
        ),
        why=(
            "the due-within-an-hour range without AND-ing the 120k-entry state bitmap; and, as "
            "for 'breached', without the join to tickets (an ok or at-risk summary means a "
            "running clock, which resolving and closing stop)"
        ),
    ),
]


def timed(cursor: Any, sql: str, runs: int) -> dict[str, float]:
    cursor.execute(sql)  # warm up
    samples = []
    for _ in range(runs):
        began = time.perf_counter()
        cursor.execute(sql)
        cursor.fetchall()
        samples.append(time.perf_counter() - began)
    return percentiles(samples)


def plan_head(cursor: Any, sql: str, lines: int = 8) -> str:
    cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
    rows = [row[0] for row in cursor.fetchall()]
    return "\n".join(f"      {row}" for row in rows[:lines])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    if "bench" not in args.database_url.rsplit("/", 1)[-1]:
        raise SystemExit("give --database-url of a benchmark database (its name has 'bench')")
    setup_django(args.database_url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.desk import selectors as desk
    from lifebuoy.tickets.selectors import TicketFilters, ticket_count_for_user

    agent = User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
    assert agent is not None, "run bench/desk/generate.py first"
    now = timezone.now()
    for candidate in CANDIDATES:
        view = desk.queue_view_get(candidate.view)
        filters = desk.queue_filters(view=view, filters=TicketFilters(sort=""), now=now)
        with CaptureQueriesContext(connection) as captured:
            found = ticket_count_for_user(user=agent, filters=filters, cap=desk.COUNT_CAP)
        today = captured.captured_queries[0]["sql"]
        print(f"== {candidate.name} (count = {found:,})\n   {candidate.why}", flush=True)
        with connection.cursor() as cursor:
            before = timed(cursor, today, args.runs)
            print(
                f"   today's query             p50={before['p50']:6.1f} p95={before['p95']:6.1f} ms"
            )
            for statement in candidate.indexes:
                cursor.execute(statement)
            if candidate.indexes:
                cursor.execute("ANALYZE tickets_ticket")
                cursor.execute("ANALYZE sla_summary")
                after = timed(cursor, today, args.runs)
                print(
                    f"   today's query, indexes    p50={after['p50']:6.1f} p95={after['p95']:6.1f} ms"
                )
                print(plan_head(cursor, today))
            if candidate.shape:
                sql = candidate.shape.format(
                    unsolved=UNSOLVED, me=agent.id, cap=CAP, now=now.isoformat()
                )
                cursor.execute(f"SELECT ({sql}) = ({today})")
                same = cursor.fetchone()[0]
                shaped = timed(cursor, sql, args.runs)
                print(
                    f"   other shape               p50={shaped['p50']:6.1f} p95={shaped['p95']:6.1f} ms"
                    f" (same count: {same})"
                )
                print(f"      {sql}")
                print(plan_head(cursor, sql))
            for statement in candidate.indexes:
                cursor.execute(f"DROP INDEX {statement.split()[2]}")
    print("(candidate indexes dropped)")


if __name__ == "__main__":
    main()
