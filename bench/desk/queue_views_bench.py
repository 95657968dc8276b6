"""The desk queue's built-in views, their counts and bulk changes, measured.

    python bench/desk/queue_views_bench.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_queue

Run bench/desk/generate.py first (with its queue data: owners, SLA summaries). The agent is the
first tier-2 agent, as in bench/desk/http_bench.py; the bench saves three views for them (their
counts show beside the built-in ones on every page). Four parts, one after the other:

1. HTTP (gunicorn on 127.0.0.1, sequential keep-alive GETs after 20 warm-up requests): the first
   page of each built-in view, ``/desk/?view=<slug>``, and ``/desk/views/counts/``. The counts
   are cached per agent for 30 s in each server process's cache, so these are the "counts
   cached" figures (a request that finds the cache expired pays for all counts and stays in the
   sample, as it would for the agent).
2. In-process, each count query alone (``ticket_count_for_user`` with the view's filters, capped
   as the desk caps it): what every agent's page pays per view once every 30 s. Then the first
   page's list query alone (``ticket_list_for_user``).
3. In-process with Django's test client and ``cache.clear()`` before each request: the queue page
   of each view and ``/desk/views/counts/`` with every count computed ("counts uncached").
4. In-process bulk changes: ``ticket_bulk_update`` on 500 unsolved P3 tickets (the first 500 of
   the view "unsolved" filtered to P3 and created in the last 7 days, as "all matching" picks
   them) moved to P2 (P2 ones to P3 once too few P3 ones are left): wall time, queries
   (``CaptureQueriesContext``) and CPU. The tickets get their SLA clocks first (``sla_backfill``
   over their id range; generated tickets have only a summary), so each change recomputes real
   deadlines as on a live desk.

CPU per operation is read from /proc (utime + stime): the server's processes for HTTP, this
process in-process, and PostgreSQL's work for the benchmark database (see ``Meter``).
``--explain`` prints ``EXPLAIN (ANALYZE, BUFFERS)`` of each view's count and page queries.
"""

from __future__ import annotations

import argparse
import http.client
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.desk.http_bench import (  # noqa: E402
    HOST,
    _cpu_seconds,
    _pids,
    credentials,
    free_port,
    percentiles,
    start_server,
)

SAVED_VIEWS = {
    "P1 unsolved": "view=unsolved&priority=P1",
    "My breached": "view=breached&assignee=me",
    "Premium customers waiting": "view=waiting&tier=3",
}


def code_version() -> str:
    """The commit measured, and whether the application's files differ from it."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], check=False, cwd=ROOT, capture_output=True, text=True)
        return done.stdout.strip()

    changed = git("status", "--porcelain", "--", "lifebuoy", "config")
    return f"{git('rev-parse', '--short', 'HEAD')}" + (
        f" with uncommitted changes in {len(changed.splitlines())} application files"
        if changed
        else ""
    )


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"load average {one:.2f} {five:.2f} {fifteen:.2f}"


def backend_pids(database: str) -> list[int]:
    """The PostgreSQL backends connected to ``database`` (their title names it)."""
    return _pids(f" {database} ")


def _stat_fields(pid: int) -> list[str]:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()
    except OSError:
        return []


def _reaped_children_cpu(pid: int) -> float:
    """CPU seconds of the children ``pid`` has reaped (cutime + cstime)."""
    fields = _stat_fields(pid)
    return (int(fields[13]) + int(fields[14])) / os.sysconf("SC_CLK_TCK") if fields else 0.0


class Meter:
    """CPU seconds between ``start()`` and ``per_op()``: of some processes ("app", re-listed at
    each read), and of PostgreSQL on the benchmark database ("postgres"): its backends, plus
    what the postmaster reaped meanwhile (parallel query workers, and backends that ended: a
    server thread's connection is replaced after CONN_MAX_AGE), less the CPU those ended
    backends had already used at the start. On a shared machine the reaped part also holds
    autovacuum and other databases' ended sessions."""

    def __init__(self, database: str, processes: Callable[[], list[int]]) -> None:
        self.database = database
        self.processes = processes
        backends = backend_pids(database)
        fields = _stat_fields(backends[0]) if backends else []
        self.postmaster = int(fields[1]) if fields else 0
        self.start()

    def read(self) -> tuple[dict[int, float], dict[int, float], float]:
        app = {pid: _cpu_seconds([pid]) for pid in self.processes()}
        backends = {pid: _cpu_seconds([pid]) for pid in backend_pids(self.database)}
        reaped = _reaped_children_cpu(self.postmaster) if self.postmaster else 0.0
        return app, backends, reaped

    def start(self) -> None:
        self.began = self.read()

    def per_op(self, ops: int) -> dict[str, float]:
        """Milliseconds of CPU per operation; a process that appeared meanwhile counts whole."""
        (app0, backends0, reaped0), (app1, backends1, reaped1) = self.began, self.read()
        app = sum(cpu - app0.get(pid, 0.0) for pid, cpu in app1.items())
        alive = sum(cpu - backends0.get(pid, 0.0) for pid, cpu in backends1.items())
        ended = sum(cpu for pid, cpu in backends0.items() if pid not in backends1)
        postgres = alive + max(reaped1 - reaped0 - ended, 0.0)
        return {"app": app * 1000 / max(ops, 1), "postgres": postgres * 1000 / max(ops, 1)}


def cpu_text(spent: dict[str, float], app: str) -> str:
    return f"CPU/op {app}={spent['app']:.1f} postgres={spent['postgres']:.1f} ms"


def line(name: str, r: dict[str, float], extra: str = "") -> None:
    print(
        f"{name:44s} n={r['n']:<4.0f} p50={r['p50']:7.1f} p95={r['p95']:7.1f} "
        f"p99={r['p99']:7.1f} max={r['max']:7.1f} ms {extra}",
        flush=True,
    )


def summary(samples: list[float]) -> dict[str, float]:
    return {**percentiles(samples), "max": max(samples, default=0.0) * 1000}


def timed(fn: Callable[[], Any], count: int) -> dict[str, float]:
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - began)
    return summary(samples)


def timed_gets(port: int, path: str, headers: dict[str, str], count: int) -> dict[str, float]:
    """Sequential GETs on one keep-alive connection (so one server process answers them)."""
    conn = http.client.HTTPConnection(HOST, port, timeout=60)
    samples = []
    for _ in range(count):
        began = time.perf_counter()
        conn.request("GET", path, headers=headers)
        response = conn.getresponse()
        response.read()
        samples.append(time.perf_counter() - began)
        assert response.status == 200, (path, response.status)
    conn.close()
    return summary(samples)


def saved_views_create(agent: Any) -> None:
    from django.utils import timezone

    from lifebuoy.desk.models import SavedView

    SavedView.objects.filter(owner=agent).delete()
    for position, (name, query) in enumerate(SAVED_VIEWS.items()):
        SavedView.objects.create(
            owner=agent, name=name, query=query, position=position, created_at=timezone.now()
        )


def http_part(args: argparse.Namespace, creds: dict[str, str], database: str) -> None:
    from lifebuoy.desk.selectors import VIEWS

    port = free_port()
    server = start_server(args.database_url, port, args.workers, args.threads)
    try:
        headers = {"Cookie": f"sessionid={creds['agent_session']}"}

        def server_pids() -> list[int]:
            return [server.pid, *_pids("gunicorn", parent=server.pid)]

        paths = [(f"queue page, view={v.slug}", f"/desk/?view={v.slug}") for v in VIEWS]
        paths.append(("/desk/views/counts/", "/desk/views/counts/"))
        print(f"-- HTTP, counts cached (30 s per agent and server process); {load()}")
        for name, path in paths:
            timed_gets(port, path, headers, 20)  # warm up: connections, caches
            meter = Meter(database, server_pids)
            r = timed_gets(port, path, headers, args.requests)
            line(name, r, cpu_text(meter.per_op(int(r["n"])), "server"))
    finally:
        server.terminate()
        server.wait(timeout=20)


def measured_views(agent: Any) -> list[tuple[str, Any]]:
    """(name, ticket filters) of each built-in view and each saved view, as the desk builds them."""
    from django.http import QueryDict
    from django.utils import timezone

    from lifebuoy.desk import selectors as desk
    from lifebuoy.desk.forms import QueueFilterForm
    from lifebuoy.tickets.selectors import TicketFilters

    now = timezone.now()
    views: list[tuple[str, Any]] = [
        (v.slug, desk.queue_filters(view=v, filters=TicketFilters(sort=""), now=now))
        for v in desk.VIEWS
    ]
    for name, query in SAVED_VIEWS.items():
        params = QueryDict(query)
        view = desk.queue_view_get(params.get("view", ""))
        filters = QueueFilterForm(params).ticket_filters()
        views.append((f"saved: {name}", desk.queue_filters(view=view, filters=filters, now=now)))
    return views


def _count(agent: Any, filters: Any) -> int:
    from lifebuoy.desk.selectors import COUNT_CAP
    from lifebuoy.tickets.selectors import ticket_count_for_user

    return ticket_count_for_user(user=agent, filters=filters, cap=COUNT_CAP)


def _page(agent: Any, filters: Any) -> Any:
    from lifebuoy.tickets.selectors import ticket_list_for_user

    return ticket_list_for_user(user=agent, filters=filters, limit=50)


def in_process_queries(args: argparse.Namespace, agent: Any, database: str) -> None:
    from django.db import connection

    from lifebuoy.desk.selectors import COUNT_CAP

    meter = Meter(database, lambda: [os.getpid()])
    views = measured_views(agent)
    print(f"-- in-process, one count query per view (cap {COUNT_CAP:,}); {load()}")
    slow = []
    for name, filters in views:
        found = _count(agent, filters)  # warm up
        meter.start()
        r = timed(lambda f=filters: _count(agent, f), args.count_runs)
        spent = meter.per_op(int(r["n"]))
        line(f"count {name}", r, f"= {found:,}; {cpu_text(spent, 'python')}")
        if r["p95"] > 50:
            slow.append((name, filters))
    if slow:
        # PostgreSQL compiles (JIT) a query whose estimated cost passes jit_above_cost, which
        # can cost more than a short query itself (a correlated subquery's estimate does it).
        print("-- the counts over 50 ms again, with SET jit = off on this connection")
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        try:
            for name, filters in slow:
                _count(agent, filters)
                meter.start()
                r = timed(lambda f=filters: _count(agent, f), args.count_runs)
                line(f"count {name} (jit off)", r, cpu_text(meter.per_op(int(r["n"])), "python"))
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET jit")

    print(f"-- in-process, first page query alone (50 rows, view's order); {load()}")
    for name, filters in views:
        _page(agent, filters)
        meter.start()
        r = timed(lambda f=filters: _page(agent, f), args.count_runs)
        line(f"page {name}", r, cpu_text(meter.per_op(int(r["n"])), "python"))


def explain_queries(agent: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    print("-- EXPLAIN (ANALYZE, BUFFERS) of each count and page query")
    for name, filters in measured_views(agent):
        for kind, run in (("count", _count), ("page", _page)):
            with CaptureQueriesContext(connection) as captured:
                run(agent, filters)
            sql = captured.captured_queries[0]["sql"]
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(f"    {row[0]}" for row in cursor.fetchall())
            print(f"\n== {kind} {name}\n    {sql}\n{plan}", flush=True)


def in_process_pages(args: argparse.Namespace, creds: dict[str, str], database: str) -> None:
    from django.core.cache import cache
    from django.test import Client

    from lifebuoy.desk.selectors import VIEWS

    client = Client(SERVER_NAME="127.0.0.1")
    client.cookies["sessionid"] = creds["agent_session"]
    meter = Meter(database, lambda: [os.getpid()])
    paths = [(f"queue page, view={v.slug}", f"/desk/?view={v.slug}") for v in VIEWS]
    paths.append(("/desk/views/counts/", "/desk/views/counts/"))

    def get(path: str) -> None:
        cache.clear()
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)

    print(
        f"-- in-process test client, cache cleared before each request (counts uncached); {load()}"
    )
    for name, path in paths:
        get(path)
        meter.start()
        r = timed(lambda p=path: get(p), args.uncached_runs)
        line(name, r, cpu_text(meter.per_op(int(r["n"])), "python"))


def _kind(sql: str) -> str:
    """A short name for a statement: its verb and first table."""
    verb = sql.split(None, 1)[0].upper()
    if verb in ("SAVEPOINT", "RELEASE", "ROLLBACK", "BEGIN", "COMMIT"):
        return verb
    if verb == "SELECT":
        table = re.search(r'\bFROM "(\w+)"', sql)
    elif verb == "INSERT":
        table = re.search(r'INTO "(\w+)"', sql)
    elif verb == "UPDATE":
        table = re.search(r'UPDATE "(\w+)"', sql)
    else:
        table = re.search(r'FROM "(\w+)"', sql)
    return f"{verb} {table.group(1) if table else '?'}"


def bulk_part(args: argparse.Namespace, agent: Any, database: str) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from lifebuoy.desk import selectors as desk
    from lifebuoy.sla.models import Clock
    from lifebuoy.sla.services.backfill import sla_backfill
    from lifebuoy.tickets.selectors import TicketFilters, ticket_ids_for_user
    from lifebuoy.tickets.services import BulkChanges, ticket_bulk_update

    meter = Meter(database, lambda: [os.getpid()])
    print(f"-- in-process bulk change: {args.bulk_size} tickets, P3 <-> P2; {load()}")
    view = desk.queue_view_get("unsolved")
    walls, per_ticket = [], []
    for run in range(args.bulk_runs):
        now = timezone.now()
        # Recent tickets, so that most of their clocks still run (older ones have breached,
        # and a priority change leaves a breached clock alone): P3 ones to P2 while there are
        # enough, else P2 ones to P3, so that repeated runs keep finding tickets to change.
        for direction in (("P3", "P2"), ("P2", "P3")):
            since = now - timedelta(days=7)
            wanted = TicketFilters(priority=direction[:1], created_from=since, sort="")
            filters = desk.queue_filters(view=view, filters=wanted, now=now)
            ids = ticket_ids_for_user(user=agent, filters=filters, limit=args.bulk_size)
            if len(ids) == args.bulk_size:
                break
        else:
            raise SystemExit("too few unsolved P2/P3 tickets created in the last 7 days")
        old, new = direction
        began = time.perf_counter()
        # Clocks for those of them that have none yet (the backfill skips the others).
        sla_backfill(now=now, after_id=ids[0] - 1, batch_size=ids[-1] - ids[0] + 1)
        clocks = Clock.objects.filter(ticket_id__in=ids).count()
        prepared = time.perf_counter() - began
        meter.start()
        connection.queries_log.clear()  # the capture reads it, and it keeps 9,000 at most
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            changed = ticket_bulk_update(
                actor=agent, ticket_ids=ids, changes=BulkChanges(priority=new), now=now
            )
            wall = time.perf_counter() - began
        spent = meter.per_op(1)
        walls.append(wall)
        queries = len(captured.captured_queries)
        per_ticket.append(queries / changed)
        print(
            f"bulk run {run + 1}: {changed} tickets {old} -> {new} ({clocks} SLA clocks; "
            f"clocks given in {prepared:.0f} s) "
            f"wall={wall * 1000:.0f} ms queries={queries} ({queries / changed:.1f} per ticket) "
            f"CPU python={spent['app']:.0f} ms postgres={spent['postgres']:.0f} ms",
            flush=True,
        )
        if run == 0:
            kinds = Counter(_kind(q["sql"]) for q in captured.captured_queries)
            db_ms = sum(float(q["time"]) for q in captured.captured_queries) * 1000
            print(f"{'':4s}statements (run 1), {db_ms:.0f} ms waiting on the database in all:")
            for kind, n in kinds.most_common():
                print(f"{'':6s}{n:5d} {kind}")
    print(
        f"bulk {args.bulk_size}: median wall {statistics.median(walls) * 1000:.0f} ms, "
        f"max {max(walls) * 1000:.0f} ms, {statistics.median(per_ticket):.1f} queries per ticket"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--requests", type=int, default=200, help="HTTP GETs per page")
    parser.add_argument("--count-runs", type=int, default=30, help="in-process, per query")
    parser.add_argument("--uncached-runs", type=int, default=20, help="uncached pages, per view")
    parser.add_argument("--bulk-runs", type=int, default=3)
    parser.add_argument("--bulk-size", type=int, default=500)
    parser.add_argument(
        "--parts",
        nargs="+",
        default=["http", "queries", "pages", "bulk"],
        choices=["http", "queries", "pages", "bulk", "none"],
        help="what to measure ('none' with --explain: only the plans)",
    )
    parser.add_argument("--explain", action="store_true")
    args = parser.parse_args()
    if not args.database_url.startswith("postgres"):
        raise SystemExit("give --database-url: the PostgreSQL database generate.py filled")
    database = args.database_url.rsplit("/", 1)[1]
    os.environ.setdefault("DEBUG", "0")
    # Static files (the pages need their manifest) and the task broker's folders go to a
    # directory of this run, shared with the server it starts.
    data_dir = tempfile.mkdtemp(prefix="lifebuoy-queuebench-")
    os.environ["LIFEBUOY_DATA_DIR"] = data_dir
    try:
        run(args, database)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def run(args: argparse.Namespace, database: str) -> None:
    creds = credentials(args.database_url)
    from django.core.management import call_command

    from lifebuoy.cli.commands.server import _prepare_broker

    call_command("collectstatic", interactive=False, verbosity=0)
    _prepare_broker()
    from lifebuoy.accounts.models import Role, User
    from lifebuoy.sla.models import Summary
    from lifebuoy.tickets.models import Ticket

    agent = User.objects.filter(role=Role.AGENT, tier=2).order_by("id").first()
    assert agent is not None
    if not Summary.objects.exists():
        raise SystemExit("no SLA summaries: generate the data without --no-queue-data")
    saved_views_create(agent)
    print(f"dataset: {Ticket.objects.count():,} tickets; agent {agent.email}; {load()}")
    print(f"code: {code_version()}")
    started: datetime = datetime.now()
    if "http" in args.parts:
        http_part(args, creds, database)
    if "queries" in args.parts:
        in_process_queries(args, agent, database)
    if args.explain:
        explain_queries(agent)
    if "pages" in args.parts:
        in_process_pages(args, creds, database)
    if "bulk" in args.parts:
        bulk_part(args, agent, database)
    print(f"done in {(datetime.now() - started).total_seconds():.0f} s; {load()}")


if __name__ == "__main__":
    main()
