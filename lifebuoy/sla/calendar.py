"""Business calendar: open hours in local wall-clock time, holidays, exact business-time arithmetic.

A pure library (no Django): SLA clocks ask it when a target expires (`add`), how much business
time has been used (`minutes_between`), and whether the desk is open (`is_open`, `next_open`).

Semantics (the contract other code relies on):

1. Every input instant must be timezone-aware (`ValueError` otherwise); every output is aware and
   in UTC.
2. Business time is real elapsed time inside the open windows. Windows are written in the
   calendar's local wall-clock time, so a window spanning a DST change is an hour longer or
   shorter in real time. Each window edge is resolved to an instant with ``fold=0`` (PEP 495, as
   zoneinfo does by default): a repeated wall time means its *first* occurrence, and a skipped wall
   time is read with the UTC offset in force *before* the jump (02:30 on a spring-forward night in
   New York is 07:30 UTC, i.e. 03:30 EDT). A day's open time is the union of its windows' real
   intervals; a window whose end resolves before its start contributes nothing.
3. A start outside business hours starts the clock at the next opening; ``add(start, 0)`` is
   therefore ``next_open(start)``.
4. A target used up exactly at a window's close is due at that closing instant.
5. Holidays are whole local dates, closed all day.
6. Targets are whole minutes; start instants keep their seconds and microseconds.

Speed: open intervals are expanded lazily into tables of merged UTC intervals with running totals,
one table per fixed 52-week span of UTC time, so `add` is two binary searches however far the
deadline lies (whole spans are skipped by their precomputed totals).
"""

from __future__ import annotations

import operator
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from itertools import pairwise
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

Window = tuple[time, time]

END_OF_DAY = time(0, 0)
"""Written as a window's end, midnight means the end of that day (24:00)."""

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_ONE_US = timedelta(microseconds=1)
_ONE_DAY = timedelta(days=1)
_MINUTE_US = 60_000_000
_SPAN_US = 52 * 7 * 86_400 * 1_000_000
_MARGIN = timedelta(days=2)  # covers UTC offsets (< 1 day) and skipped local dates
_MAX_CACHED_SPANS = 256
_LAST_SPAN = (datetime.max.replace(tzinfo=UTC) - _EPOCH) // _ONE_US // _SPAN_US
_MIN_DAY = date.min
_MAX_DAY = date.max - _ONE_DAY


def until_midnight(start: time) -> Window:
    """A window open from `start` until the end of the day."""
    return (start, END_OF_DAY)


def holiday_dates(
    country: str,
    years: Iterable[int],
    subdivision: str | None = None,
    extra: Iterable[date] = (),
) -> frozenset[date]:
    """Public holidays of a country (and optional subdivision) for `years`, plus custom dates."""
    import holidays as holidays_lib

    try:
        table = holidays_lib.country_holidays(country, subdiv=subdivision, years=list(years))
    except NotImplementedError as exc:
        raise ValueError(f"Unknown holiday region {country!r}/{subdivision!r}: {exc}") from exc
    return frozenset(table.keys()) | frozenset(extra)


@dataclass(frozen=True, slots=True)
class _Span:
    """Merged open intervals (UTC microseconds) clipped to one 52-week span, with running totals."""

    starts: list[int]
    ends: list[int]
    used_at_start: list[int]  # open time from the span start to starts[i]
    used_at_end: list[int]  # open time from the span start to ends[i]
    total: int

    def used_before(self, t: int) -> int:
        """Open time from the span start up to instant `t` (which lies inside the span)."""
        i = bisect_right(self.ends, t)
        if i == len(self.ends):
            return self.total
        return self.used_at_start[i] + max(0, t - self.starts[i])

    def reach(self, used: int) -> int:
        """The earliest instant at which `used` (0 < used <= total) open time has elapsed."""
        i = bisect_left(self.used_at_end, used)
        return self.starts[i] + used - self.used_at_start[i]


class BusinessCalendar:
    """Weekly open windows in one time zone, minus holidays. Immutable; safe to share."""

    __slots__ = ("_days", "_holidays", "_is_never_open", "_spans", "_timezone", "_zone")

    def __init__(
        self,
        timezone: str,
        weekly: Mapping[int, Sequence[tuple[time, time]]],
        holidays: Iterable[date] = (),
    ) -> None:
        unknown = sorted(set(weekly) - set(range(7)), key=repr)
        if unknown:
            raise ValueError(f"Weekdays must be 0 (Monday) to 6 (Sunday), got {unknown!r}")
        self._timezone = timezone
        self._zone = _load_zone(timezone)
        self._days = tuple(_checked_windows(day, weekly.get(day, ())) for day in range(7))
        self._holidays = frozenset(_checked_holiday(day) for day in holidays)
        self._is_never_open = not any(self._days)
        self._spans: dict[int, _Span] = {}

    @classmethod
    def always(cls) -> BusinessCalendar:
        """Open around the clock, every day (24/7)."""
        return cls("UTC", {day: [until_midnight(time(0, 0))] for day in range(7)})

    @property
    def timezone(self) -> str:
        return self._timezone

    @property
    def weekly(self) -> dict[int, list[Window]]:
        return {day: list(windows) for day, windows in enumerate(self._days) if windows}

    @property
    def holidays(self) -> frozenset[date]:
        return self._holidays

    def with_holidays(self, holidays: Iterable[date]) -> BusinessCalendar:
        """A copy of this calendar with its holiday set replaced."""
        return BusinessCalendar(self.timezone, self.weekly, holidays)

    def __repr__(self) -> str:
        return (
            f"BusinessCalendar({self.timezone!r}, {self.weekly!r}, "
            f"<{len(self._holidays)} holidays>)"
        )

    def add(self, start: datetime, minutes: int) -> datetime:
        """The instant at which `minutes` of business time have elapsed after `start`.

        The earliest such instant, so a target used up at a close is due at the close; zero
        minutes give `next_open(start)`. Raises OverflowError past the year 9999.
        """
        t = _to_us(start, "start")
        minutes = operator.index(minutes)
        if minutes < 0:
            raise ValueError(f"minutes must be zero or positive, got {minutes}")
        self._ensure_ever_open()
        if minutes == 0:
            return _from_us(self._next_open_us(t))
        k = t // _SPAN_US
        span = self._span(k)
        need = span.used_before(t) + minutes * _MINUTE_US
        while need > span.total:
            need -= span.total
            k += 1
            span = self._span(k)
        return _from_us(span.reach(need))

    def minutes_between(self, a: datetime, b: datetime) -> int:
        """Whole business minutes in [a, b), rounded down; `b` before `a` is a ValueError."""
        ta, tb = _to_us(a, "a"), _to_us(b, "b")
        if tb < ta:
            raise ValueError(f"b ({b.isoformat()}) is before a ({a.isoformat()})")
        ka, kb = ta // _SPAN_US, tb // _SPAN_US
        first = self._span(ka)
        if ka == kb:
            return (first.used_before(tb) - first.used_before(ta)) // _MINUTE_US
        used = first.total - first.used_before(ta)
        used += sum(self._span(k).total for k in range(ka + 1, kb))
        used += self._span(kb).used_before(tb)
        return used // _MINUTE_US

    def is_open(self, at: datetime) -> bool:
        t = _to_us(at, "at")
        span = self._span(t // _SPAN_US)
        i = bisect_right(span.ends, t)
        return i < len(span.ends) and span.starts[i] <= t

    def next_open(self, at: datetime) -> datetime:
        """`at` itself (in UTC) when open, otherwise the next opening instant."""
        t = _to_us(at, "at")
        self._ensure_ever_open()
        return _from_us(self._next_open_us(t))

    def _ensure_ever_open(self) -> None:
        if self._is_never_open:
            raise ValueError(
                f"Calendar in {self.timezone} has no open window on any weekday; "
                "business time never elapses"
            )

    def _next_open_us(self, t: int) -> int:
        k = t // _SPAN_US
        span = self._span(k)
        i = bisect_right(span.ends, t)
        while i == len(span.ends):
            k += 1
            span = self._span(k)
            i = 0
        return max(t, span.starts[i])

    def _span(self, k: int) -> _Span:
        span = self._spans.get(k)
        if span is None:
            if k > _LAST_SPAN:
                raise OverflowError("Business time runs past the largest datetime (year 9999)")
            span = self._build_span(k)
            if len(self._spans) >= _MAX_CACHED_SPANS:
                self._spans.clear()
            self._spans[k] = span
        return span

    def _build_span(self, k: int) -> _Span:
        lo, hi = k * _SPAN_US, (k + 1) * _SPAN_US
        first_day = _utc_day(lo, -_MARGIN)
        last_day = _utc_day(hi, _MARGIN)
        starts: list[int] = []
        ends: list[int] = []
        for raw_start, raw_end in sorted(self._intervals(first_day, last_day)):
            s, e = max(raw_start, lo), min(raw_end, hi)
            if e <= s:
                continue
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)
        used_at_start: list[int] = []
        used_at_end: list[int] = []
        total = 0
        for s, e in zip(starts, ends, strict=True):
            used_at_start.append(total)
            total += e - s
            used_at_end.append(total)
        return _Span(starts, ends, used_at_start, used_at_end, total)

    def _intervals(self, first_day: date, last_day: date) -> Iterator[tuple[int, int]]:
        """Each window of each open local date, as (start, end) UTC microseconds (fold=0)."""
        zone = self._zone
        day = first_day
        while day <= last_day:
            windows = self._days[day.weekday()]
            if windows and day not in self._holidays:
                for opens, closes in windows:
                    s = _to_us(datetime.combine(day, opens, tzinfo=zone), "window")
                    close_day = day + _ONE_DAY if closes == END_OF_DAY else day
                    e = _to_us(datetime.combine(close_day, closes, tzinfo=zone), "window")
                    if e > s:
                        yield s, e
            day += _ONE_DAY


def _load_zone(key: str) -> ZoneInfo:
    try:
        return ZoneInfo(key)
    except (ZoneInfoNotFoundError, ValueError, TypeError) as exc:
        raise ValueError(
            f"Unknown time zone {key!r}; use an IANA name like 'Europe/Berlin'"
        ) from exc


def _checked_windows(weekday: int, windows: Sequence[tuple[time, time]]) -> tuple[Window, ...]:
    """Validate one weekday's windows; return them sorted, fold cleared, touching ones kept."""
    checked: list[Window] = []
    for window in windows:
        edges: Sequence[object] = window  # callers may pass anything at run time
        if len(edges) != 2 or not all(isinstance(edge, time) for edge in edges):
            raise ValueError(f"Weekday {weekday}: a window is a (start, end) pair of times")
        opens, closes = (edge.replace(fold=0) for edge in window)
        if opens.tzinfo is not None or closes.tzinfo is not None:
            raise ValueError(f"Weekday {weekday}: window times are local wall-clock, not aware")
        if closes != END_OF_DAY and closes <= opens:
            raise ValueError(
                f"Weekday {weekday}: window {opens}-{closes} must end after it starts "
                "(write the end as time(0, 0) for midnight)"
            )
        checked.append((opens, closes))
    checked.sort()
    for (_, prev_close), (next_open, _) in pairwise(checked):
        if prev_close == END_OF_DAY or prev_close > next_open:
            raise ValueError(f"Weekday {weekday}: windows overlap around {next_open}")
    return tuple(checked)


def _checked_holiday(day: date) -> date:
    value: object = day  # callers may pass anything at run time
    if isinstance(value, datetime) or not isinstance(value, date):
        raise ValueError(f"Holidays are whole dates, got {value!r}")
    return value


def _to_us(value: datetime, name: str) -> int:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got naive {value.isoformat()}")
    return (value - _EPOCH) // _ONE_US


def _from_us(us: int) -> datetime:
    return _EPOCH + timedelta(microseconds=us)


def _utc_day(us: int, shift: timedelta) -> date:
    """The UTC date of instant `us` moved by `shift`, clamped to what datetime can represent."""
    try:
        day = (_from_us(us) + shift).date()
    except OverflowError:
        return _MAX_DAY if us > 0 else _MIN_DAY
    return min(max(day, _MIN_DAY), _MAX_DAY)
