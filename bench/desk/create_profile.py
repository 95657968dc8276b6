"""Where a created ticket's CPU goes: the API request, then each task it leaves behind, profiled
in one process on a desk made by ``bench/desk/generate.py``.

    python -m bench.desk.create_profile --database-url URL [--tickets 300] [--top 25]
    python -m bench.desk.create_profile --database-url URL --tickets 300 --timed 3

The requests go through Django's test client with a customer's bearer token, as ``http_bench.py``'s
(no HTTP server, so the figure is the application's share of a request). The tasks each request
queues after its commit are caught instead of sent, then run here one by one as a worker would
run them (without Celery's own per-task cost, which ``http_bench.py --with-workers`` counts).
Prints CPU per ticket for the request and per task name, the SQL statements of each, and the
functions that cost most (cumulative), so two versions of the code compare on one machine.
The tickets it creates stay in the database.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _cpu() -> float:
    return time.process_time()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=300)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--sort", default="cumulative", help="pstats order: cumulative, tottime")
    parser.add_argument(
        "--timed",
        type=int,
        default=0,
        metavar="ROUNDS",
        help="no profile: ROUNDS rounds of --tickets requests, each with the CPU per request of "
        "this process and of its PostgreSQL backend (PostgreSQL on this machine)",
    )
    args = parser.parse_args()

    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    from bench.databases import setup_django
    from bench.desk.api_creation import creation_request

    setup_django(args.database_url)
    from lifebuoy.core import tasks as core_tasks

    caught: list[tuple[Any, tuple[Any, ...], dict[str, Any]]] = []

    def catch(jobs: list[Any]) -> None:
        caught.extend((job.task, job.args, job.kwargs) for job in jobs)

    core_tasks._publish = catch  # type: ignore[assignment]

    create = creation_request("profile")

    for _ in range(20):  # warm caches and connections
        create()
    caught.clear()
    if args.timed:
        _timed(create, args.tickets, args.timed)
        return

    _profile("request", [create] * args.tickets, args.top, args.sort)
    by_name: dict[str, list[Callable[[], object]]] = defaultdict(list)
    for task, task_args, task_kwargs in caught:
        by_name[task.name].append(lambda t=task, a=task_args, k=task_kwargs: t.run(*a, **k))
    for name, calls in sorted(by_name.items()):
        _profile(f"task {name}", calls, args.top, args.sort)


def _timed(create: Callable[[], None], tickets: int, rounds: int) -> None:
    """CPU per request without the profiler's own cost: this process's, and its PostgreSQL
    backend's (scheduler run time, from /proc)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")

    def backend_seconds() -> float:
        return int(backend.read_text().split()[0]) / 1e9

    for number in range(1, rounds + 1):
        began, began_backend = _cpu(), backend_seconds()
        for _ in range(tickets):
            create()
        spent, spent_backend = _cpu() - began, backend_seconds() - began_backend
        print(
            f"round {number}: {tickets} requests, {spent * 1000 / tickets:.2f} ms CPU each here, "
            f"{spent_backend * 1000 / tickets:.2f} ms in PostgreSQL"
        )


def _profile(label: str, calls: list[Callable[[], object]], top: int, sort: str) -> None:
    """Run ``calls`` under the profiler (timed by CPU, not the clock), then print the CPU and
    SQL statements per call and the costliest functions."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    profile = cProfile.Profile(time.process_time)
    with CaptureQueriesContext(connection) as queries:
        began = _cpu()
        profile.enable()
        for call in calls:
            call()
        profile.disable()
        spent = _cpu() - began
    print(
        f"\n{label}: {len(calls)} runs, {spent * 1000 / len(calls):.2f} ms CPU each (profiled), "
        f"{len(queries) / len(calls):.1f} SQL statements"
    )
    _print_top(profile, top, sort)


def _print_top(profile: cProfile.Profile, top: int, sort: str) -> None:
    out = io.StringIO()
    stats = pstats.Stats(profile, stream=out)
    stats.sort_stats(sort).print_stats(top)
    lines = [line for line in out.getvalue().splitlines() if line.strip()]
    print("\n".join(lines[-top - 1 :]))


if __name__ == "__main__":
    main()
