"""The weekly report over a desk benchmark database (made by bench/desk/generate.py).

    python bench/desk/generate.py --tickets 1000000 --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_1m
    python bench/report_bench.py --database-url postgres://postgres@127.0.0.1:5432/lifebuoy_bench_1m

Reads only. Times building the report, its Markdown and its three charts (PNG, as emailed) for
the busiest ISO week in the database and for the latest one, ``--runs`` times each (the first
run is reported apart: cold caches), and counts the queries of one build.
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
    args = parser.parse_args()
    if not args.database_url:
        parser.error("give --database-url (or BENCH_DATABASE_URL)")
    setup_django(args.database_url)

    from django.db import connection
    from django.db.models import Count, Max
    from django.db.models.functions import TruncWeek
    from django.test.utils import CaptureQueriesContext

    from lifebuoy.reports.charts import weekly_charts
    from lifebuoy.reports.periods import week_of
    from lifebuoy.reports.services import weekly_report_build, weekly_report_markdown
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
