"""Where PostgreSQL's CPU goes when a ticket is created: each statement of the API request, and
its commit, on a desk made by ``bench/desk/generate.py``.

    python bench/desk/create_statements.py --database-url URL [--tickets 400]

The request is the one ``create_profile.py`` times (Django's test client, a customer's bearer
token, the tasks it queues caught instead of sent). Around each statement and the commit, the
CPU of this connection's PostgreSQL backend is read from /proc (scheduler run time, so
PostgreSQL must run on this machine); printed per request, costliest first. The commit's share
holds the deferred foreign-key checks and the WAL flush. The tickets it creates stay in the
database.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--tickets", type=int, default=400)
    args = parser.parse_args()

    os.environ["CELERY_BROKER_URL"] = "memory://"
    os.environ["EMAIL_BACKEND"] = "django.core.mail.backends.locmem.EmailBackend"
    from bench.databases import setup_django
    from bench.desk.api_creation import creation_request

    setup_django(args.database_url)
    from django.db import DEFAULT_DB_ALIAS, connection, connections

    from lifebuoy.core import tasks as core_tasks

    core_tasks._publish = lambda jobs: None  # type: ignore[assignment]
    create = creation_request("statements")

    for _ in range(20):  # warm caches, connections and planned statements
        create()
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        schedstat = Path(f"/proc/{cursor.fetchone()[0]}/schedstat")

    def cpu() -> float:
        return int(schedstat.read_text().split()[0]) / 1e3  # µs

    spent: dict[str, float] = defaultdict(float)

    def timed(execute: Callable[..., Any], sql: str, *rest: Any) -> Any:
        began = cpu()
        try:
            return execute(sql, *rest)
        finally:
            spent[re.sub(r"\s+", " ", sql.strip())[:80]] += cpu() - began

    wrapper = type(connections[DEFAULT_DB_ALIAS])
    commit = wrapper._commit

    def timed_commit(self: Any) -> None:
        began = cpu()
        commit(self)
        spent["COMMIT (deferred foreign-key checks, WAL flush)"] += cpu() - began

    wrapper._commit = timed_commit  # type: ignore[method-assign]
    with connection.execute_wrapper(timed):
        began = cpu()
        for _ in range(args.tickets):
            create()
        total = cpu() - began
    for statement, micros in sorted(spent.items(), key=lambda item: -item[1]):
        print(f"{micros / args.tickets:7.0f} µs  {statement}")
    print(f"{total / args.tickets:7.0f} µs  the backend's CPU per request, all told")


if __name__ == "__main__":
    main()
