"""NPS periods: calendar spans of a whole number of months that divides the year, in UTC."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime

from lifebuoy.core.periods import Period

VALID_MONTHS = (1, 2, 3, 4, 6, 12)


@dataclass(frozen=True)
class NpsPeriod:
    start: date
    months: int

    @property
    def end(self) -> date:
        """The first day after the period."""
        index = self.start.month - 1 + self.months
        return date(self.start.year + index // 12, index % 12 + 1, 1)

    @property
    def label(self) -> str:
        if self.months == 12:
            return f"{self.start.year}"
        if self.months == 3:
            return f"{self.start.year}-Q{(self.start.month - 1) // 3 + 1}"
        if self.months == 1:
            return f"{self.start:%Y-%m}"
        last = self.start.month + self.months - 1
        return f"{self.start:%Y-%m}..{last:02d}"

    def as_period(self) -> Period:
        def midnight(day: date) -> datetime:
            return datetime(day.year, day.month, day.day, tzinfo=UTC)

        return Period(start=midnight(self.start), end=midnight(self.end), label=self.label)

    def previous(self) -> NpsPeriod:
        index = self.start.year * 12 + self.start.month - 1 - self.months
        return NpsPeriod(start=date(index // 12, index % 12 + 1, 1), months=self.months)


def nps_period_of(moment: datetime, months: int) -> NpsPeriod:
    """The period ``moment`` falls in. ``months`` must divide 12 (a quarter is 3)."""
    if months not in VALID_MONTHS:
        raise ValueError(f"An NPS period is 1, 2, 3, 4, 6 or 12 months, not {months}.")
    utc = moment.astimezone(UTC)
    first_month = (utc.month - 1) // months * months + 1
    return NpsPeriod(start=date(utc.year, first_month, 1), months=months)
