"""Reporting periods (weeks, quarters, NPS periods build on them). Pure Python, so the CLI can
check a week before it starts Django."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

_WEEK = re.compile(r"^(\d{4})-W(\d{2})$", re.ASCII)


@dataclass(frozen=True)
class Period:
    """A half-open span ``[start, end)`` in UTC."""

    start: datetime
    end: datetime
    label: str

    def previous(self) -> Period:
        length = self.end - self.start
        return Period(start=self.start - length, end=self.start, label=f"before {self.label}")


def iso_week(text: str) -> Period:
    """``2026-W47`` → Monday 00:00 UTC to the next Monday. Raises ValueError with a sentence."""
    match = _WEEK.match(text.strip())
    if match is None:
        raise ValueError(f"“{text}” is not an ISO week; write it like 2026-W47.")
    year, week = int(match[1]), int(match[2])
    try:
        monday = date.fromisocalendar(year, week, 1)
    except ValueError:
        raise ValueError(f"{year} has no week {week}; write a week like 2026-W47.") from None
    start = datetime(monday.year, monday.month, monday.day, tzinfo=UTC)
    return Period(start=start, end=start + timedelta(days=7), label=f"{year}-W{week:02d}")


def week_of(moment: datetime) -> Period:
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return iso_week(f"{year}-W{week:02d}")


def previous_week(now: datetime) -> Period:
    """The ISO week before the one ``now`` falls in (what Monday's report covers)."""
    return week_of(now - timedelta(days=7))


_QUARTER = re.compile(r"^(\d{4})-Q(\d)$", re.IGNORECASE | re.ASCII)


def quarter(text: str) -> Period:
    """``2026-Q4`` → 1 October 00:00 UTC to 1 January. Raises ValueError with a sentence."""
    match = _QUARTER.match(text.strip())
    if match is None:
        raise ValueError(f"“{text}” is not a quarter; write it like 2026-Q4.")
    year, number = int(match[1]), int(match[2])
    if not 1 <= number <= 4:
        raise ValueError(f"A year has quarters Q1 to Q4, not Q{number}; write it like 2026-Q4.")
    if not 2000 <= year <= 2999:
        raise ValueError(f"{year} is out of range; write a quarter like 2026-Q4.")
    start = datetime(year, 3 * number - 2, 1, tzinfo=UTC)
    end = datetime(year + number // 4, 3 * number % 12 + 1, 1, tzinfo=UTC)
    return Period(start=start, end=end, label=f"{year}-Q{number}")


def quarter_of(moment: datetime) -> Period:
    utc = moment.astimezone(UTC)
    return quarter(f"{utc.year}-Q{(utc.month - 1) // 3 + 1}")


def previous_quarter(now: datetime) -> Period:
    """The quarter before the one ``now`` falls in (what a review at quarter start covers)."""
    return quarter_of(quarter_of(now).start - timedelta(days=1))
