"""The weekly report over a desk benchmark database (made by bench/desk/generate.py).

    python bench/desk/generate.py --tickets 1000000 --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_1m
    python bench/report_bench.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_1m

Times building the report, its Markdown and its three charts (PNG, as emailed) for the busiest
ISO week in the database and for the latest one, ``--runs`` times each (the first run is
reported apart: cold caches), and counts the queries of one build. Then the lead's page for the
latest week, ``--page-runs`` GETs in-process: before the week is stored (counted and drawn on
each view) and after (shown as stored). The stored row is removed again at the end.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.databases import setup_django  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--page-runs", type=int, default=30)
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url (or BENCH_DATABASE_URL)")
    setup_django(args.database_url)

    from django.db import connection
    from django.db.models import Count, Max
    from django.db.models.functions import TruncWeek
    from django.test.utils import CaptureQueriesContext

    from lifebuoy.core.periods import week_of
    from lifebuoy.reports.charts import weekly_charts
    from lifebuoy.reports.weekly import weekly_report_build, weekly_report_markdown
    from lifebuoy.tickets.models import Ticket

    total = Ticket.objects.count()
    busiest = (
        Ticket.objects.annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    latest = Ticket.objects.aggregate(at=Max("created_at"))["at"]
    if busiest is None or latest is None:
        print("The database has no tickets.")
        return 1
    print(f"{connection.vendor}, {total:,} tickets")
    for name, period in (("busiest", week_of(busiest["week"])), ("latest", week_of(latest))):
        times = []
        chart_times = []
        for _ in range(args.runs):
            started = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                report = weekly_report_build(period=period)
                weekly_report_markdown(report)
                built = time.perf_counter()
                weekly_charts(report)
            times.append(time.perf_counter() - started)
            chart_times.append(time.perf_counter() - built)
        warm = times[1:] or times
        print(
            f"{name} week {period.label} ({report.summary['total']:,} tickets created): "
            f"first {times[0]:.3f} s, median {statistics.median(warm):.3f} s, "
            f"max {max(warm):.3f} s (charts alone: median "
            f"{statistics.median(chart_times[1:] or chart_times):.3f} s), "
            f"{len(queries.captured_queries)} queries"
        )
    page_timing(week_of(latest), args.page_runs)
    return 0


def page_timing(period: object, runs: int) -> None:
    from django.test import Client
    from django.utils import timezone

    from lifebuoy.accounts.models import Role, User
    from lifebuoy.reports.models import WeeklyReport
    from lifebuoy.reports.services import weekly_report_generate

    lead = User.objects.filter(role=Role.LEAD, is_active=True).order_by("id").first()
    if lead is None:
        print("No support lead to open the page.")
        return
    client = Client(SERVER_NAME="127.0.0.1")
    client.force_login(lead)
    url = f"/desk/reports/weekly/?week={period.label}"  # type: ignore[attr-defined]
    had = WeeklyReport.objects.filter(week=period.label).exists()  # type: ignore[attr-defined]
    WeeklyReport.objects.filter(week=period.label).delete()  # type: ignore[attr-defined]

    def measure(name: str) -> None:
        assert client.get(url).status_code == 200
        samples, cpu = [], time.process_time()
        for _ in range(runs):
            started = time.perf_counter()
            client.get(url)
            samples.append((time.perf_counter() - started) * 1000)
        cpu_ms = (time.process_time() - cpu) * 1000 / runs
        samples.sort()
        p95 = samples[max(0, round(0.95 * len(samples)) - 1)]
        print(
            f"page, {name}: p50 {statistics.median(samples):.1f} ms, p95 {p95:.1f} ms, "
            f"Python CPU {cpu_ms:.1f} ms per view ({runs} views)"
        )

    measure("week not stored")
    weekly_report_generate(period=period, now=timezone.now())  # type: ignore[arg-type]
    measure("week stored")
    if not had:
        WeeklyReport.objects.filter(week=period.label).delete()  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
