"""Property tests: the fast calendar against a slow minute-by-minute model of the same rules."""

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from lifebuoy.sla import calendar as calendar_module
from lifebuoy.sla.calendar import END_OF_DAY, BusinessCalendar

ZONES = [
    "UTC",
    "America/New_York",
    "Europe/Berlin",
    "Australia/Sydney",
    "Asia/Kolkata",
    "Asia/Kathmandu",  # +05:45
    "America/St_Johns",  # -03:30 with DST
    "Australia/Lord_Howe",  # half-hour DST shift
    "Pacific/Chatham",  # +12:45 / +13:45
    "America/Santiago",  # changes at local midnight
]
ONE_MINUTE = timedelta(minutes=1)
ONE_DAY = timedelta(days=1)
WEEK_MINUTES = 7 * 24 * 60
FIRST_YEAR, LAST_YEAR = 2020, 2034

# The implementation precomputes open time per fixed span of UTC time; starts near those edges
# exercise the seams (a private detail, read here only to aim the search).
TABLE_EDGES = [
    calendar_module._EPOCH + timedelta(microseconds=k * calendar_module._SPAN_US)
    for k in range(50, 66)
]

Weekly = Mapping[int, Sequence[tuple[time, time]]]

SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Reference:
    """Deliberately simple: asks "is this minute open?" one minute at a time.

    A window's edges are local wall-clock times resolved with fold=0 (what `astimezone` does for
    a naive-looking aware datetime); an instant is open when any window of a nearby non-holiday
    local date contains it. All edges fall on whole UTC minutes for the zones above, so openness
    is constant from any instant up to the next whole minute.
    """

    def __init__(self, zone: str, weekly: Weekly, holidays: frozenset[date]) -> None:
        self.zone = ZoneInfo(zone)
        self.weekly = weekly
        self.holidays = holidays
        self.cache: dict[date, list[tuple[datetime, datetime]]] = {}

    def windows_of(self, day: date) -> list[tuple[datetime, datetime]]:
        if day not in self.cache:
            found = []
            if day not in self.holidays:
                for opens, closes in self.weekly.get(day.weekday(), ()):
                    end_day = day + ONE_DAY if closes == END_OF_DAY else day
                    start = datetime.combine(day, opens, tzinfo=self.zone).astimezone(UTC)
                    end = datetime.combine(end_day, closes, tzinfo=self.zone).astimezone(UTC)
                    found.append((start, end))
            self.cache[day] = found
        return self.cache[day]

    def is_open(self, at: datetime) -> bool:
        today = at.astimezone(self.zone).date()
        days = (today - ONE_DAY, today, today + ONE_DAY)
        return any(start <= at < end for day in days for start, end in self.windows_of(day))

    @staticmethod
    def next_minute(at: datetime) -> datetime:
        return at.replace(second=0, microsecond=0) + ONE_MINUTE

    def add(self, start: datetime, minutes: int) -> datetime:
        at = start.astimezone(UTC)
        if minutes == 0:
            while not self.is_open(at):
                at = self.next_minute(at)
            return at
        need, used = timedelta(minutes=minutes), timedelta(0)
        while True:
            step_end = self.next_minute(at)
            if self.is_open(at):
                if used + (step_end - at) >= need:
                    return at + (need - used)
                used += step_end - at
            at = step_end

    def minutes_between(self, a: datetime, b: datetime) -> int:
        at, end, used = a.astimezone(UTC), b.astimezone(UTC), timedelta(0)
        while at < end:
            step_end = min(self.next_minute(at), end)
            if self.is_open(at):
                used += step_end - at
            at = step_end
        return used // ONE_MINUTE


@cache
def offset_change_days(zone: str) -> list[datetime]:
    """Noon UTC of each day whose UTC offset differs from the next day's."""
    tz = ZoneInfo(zone)
    day = datetime(FIRST_YEAR, 1, 1, 12, tzinfo=UTC)
    found = []
    while day.year <= LAST_YEAR:
        if day.astimezone(tz).utcoffset() != (day + ONE_DAY).astimezone(tz).utcoffset():
            found.append(day)
        day += ONE_DAY
    return found or [datetime(2025, 6, 1, 12, tzinfo=UTC)]


@st.composite
def day_windows(draw: st.DrawFn) -> list[tuple[time, time]]:
    count = draw(st.integers(0, 3))
    # Half the edges fall before 05:00 local, where most DST changes happen.
    mark = st.one_of(st.integers(0, 24 * 60), st.integers(0, 5 * 60))
    marks = sorted(draw(st.sets(mark, min_size=2 * count, max_size=2 * count)))
    as_time = [END_OF_DAY if m == 24 * 60 else time(m // 60, m % 60) for m in marks]
    return list(zip(as_time[::2], as_time[1::2], strict=True))


def weekly_minutes(weekly: Weekly) -> int:
    def length(opens: time, closes: time) -> int:
        end = 24 * 60 if closes == END_OF_DAY else closes.hour * 60 + closes.minute
        return end - (opens.hour * 60 + opens.minute)

    return sum(length(*window) for windows in weekly.values() for window in windows)


@st.composite
def instants(draw: st.DrawFn, zone: str) -> datetime:
    """Aware instants with seconds, many within days of a DST change or of a table boundary."""
    source = draw(st.sampled_from(["dst", "dst", "table", "any"]))
    if source == "dst":
        base = draw(st.sampled_from(offset_change_days(zone)))
        moment = base + timedelta(seconds=draw(st.integers(-3 * 86_400, 2 * 86_400)))
    elif source == "table":
        base = draw(st.sampled_from(TABLE_EDGES))
        moment = base + timedelta(seconds=draw(st.integers(-2 * 86_400, 86_400)))
    else:
        moment = draw(
            st.datetimes(
                datetime(FIRST_YEAR, 1, 1), datetime(LAST_YEAR, 12, 1), timezones=st.just(UTC)
            )
        )
    moment = moment.replace(microsecond=draw(st.sampled_from([0, 0, 1, 500_000, 999_999])))
    # Present the instant in another zone half the time: only the instant may matter.
    if draw(st.booleans()):
        return moment.astimezone(ZoneInfo(draw(st.sampled_from(ZONES))))
    return moment


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[BusinessCalendar, Reference, datetime]:
    zone = draw(st.sampled_from(ZONES))
    weekly = {day: windows for day in range(7) if (windows := draw(day_windows()))}
    assume(weekly_minutes(weekly) >= 60)
    start = draw(instants(zone))
    local_day = start.astimezone(ZoneInfo(zone)).date()
    near = st.integers(-3, 20).map(lambda n: local_day + timedelta(days=n))
    holidays = frozenset(draw(st.lists(near, max_size=5)))
    calendar = BusinessCalendar(zone, weekly, holidays)
    return calendar, Reference(zone, weekly, holidays), start


@SETTINGS
@given(scenarios(), st.data())
def test_add_matches_the_reference(scenario, data):
    calendar, reference, start = scenario
    limit = min(2000, weekly_minutes(reference.weekly))
    minutes = data.draw(st.one_of(st.integers(0, 3), st.integers(0, limit)))
    assert calendar.add(start, minutes) == reference.add(start, minutes)


@SETTINGS
@given(scenarios(), st.integers(0, 4 * 24 * 60 * 60))
def test_minutes_between_matches_the_reference(scenario, seconds):
    calendar, reference, start = scenario
    end = start.astimezone(UTC) + timedelta(seconds=seconds)  # real time, not wall-clock
    assert calendar.minutes_between(start, end) == reference.minutes_between(start, end)


@SETTINGS
@given(scenarios())
def test_is_open_and_next_open_match_the_reference(scenario):
    calendar, reference, start = scenario
    assert calendar.is_open(start) == reference.is_open(start.astimezone(UTC))
    assert calendar.next_open(start) == reference.add(start, 0)


@settings(max_examples=100, deadline=None)
@given(scenarios(), st.integers(1, 9))
def test_is_open_matches_the_reference_around_the_start(scenario, step_minutes):
    calendar, reference, start = scenario
    step = timedelta(minutes=step_minutes, seconds=1)
    at = start.astimezone(UTC) - ONE_DAY
    while at < start.astimezone(UTC) + 2 * ONE_DAY:
        assert calendar.is_open(at) == reference.is_open(at), at
        at += step


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.integers(0, 600_000), st.integers(1, 3000))
def test_add_and_minutes_between_agree(scenario, minutes, more):
    calendar, _, start = scenario
    due = calendar.add(start, minutes)
    assert due.tzinfo is UTC
    assert due >= start
    # Exactly `minutes` of business time lie in [start, due) ...
    assert calendar.minutes_between(start, due) == minutes
    # ... and `due` is the earliest such instant (it is never a window's opening instant).
    if minutes > 0:
        assert calendar.minutes_between(start, due - timedelta(microseconds=1)) == minutes - 1
    # Deadlines chain: spending `minutes` then `more` is spending both at once.
    assert calendar.add(due, more) == calendar.add(start, minutes + more)
    # The clock starts at the next opening.
    opening = calendar.next_open(start)
    assert opening >= start
    assert calendar.is_open(opening)
    assert calendar.minutes_between(start, opening) == 0
    assert calendar.add(opening, more) == calendar.add(start, more)


@settings(max_examples=150, deadline=None)
@given(scenarios(), st.integers(0, 90 * 24 * 60 * 60))
def test_minutes_between_brackets_add(scenario, seconds):
    calendar, _, start = scenario
    end = start.astimezone(UTC) + timedelta(seconds=seconds)  # real time, not wall-clock
    used = calendar.minutes_between(start, end)
    if used > 0:
        assert calendar.add(start, used) <= end
    assert calendar.add(start, used + 1) > end
