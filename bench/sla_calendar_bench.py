"""Throughput of BusinessCalendar.add for typical and far-away SLA targets.

Usage: python bench/sla_calendar_bench.py [--calls N] [--repeats R]

Two calendars: 09:00-17:00 Monday-Friday in America/New_York with US public holidays, and 24/7.
Starts are 2,000 random aware instants (with seconds) spread over 2025-2027, cycled. Each cell is
the best of R timed runs of N calls after one warm-up pass (tables are built lazily, once per
52-week span, and then reused, as in a long-running worker). The "cold" line times building
fresh tables for a whole year of starts.
"""

from __future__ import annotations

import argparse
import random
import time
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from lifebuoy.sla.calendar import BusinessCalendar, holiday_dates

TARGETS = [
    ("1 h", 60),
    ("8 h", 8 * 60),
    ("24 h", 24 * 60),
    ("1 week", 7 * 24 * 60),
    ("6 weeks", 6 * 7 * 24 * 60),
    ("1 year", 365 * 24 * 60),
]


def office() -> BusinessCalendar:
    weekly = {day: [(clock(9), clock(17))] for day in range(5)}
    return BusinessCalendar("America/New_York", weekly, holiday_dates("US", range(2024, 2060)))


def random_starts(count: int) -> list[datetime]:
    rng = random.Random(20251125)
    base = datetime(2025, 1, 1, tzinfo=UTC)
    span = 3 * 365 * 86_400
    return [base + timedelta(seconds=rng.randrange(span)) for _ in range(count)]


def calls_per_second(
    calendar: BusinessCalendar, starts: list[datetime], minutes: int, calls: int, repeats: int
) -> float:
    add = calendar.add
    batch = (starts * (calls // len(starts) + 1))[:calls]
    for start in starts:
        add(start, minutes)
    best = float("inf")
    for _ in range(repeats):
        began = time.perf_counter()
        for start in batch:
            add(start, minutes)
        best = min(best, time.perf_counter() - began)
    return calls / best


def cold_build_ms(calendar: BusinessCalendar) -> float:
    """Time for the first calls on a fresh calendar, which build its tables."""
    starts = random_starts(200)
    began = time.perf_counter()
    for start in starts:
        calendar.add(start, 60)
    return (time.perf_counter() - began) * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=200_000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    starts = random_starts(2000)
    calendars = [("9-17 Mon-Fri, US holidays", office()), ("24/7", BusinessCalendar.always())]
    header = f"{'target':<10}" + "".join(f"{name:>30}" for name, _ in calendars)
    print(f"add() calls per second (best of {args.repeats} x {args.calls:,} calls)")
    print(header)
    print("-" * len(header))
    for label, minutes in TARGETS:
        rates = [
            calls_per_second(cal, starts, minutes, args.calls, args.repeats) for _, cal in calendars
        ]
        print(f"{label:<10}" + "".join(f"{rate:>30,.0f}" for rate in rates))
    for name, fresh in [("9-17", office()), ("24/7", BusinessCalendar.always())]:
        print(f"cold: first 200 calls on a new {name} calendar: {cold_build_ms(fresh):.1f} ms")


if __name__ == "__main__":
    main()
