"""The support lead dashboard over a desk benchmark database (made by bench/desk/generate.py).

    python bench/report/dashboard_bench.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_1m

Reads only. For a few filter combinations (period presets, a support tier, one organization)
times building the dashboard's tables ``--runs`` times (the first run is reported apart: cold
caches) and counts its queries, then times the whole HTML page: the view rendered for an
existing lead or admin, without signing in (which would write a session). Every connection is
set read-only, so a write would fail the run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench.databases import setup_django  # noqa: E402

PRESETS = ("today", "7d", "30d", "quarter")


def _combinations(tier: int, organization_id: int) -> list[tuple[str, str, dict[str, Any]]]:
    """(name, query string, filters) per combination."""
    combos: list[tuple[str, str, dict[str, Any]]] = [
        (f"{p}, everything", f"period={p}", {"period": p}) for p in PRESETS
    ]
    combos.append(("30d, one tier", f"period=30d&tier={tier}", {"period": "30d", "tier": tier}))
    combos.append(
        (
            "30d, one organization",
            f"period=30d&organization={organization_id}",
            {"period": "30d", "organization": organization_id},
        )
    )
    return combos


def _timed(runs: int, build: Any) -> tuple[list[float], int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times = []
    queries = 0
    for _ in range(runs):
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as captured:
            build()
        times.append(time.perf_counter() - started)
        queries = len(captured.captured_queries)
    return times, queries


def _line(name: str, times: list[float], queries: int | None) -> str:
    warm = times[1:] or times
    counted = f", {queries} queries" if queries is not None else ""
    return (
        f"{name}: first {times[0]:.3f} s, median {statistics.median(warm):.3f} s, "
        f"max {max(warm):.3f} s{counted}"
    )


def _read_only(sender: Any, connection: Any, **kwargs: Any) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SET SESSION CHARACTERISTICS AS TRANSACTION READ ONLY")


def _page(user: Any, query: str) -> Any:
    """The dashboard page for ``user``, as the view renders it for a signed-in lead."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.test import RequestFactory

    from lifebuoy.reports.dashboard.views import dashboard_view

    request = RequestFactory().get(f"/desk/reports/dashboard/?{query}")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)  # type: ignore[attr-defined]  # as the middleware sets it
    response = dashboard_view(request)
    assert response.status_code == 200, response.content[:500]  # a sanity check
    return response


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url (or BENCH_DATABASE_URL)")
    setup_django(args.database_url)

    from django.db import connection
    from django.db.backends.signals import connection_created
    from django.db.models import Count
    from django.utils import timezone

    from lifebuoy.accounts.models import PLAN_TIER, Role, User
    from lifebuoy.reports.dashboard.build import dashboard_build
    from lifebuoy.reports.dashboard.forms import DashboardFilterForm
    from lifebuoy.tickets.models import Ticket

    connection_created.connect(_read_only)
    lead = User.objects.filter(role__in=(Role.LEAD, Role.ADMIN), is_active=True).first()
    biggest = (
        Ticket.objects.values("organization_id", "organization__plan")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if lead is None or biggest is None:
        print("The database has no tickets or no support lead.")
        return 1
    tier = int(PLAN_TIER[biggest["organization__plan"]])
    print(f"{connection.vendor}, {Ticket.objects.count():,} tickets")
    for name, query, filters in _combinations(tier, biggest["organization_id"]):
        form = DashboardFilterForm(filters, user=lead)
        if not form.is_valid():
            print(f"{name}: filters refused: {form.errors.as_text()}")
            return 1
        now = timezone.now()

        def build(form: DashboardFilterForm = form, now: Any = now) -> None:
            dashboard_build(
                user=lead, period=form.period_for(now.date()), scope=form.scope(), now=now
            )

        times, queries = _timed(args.runs, build)
        print(_line(f"{name} (context)", times, queries))
        page_times, _ = _timed(args.runs, lambda query=query: _page(lead, query))
        print(_line(f"{name} (HTTP page)", page_times, None))
    return 0


if __name__ == "__main__":
    sys.exit(main())
