from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

import pytest

from lifebuoy.sla.calendar import (
    END_OF_DAY,
    BusinessCalendar,
    holiday_dates,
    until_midnight,
)

NEW_YORK = ZoneInfo("America/New_York")
BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
KOLKATA = ZoneInfo("Asia/Kolkata")

NINE_TO_FIVE = {day: [(time(9), time(17))] for day in range(5)}
SUNDAY = 6


def office(zone: str, holidays: tuple[date, ...] = ()) -> BusinessCalendar:
    return BusinessCalendar(zone, NINE_TO_FIVE, holidays)


def local(zone: tzinfo, *fields: int, fold: int = 0) -> datetime:
    """An aware datetime from (year, month, day[, hour[, minute[, second[, microsecond]]]])."""
    year, month, day, hour, minute, second, micro = (*fields, 0, 0, 0, 0)[:7]
    return datetime(year, month, day, hour, minute, second, micro, tzinfo=zone, fold=fold)


def utc(*fields: int) -> datetime:
    return local(UTC, *fields)


def sunday_window(zone: str, opens: time, closes: time) -> BusinessCalendar:
    return BusinessCalendar(zone, {SUNDAY: [(opens, closes)]})


# Rule 1: aware inputs, UTC outputs


def test_it_returns_aware_utc_instants():
    cal = office("America/New_York")
    due = cal.add(local(NEW_YORK, 2025, 6, 2, 10), 30)
    assert due.tzinfo is UTC
    assert due == utc(2025, 6, 2, 14, 30)
    assert cal.next_open(local(NEW_YORK, 2025, 6, 2, 10)).tzinfo is UTC


@pytest.mark.parametrize(
    "call",
    [
        lambda cal: cal.add(datetime(2025, 6, 2, 10), 30),
        lambda cal: cal.minutes_between(datetime(2025, 6, 2, 10), utc(2025, 6, 3)),
        lambda cal: cal.minutes_between(utc(2025, 6, 2), datetime(2025, 6, 3)),
        lambda cal: cal.is_open(datetime(2025, 6, 2, 10)),
        lambda cal: cal.next_open(datetime(2025, 6, 2, 10)),
    ],
)
def test_it_rejects_naive_datetimes(call):
    with pytest.raises(ValueError, match="timezone-aware"):
        call(office("UTC"))


def test_inputs_in_any_zone_name_the_same_instant():
    cal = office("Europe/Berlin")
    in_berlin = local(BERLIN, 2025, 6, 2, 16, 30)
    in_new_york = in_berlin.astimezone(NEW_YORK)
    assert cal.add(in_berlin, 45) == cal.add(in_new_york, 45) == utc(2025, 6, 3, 7, 15)


# Rule 2: real elapsed time in local wall-clock windows, across DST changes


@pytest.mark.parametrize(
    ("zone", "day", "opens", "closes", "minutes"),
    [
        # New York springs forward at 02:00 on 2025-03-09 and falls back at 02:00 on 2025-11-02.
        ("America/New_York", date(2025, 3, 9), time(0), time(6), 5 * 60),
        ("America/New_York", date(2025, 11, 2), time(0), time(6), 7 * 60),
        ("America/New_York", date(2025, 3, 2), time(0), time(6), 6 * 60),
        # Berlin: 02:00 -> 03:00 on 2025-03-30, 03:00 -> 02:00 on 2025-10-26.
        ("Europe/Berlin", date(2025, 3, 30), time(1), time(4), 2 * 60),
        ("Europe/Berlin", date(2025, 10, 26), time(1), time(4), 4 * 60),
        # Sydney (southern hemisphere): DST ends 2025-04-06 03:00, starts 2025-10-05 02:00.
        ("Australia/Sydney", date(2025, 4, 6), time(0), time(6), 7 * 60),
        ("Australia/Sydney", date(2025, 10, 5), time(0), time(6), 5 * 60),
        # Whole local days are 23 and 25 hours long on those dates.
        ("America/New_York", date(2025, 3, 9), time(0), END_OF_DAY, 23 * 60),
        ("Europe/Berlin", date(2025, 10, 26), time(0), END_OF_DAY, 25 * 60),
    ],
)
def test_a_window_spanning_a_dst_change_lasts_its_real_length(zone, day, opens, closes, minutes):
    cal = sunday_window(zone, opens, closes)
    tz = ZoneInfo(zone)
    start = datetime.combine(day, time(0), tzinfo=tz) - timedelta(days=1)
    end = datetime.combine(day, time(0), tzinfo=tz) + timedelta(days=2)
    assert cal.minutes_between(start, end) == minutes
    assert cal.add(start, minutes) == cal.add(start, minutes - 1) + timedelta(minutes=1)


def test_the_clock_runs_through_a_spring_forward_by_real_minutes():
    cal = sunday_window("America/New_York", time(1), time(5))
    start = local(NEW_YORK, 2025, 3, 9, 1, 30)
    due = cal.add(start, 60)
    assert due == utc(2025, 3, 9, 7, 30)
    assert due.astimezone(NEW_YORK) == local(NEW_YORK, 2025, 3, 9, 3, 30)


def test_the_clock_counts_a_repeated_hour_twice():
    cal = sunday_window("America/New_York", time(0, 30), time(3))
    start = local(NEW_YORK, 2025, 11, 2, 0, 30)
    # Ambiguous wall times never compare equal across zones (PEP 495), so compare in UTC.
    assert cal.add(start, 90) == local(NEW_YORK, 2025, 11, 2, 1, 0, fold=1).astimezone(UTC)
    assert cal.add(start, 90) == utc(2025, 11, 2, 6)
    assert cal.add(start, 210) == local(NEW_YORK, 2025, 11, 2, 3)


def test_a_skipped_window_edge_uses_the_offset_before_the_jump():
    # 02:30 does not exist on 2025-03-09 in New York; fold=0 reads it as 07:30 UTC (03:30 EDT).
    cal = sunday_window("America/New_York", time(2, 30), time(4))
    assert cal.next_open(local(NEW_YORK, 2025, 3, 9, 0)) == utc(2025, 3, 9, 7, 30)
    day = (local(NEW_YORK, 2025, 3, 9), local(NEW_YORK, 2025, 3, 10))
    assert cal.minutes_between(*day) == 30


def test_a_repeated_window_edge_means_its_first_occurrence():
    cal = sunday_window("America/New_York", time(1), time(1, 30))
    day = (local(NEW_YORK, 2025, 11, 2), local(NEW_YORK, 2025, 11, 3))
    assert cal.minutes_between(*day) == 30
    assert cal.is_open(local(NEW_YORK, 2025, 11, 2, 1, 10, fold=0))
    assert not cal.is_open(local(NEW_YORK, 2025, 11, 2, 1, 10, fold=1))


def test_windows_overlapping_only_in_real_time_are_counted_once():
    # On spring-forward day 01:00-02:30 becomes 06:00-07:30 UTC and 03:00-04:00 becomes 07:00-08:00.
    cal = BusinessCalendar(
        "America/New_York", {SUNDAY: [(time(1), time(2, 30)), (time(3), time(4))]}
    )
    day = (local(NEW_YORK, 2025, 3, 9), local(NEW_YORK, 2025, 3, 10))
    assert cal.minutes_between(*day) == 120
    assert cal.add(day[0], 120) == utc(2025, 3, 9, 8)


def test_a_business_week_across_the_dst_weekend_keeps_local_hours():
    cal = office("America/New_York")
    friday = local(NEW_YORK, 2025, 3, 7, 16)
    assert cal.add(friday, 120) == local(NEW_YORK, 2025, 3, 10, 10) == utc(2025, 3, 10, 14)
    berlin = office("Europe/Berlin")
    assert berlin.add(local(BERLIN, 2025, 10, 24, 16), 120) == utc(2025, 10, 27, 9)
    sydney = office("Australia/Sydney")
    assert sydney.add(local(SYDNEY, 2025, 10, 3, 16), 120) == local(SYDNEY, 2025, 10, 6, 10)


def test_a_half_hour_zone_keeps_its_offset():
    cal = office("Asia/Kolkata")
    friday = local(KOLKATA, 2025, 3, 7, 16, 45)
    assert friday == utc(2025, 3, 7, 11, 15)
    assert cal.add(friday, 30) == utc(2025, 3, 10, 3, 45)
    assert cal.is_open(utc(2025, 3, 10, 3, 30))
    assert not cal.is_open(utc(2025, 3, 10, 3, 29, 59))


# Rule 3: a start outside business hours starts at the next opening


@pytest.mark.parametrize(
    ("start", "due"),
    [
        (local(NEW_YORK, 2025, 6, 2, 7), local(NEW_YORK, 2025, 6, 2, 10)),  # before opening
        (local(NEW_YORK, 2025, 6, 2, 17), local(NEW_YORK, 2025, 6, 3, 10)),  # exactly at close
        (local(NEW_YORK, 2025, 6, 2, 22, 15, 40), local(NEW_YORK, 2025, 6, 3, 10)),
        (local(NEW_YORK, 2025, 6, 7, 12), local(NEW_YORK, 2025, 6, 9, 10)),  # Saturday
        (local(NEW_YORK, 2025, 6, 6, 17, 0, 1), local(NEW_YORK, 2025, 6, 9, 10)),  # Friday night
    ],
)
def test_a_start_outside_hours_starts_at_the_next_opening(start, due):
    assert office("America/New_York").add(start, 60) == due


def test_a_lunch_break_pauses_the_clock():
    cal = BusinessCalendar("Europe/Berlin", {0: [(time(9), time(12)), (time(13), time(17))]})
    assert cal.add(local(BERLIN, 2025, 6, 2, 11, 30), 60) == local(BERLIN, 2025, 6, 2, 13, 30)
    assert cal.add(local(BERLIN, 2025, 6, 2, 12, 20), 60) == local(BERLIN, 2025, 6, 2, 14)


def test_next_open_and_is_open():
    cal = office("America/New_York")
    assert cal.is_open(local(NEW_YORK, 2025, 6, 2, 9))
    assert cal.is_open(local(NEW_YORK, 2025, 6, 2, 16, 59, 59))
    assert not cal.is_open(local(NEW_YORK, 2025, 6, 2, 17))
    assert not cal.is_open(local(NEW_YORK, 2025, 6, 2, 8, 59, 59))
    open_now = local(NEW_YORK, 2025, 6, 2, 12, 0, 7)
    assert cal.next_open(open_now) == open_now
    assert cal.next_open(local(NEW_YORK, 2025, 6, 6, 17)) == local(NEW_YORK, 2025, 6, 9, 9)


def test_a_zero_target_is_due_when_the_clock_starts():
    cal = office("America/New_York")
    open_now = local(NEW_YORK, 2025, 6, 2, 12, 0, 7)
    assert cal.add(open_now, 0) == open_now
    assert cal.add(local(NEW_YORK, 2025, 6, 2, 17), 0) == local(NEW_YORK, 2025, 6, 3, 9)


# Rule 4: a target used up exactly at close is due at that close


def test_a_target_used_up_at_close_is_due_at_the_close():
    cal = office("America/New_York")
    assert cal.add(local(NEW_YORK, 2025, 6, 2, 16), 60) == local(NEW_YORK, 2025, 6, 2, 17)
    assert cal.add(local(NEW_YORK, 2025, 6, 2, 9), 480) == local(NEW_YORK, 2025, 6, 2, 17)
    assert cal.add(local(NEW_YORK, 2025, 6, 2, 6), 480) == local(NEW_YORK, 2025, 6, 2, 17)
    # A whole week of business time from Monday's opening ends at Friday's close.
    assert cal.add(local(NEW_YORK, 2025, 6, 2, 9), 5 * 480) == local(NEW_YORK, 2025, 6, 6, 17)


def test_one_more_minute_after_close_spills_into_the_next_opening():
    cal = office("America/New_York")
    assert cal.add(local(NEW_YORK, 2025, 6, 2, 16), 61) == local(NEW_YORK, 2025, 6, 3, 9, 1)


# Rule 5: holidays are whole local dates


def test_a_holiday_is_closed_all_day():
    cal = office("America/New_York", (date(2025, 7, 4),))
    assert cal.add(local(NEW_YORK, 2025, 7, 3, 16), 120) == local(NEW_YORK, 2025, 7, 7, 10)
    assert not cal.is_open(local(NEW_YORK, 2025, 7, 4, 12))
    assert cal.next_open(local(NEW_YORK, 2025, 7, 4, 12)) == local(NEW_YORK, 2025, 7, 7, 9)


def test_a_holiday_follows_the_local_date_not_the_utc_date():
    round_the_clock = {day: [until_midnight(time(0))] for day in range(7)}
    cal = BusinessCalendar("Asia/Kolkata", round_the_clock, [date(2025, 8, 15)])
    assert cal.minutes_between(utc(2025, 8, 14, 18, 30), utc(2025, 8, 15, 18, 30)) == 0
    assert cal.is_open(utc(2025, 8, 14, 18, 29))
    assert cal.minutes_between(utc(2025, 8, 14), utc(2025, 8, 16)) == 24 * 60
    assert cal.add(utc(2025, 8, 14, 18), 60) == utc(2025, 8, 15, 19)


def test_holiday_dates_come_from_the_holidays_package_with_custom_dates():
    us = holiday_dates("US", [2025])
    assert date(2025, 7, 4) in us
    assert date(2025, 12, 25) in us
    assert date(2025, 1, 6) not in holiday_dates("DE", [2025])
    bavaria = holiday_dates("DE", [2025, 2026], subdivision="BY", extra=[date(2025, 12, 24)])
    assert {date(2025, 1, 6), date(2026, 1, 6), date(2025, 12, 24)} <= bavaria


@pytest.mark.parametrize(("country", "subdivision"), [("XX", None), ("US", "ZZ")])
def test_holiday_dates_reject_unknown_regions(country, subdivision):
    with pytest.raises(ValueError, match="Unknown holiday region"):
        holiday_dates(country, [2025], subdivision=subdivision)


def test_holidays_can_be_replaced_per_calendar():
    cal = office("America/New_York")
    closed = cal.with_holidays(holiday_dates("US", [2025]))
    thursday = local(NEW_YORK, 2025, 7, 3, 16)
    assert cal.add(thursday, 120) == local(NEW_YORK, 2025, 7, 4, 10)
    assert closed.add(thursday, 120) == local(NEW_YORK, 2025, 7, 7, 10)
    assert closed.weekly == cal.weekly
    assert cal.holidays == frozenset()


# Rule 6: whole-minute targets, starts keep their seconds


def test_a_start_with_seconds_is_honoured():
    cal = office("Europe/Berlin")
    start = local(BERLIN, 2025, 6, 2, 10, 0, 42, 123456)
    assert cal.add(start, 5) == local(BERLIN, 2025, 6, 2, 10, 5, 42, 123456)
    late = local(BERLIN, 2025, 6, 2, 16, 59, 30)
    assert cal.add(late, 1) == local(BERLIN, 2025, 6, 3, 9, 0, 30)


def test_minutes_between_counts_whole_minutes_only():
    cal = office("Europe/Berlin")
    start = local(BERLIN, 2025, 6, 2, 10, 0, 30)
    assert cal.minutes_between(start, local(BERLIN, 2025, 6, 2, 10, 1, 29)) == 0
    assert cal.minutes_between(start, local(BERLIN, 2025, 6, 2, 10, 1, 30)) == 1
    assert cal.minutes_between(start, start) == 0
    night = (local(BERLIN, 2025, 6, 2, 16, 59, 30), local(BERLIN, 2025, 6, 3, 9, 0, 30))
    assert cal.minutes_between(*night) == 1


# 24/7 and windows ending at midnight


@pytest.mark.parametrize("minutes", [0, 1, 59, 60 * 24, 60 * 24 * 7, 60 * 24 * 7 * 60])
def test_always_is_plain_elapsed_time(minutes):
    cal = BusinessCalendar.always()
    start = local(NEW_YORK, 2025, 3, 8, 23, 59, 58, 7).astimezone(UTC)  # UTC: real-time arithmetic
    assert cal.add(start, minutes) == start + timedelta(minutes=minutes)
    assert cal.minutes_between(start, start + timedelta(minutes=minutes, seconds=59)) == minutes
    assert cal.is_open(start)


def test_windows_ending_at_midnight_join_the_next_day():
    weekly = {4: [until_midnight(time(22))], 5: [(time(0), time(2))]}
    cal = BusinessCalendar("Europe/Berlin", weekly)
    assert until_midnight(time(22)) == (time(22), time(0, 0))
    assert cal.add(local(BERLIN, 2025, 6, 6, 23), 120) == local(BERLIN, 2025, 6, 7, 1)
    assert cal.is_open(local(BERLIN, 2025, 6, 7, 0))
    assert cal.minutes_between(local(BERLIN, 2025, 6, 6), local(BERLIN, 2025, 6, 8)) == 240


# Distance does not matter


def test_far_deadlines_equal_chained_shorter_ones():
    cal = office("Australia/Sydney", tuple(holiday_dates("AU", [2025, 2026], subdivision="NSW")))
    start = local(SYDNEY, 2025, 9, 30, 11, 12, 13)
    chained = start
    for _ in range(20):
        chained = cal.add(chained, 2400)
    assert cal.add(start, 20 * 2400) == chained
    assert cal.minutes_between(start, chained) == 20 * 2400


def test_far_future_and_long_ranges_work():
    cal = office("America/New_York")
    assert cal.add(local(NEW_YORK, 2090, 6, 2, 9), 60) == local(NEW_YORK, 2090, 6, 2, 10)
    always = BusinessCalendar.always()
    start, end = utc(1900, 1, 1), utc(2200, 1, 1)
    assert always.minutes_between(start, end) == (end - start) // timedelta(minutes=1)


def test_deadlines_past_the_datetime_range_fail_instead_of_looping():
    cal = office("Pacific/Kiritimati")
    with pytest.raises(OverflowError, match="year 9999"):
        cal.add(utc(9999, 12, 1), 60 * 24 * 365)
    with pytest.raises(OverflowError, match="year 9999"):
        cal.next_open(utc(9999, 12, 31, 23))
    assert cal.add(utc(1, 1, 1), 0) == utc(1, 1, 1, 19, 29, 20)  # local mean time -10:29:20


# Validation


@pytest.mark.parametrize(
    ("weekly", "message"),
    [
        ({0: [(time(17), time(9))]}, "must end after it starts"),
        ({0: [(time(9), time(9))]}, "must end after it starts"),
        ({0: [(time(9), time(13)), (time(12), time(17))]}, "overlap"),
        ({0: [(time(9), END_OF_DAY), (time(20), time(22))]}, "overlap"),
        ({0: [(time(9), time(10, tzinfo=UTC))]}, "wall-clock"),
        ({0: [(time(9),)]}, "pair of times"),
        ({0: [("09:00", "17:00")]}, "pair of times"),
        ({7: [(time(9), time(17))]}, "Weekdays must be"),
    ],
)
def test_it_rejects_bad_windows(weekly, message):
    with pytest.raises(ValueError, match=message):
        BusinessCalendar("UTC", weekly)


def test_touching_windows_are_allowed():
    cal = BusinessCalendar("UTC", {0: [(time(12), time(17)), (time(9), time(12))]})
    assert cal.add(utc(2025, 6, 2, 11), 120) == utc(2025, 6, 2, 13)


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "../etc/passwd"])
def test_it_rejects_unknown_zones(zone):
    with pytest.raises(ValueError, match="Unknown time zone"):
        BusinessCalendar(zone, NINE_TO_FIVE)


def test_it_rejects_negative_targets_and_backwards_ranges():
    cal = office("UTC")
    with pytest.raises(ValueError, match="zero or positive"):
        cal.add(utc(2025, 6, 2), -1)
    with pytest.raises(ValueError, match="before"):
        cal.minutes_between(utc(2025, 6, 3), utc(2025, 6, 2))


def test_it_rejects_datetimes_as_holidays():
    with pytest.raises(ValueError, match="whole dates"):
        BusinessCalendar("UTC", NINE_TO_FIVE, [datetime(2025, 7, 4, tzinfo=UTC)])


def test_a_calendar_that_never_opens_fails_clearly():
    cal = BusinessCalendar("UTC", {})
    with pytest.raises(ValueError, match="no open window"):
        cal.add(utc(2025, 6, 2), 60)
    with pytest.raises(ValueError, match="no open window"):
        cal.next_open(utc(2025, 6, 2))
    assert not cal.is_open(utc(2025, 6, 2))
    assert cal.minutes_between(utc(2025, 6, 2), utc(2025, 7, 2)) == 0
