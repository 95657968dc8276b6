"""Clock rules: which clocks run, on which hours, when they stop, pause, resume and move."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError

from lifebuoy.sla.models import (
    CalendarWindow,
    Clock,
    ClockKind,
    ClockState,
    Holiday,
    Hours,
    Policy,
)
from lifebuoy.tickets.services import (
    message_add,
    ticket_autoclose_sweep,
    ticket_confirm_resolved,
)
from lifebuoy.tickets.tests.factories import ticket_opened

from .helpers import KOLKATA, berlin, change, clock_of

pytestmark = pytest.mark.django_db

FR, NR, RES = ClockKind.FIRST_RESPONSE, ClockKind.NEXT_RESPONSE, ClockKind.RESOLUTION
TUE_11 = berlin(2026, 11, 24, 11)  # a Tuesday, inside Acme's office hours


# Which clocks start, and their targets


def test_a_new_ticket_starts_first_response_and_resolution_clocks(alice):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    kinds = sorted(Clock.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert kinds == [FR, RES]
    first = clock_of(ticket, FR)
    assert (first.state, first.started_at, first.priority) == (ClockState.RUNNING, TUE_11, "P2")
    assert first.policy == Policy.objects.get(tier=2)
    assert first.policy_version == 1


def test_standard_p1_first_response_runs_four_hours_around_the_clock(alice):
    saturday_night = berlin(2026, 11, 28, 23, 30)
    ticket = ticket_opened(alice, saturday_night, priority="P1")
    first = clock_of(ticket, FR)
    assert first.hours == Hours.CALENDAR
    assert first.due_at == saturday_night + timedelta(hours=4)


def test_standard_p2_first_response_counts_eight_business_hours_in_the_customers_zone(alice):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    assert clock_of(ticket, FR).due_at == berlin(2026, 11, 25, 11)


def test_a_ticket_filed_after_hours_starts_counting_at_the_next_opening(alice):
    friday_evening = berlin(2026, 11, 27, 18)
    # P3: 24 business hours = three office days
    ticket = ticket_opened(alice, friday_evening, priority="P3")
    # Mon, Tue, Wed 9-17: used up exactly at Wednesday's close, so due then, not Thursday 9:00
    assert clock_of(ticket, FR).due_at == berlin(2026, 12, 2, 17)


def test_public_and_custom_holidays_are_closed_all_day(alice):
    org = alice.organization
    org.country = "DE"
    org.save(update_fields=["country"])
    # Thu 24 Dec 16:00: one hour that day; 25 and 26 Dec are German public holidays
    ticket = ticket_opened(alice, berlin(2026, 12, 24, 16), priority="P2")
    assert clock_of(ticket, FR).due_at == berlin(2026, 12, 28, 16)
    office = Policy.objects.get(tier=2).calendar
    Holiday.objects.create(calendar=office, date=date(2026, 12, 28), name="Company day")
    office.save()  # editing a calendar invalidates its cached open hours
    later = ticket_opened(alice, berlin(2026, 12, 24, 16), priority="P2")
    assert clock_of(later, FR).due_at == berlin(2026, 12, 29, 16)


def test_premium_targets_run_in_the_enterprise_customers_own_zone(charlie):
    at = datetime(2026, 11, 24, 9, 0, tzinfo=KOLKATA)
    p1 = ticket_opened(charlie, at, priority="P1")
    assert clock_of(p1, FR).due_at == at + timedelta(hours=1)
    p2 = ticket_opened(charlie, datetime(2026, 11, 24, 16, 30, tzinfo=KOLKATA), priority="P2")
    # 30 minutes on Tuesday, 90 on Wednesday from 9:00 Kolkata
    assert clock_of(p2, FR).due_at == datetime(2026, 11, 25, 10, 30, tzinfo=KOLKATA)


@pytest.mark.parametrize(("priority", "hours"), [("P1", 4), ("P2", 24), ("P3", 48), ("P4", 7 * 24)])
def test_paid_resolution_targets_run_on_calendar_time(alice, priority, hours):
    ticket = ticket_opened(alice, TUE_11, priority=priority)
    resolution = clock_of(ticket, RES)
    assert resolution.hours == Hours.CALENDAR
    assert resolution.due_at == TUE_11 + timedelta(hours=hours)


# First response


def test_only_a_public_staff_reply_meets_the_first_response(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    message_add(ticket=ticket, author=ted, body="theory", is_internal=True, now=TUE_11)
    message_add(ticket=ticket, author=alice, body="any news?", now=TUE_11 + timedelta(hours=1))
    assert clock_of(ticket, FR).state == ClockState.RUNNING
    replied = TUE_11 + timedelta(hours=2)
    message_add(ticket=ticket, author=ted, body="Looking now", now=replied)
    first = clock_of(ticket, FR)
    assert (first.state, first.stopped_at, first.breached_at) == (ClockState.MET, replied, None)
    assert first.next_check_at is None
    assert first.minutes_used == 120


def test_automatic_messages_neither_answer_nor_start_a_response_clock(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    message_add(ticket=ticket, author=ted, body="Notice", now=TUE_11, is_automatic=True)
    assert clock_of(ticket, FR).state == ClockState.RUNNING
    ticket.refresh_from_db()
    assert ticket.first_response_at is None
    message_add(ticket=ticket, author=ted, body="On it", now=TUE_11 + timedelta(minutes=5))
    message_add(
        ticket=ticket, author=alice, body="Out of office", now=TUE_11 + timedelta(hours=1),
        is_automatic=True,
    )  # fmt: skip
    assert not Clock.objects.filter(ticket=ticket, kind=NR).exists()


def test_a_late_first_reply_is_recorded_as_a_breach_at_the_deadline(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    message_add(ticket=ticket, author=ted, body="Sorry", now=TUE_11 + timedelta(hours=5))
    first = clock_of(ticket, FR)
    assert first.state == ClockState.BREACHED
    assert first.breached_at == TUE_11 + timedelta(hours=4)
    assert first.stopped_at == TUE_11 + timedelta(hours=5)
    assert ticket.events.filter(action="sla_breached", field=FR).count() == 1


# Next response


def test_each_unanswered_customer_message_starts_one_next_response_clock(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    message_add(ticket=ticket, author=alice, body="more logs", now=TUE_11 + timedelta(minutes=5))
    assert not Clock.objects.filter(ticket=ticket, kind=NR).exists()  # first response covers it
    message_add(ticket=ticket, author=ted, body="On it", now=TUE_11 + timedelta(hours=1))
    asked = TUE_11 + timedelta(hours=2)
    message_add(ticket=ticket, author=alice, body="Still down", now=asked)
    message_add(ticket=ticket, author=alice, body="Hello?", now=asked + timedelta(hours=1))
    nxt = Clock.objects.get(ticket=ticket, kind=NR)
    assert nxt.started_at == asked
    assert nxt.due_at == asked + timedelta(hours=8 + 16)  # 8 business hours: next day 14:00
    message_add(ticket=ticket, author=ted, body="Fixed", now=asked + timedelta(hours=3))
    nxt.refresh_from_db()
    assert nxt.state == ClockState.MET
    message_add(
        ticket=ticket, author=alice, body="Thanks, one more", now=asked + timedelta(hours=4)
    )
    assert Clock.objects.filter(ticket=ticket, kind=NR).count() == 2


def test_next_response_uses_its_own_target_when_one_is_configured(alice, ted):
    policy = Policy.objects.get(tier=2)
    policy.targets.create(kind=NR, priority="P2", minutes=30, hours=Hours.CALENDAR)
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    message_add(ticket=ticket, author=ted, body="On it", now=TUE_11)
    message_add(ticket=ticket, author=alice, body="?", now=TUE_11 + timedelta(hours=1))
    assert clock_of(ticket, NR).due_at == TUE_11 + timedelta(hours=1, minutes=30)


# Resolution: pauses, resolve, reopen, close


def test_resolution_pauses_while_pending_customer(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P1")  # 4 hours
    change(ticket, ted, TUE_11 + timedelta(hours=1), status="pending")
    resolution = clock_of(ticket, RES)
    assert resolution.state == ClockState.PAUSED
    assert (resolution.due_at, resolution.next_check_at) == (None, None)
    assert resolution.minutes_used == 60
    message_add(ticket=ticket, author=alice, body="Logs", now=TUE_11 + timedelta(hours=4))
    resolution.refresh_from_db()
    assert resolution.state == ClockState.RUNNING
    assert resolution.due_at == TUE_11 + timedelta(hours=7)  # 3 paused hours not counted
    assert len(resolution.pauses) == 1


def test_resolution_pauses_while_resolved_and_resumes_on_reopen(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")  # 24 hours
    change(ticket, ted, TUE_11 + timedelta(hours=2), status="resolved")
    assert clock_of(ticket, RES).state == ClockState.PAUSED
    message_add(ticket=ticket, author=alice, body="Broken again", now=TUE_11 + timedelta(hours=5))
    resolution = clock_of(ticket, RES)
    assert resolution.state == ClockState.RUNNING
    assert resolution.due_at == TUE_11 + timedelta(hours=27)


def test_closing_a_resolved_ticket_meets_resolution_at_the_time_it_was_resolved(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    resolved = TUE_11 + timedelta(hours=2)
    change(ticket, ted, resolved, status="resolved")
    ticket_confirm_resolved(ticket=ticket, actor=alice, now=TUE_11 + timedelta(days=3))
    resolution = clock_of(ticket, RES)
    assert (resolution.state, resolution.stopped_at) == (ClockState.MET, resolved)
    assert resolution.minutes_used == 120


def test_reopening_a_closed_ticket_resumes_its_resolution_clock(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    change(ticket, ted, TUE_11 + timedelta(hours=2), status="resolved")
    change(ticket, ted, TUE_11 + timedelta(hours=3), status="closed")
    change(ticket, ted, TUE_11 + timedelta(hours=10), status="open")
    resolution = clock_of(ticket, RES)
    assert (resolution.state, resolution.stopped_at) == (ClockState.RUNNING, None)
    assert resolution.due_at == TUE_11 + timedelta(hours=32)


def test_automatic_closing_meets_the_resolution_clock(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    change(ticket, ted, TUE_11 + timedelta(hours=1), status="resolved")
    assert ticket_autoclose_sweep(now=TUE_11 + timedelta(days=30), quiet_days=7) == 1
    assert clock_of(ticket, RES).state == ClockState.MET


def test_resolving_stops_the_response_clocks(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    change(ticket, ted, TUE_11 + timedelta(hours=1), status="resolved")
    assert clock_of(ticket, FR).state == ClockState.MET


# Priority changes


def test_a_priority_change_recomputes_from_the_start_and_the_time_used(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P3")  # resolution 48 hours
    change(ticket, ted, TUE_11 + timedelta(hours=1), status="pending")
    change(ticket, ted, TUE_11 + timedelta(hours=3), status="open")
    change(ticket, ted, TUE_11 + timedelta(hours=4), priority="P1")  # resolution 4 hours
    resolution = clock_of(ticket, RES)
    # 1 h before the pause + 1 h since = 2 h used; 2 h left from now
    assert resolution.due_at == TUE_11 + timedelta(hours=6)
    assert (resolution.priority, resolution.target_minutes) == ("P1", 240)


def test_a_priority_change_can_move_a_clock_between_business_hours_and_24_7(alice, ted):
    saturday = datetime(2026, 11, 28, 10, tzinfo=UTC)
    ticket = ticket_opened(alice, saturday, priority="P3")
    assert clock_of(ticket, FR).due_at == berlin(2026, 12, 2, 17)
    change(ticket, ted, saturday + timedelta(hours=1), priority="P1")
    first = clock_of(ticket, FR)
    assert first.hours == Hours.CALENDAR
    assert first.due_at == saturday + timedelta(hours=4)
    change(ticket, ted, saturday + timedelta(hours=2), priority="P2")
    assert clock_of(ticket, FR).due_at == berlin(2026, 11, 30, 17)  # Monday 9-17


def test_a_priority_change_past_the_new_target_makes_the_clock_overdue(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P3")
    change(ticket, ted, TUE_11 + timedelta(hours=5), priority="P1")
    assert clock_of(ticket, RES).due_at == TUE_11 + timedelta(hours=4)


def test_policy_edits_reach_a_ticket_at_its_next_event_and_the_version_is_kept(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    policy = Policy.objects.get(tier=2)
    policy.targets.filter(kind=RES, priority="P1").update(minutes=120)
    Policy.objects.filter(id=policy.id).update(version=2)
    assert clock_of(ticket, RES).policy_version == 1
    change(ticket, ted, TUE_11 + timedelta(minutes=30), priority="P1")
    resolution = clock_of(ticket, RES)
    assert (resolution.policy_version, resolution.due_at) == (2, TUE_11 + timedelta(hours=2))


# Community and custom policies


def test_community_gets_a_best_effort_goal_and_no_resolution_clock(alice):
    org = alice.organization
    org.plan = "community"
    org.save(update_fields=["plan"])
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    first = Clock.objects.get(ticket=ticket)
    assert first.kind == FR
    assert first.is_goal
    assert first.due_at == TUE_11 + timedelta(days=5)
    assert first.next_check_at is None  # never swept, so never at risk or breached


def test_a_managed_organization_uses_its_own_policy(alice):
    org = alice.organization
    org.plan = "managed"
    org.save(update_fields=["plan"])
    tier_policy = Policy.objects.get(tier=4)
    assert clock_of(ticket_opened(alice, TUE_11, priority="P1"), FR).policy == tier_policy
    custom = Policy.objects.create(
        name="Acme custom", organization=org, calendar=tier_policy.calendar
    )
    custom.targets.create(kind=FR, priority="P1", minutes=15, hours=Hours.CALENDAR)
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    assert clock_of(ticket, FR).due_at == TUE_11 + timedelta(minutes=15)
    assert not Clock.objects.filter(ticket=ticket, kind=RES).exists()  # no target, no clock


# A misconfigured calendar never blocks a ticket


def test_an_unknown_holiday_country_is_ignored(alice):
    org = alice.organization
    org.country = "XX"
    org.save(update_fields=["country"])
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    assert clock_of(ticket, FR).due_at == berlin(2026, 11, 25, 11)


def test_a_calendar_without_open_windows_counts_around_the_clock(alice):
    office = Policy.objects.get(tier=2).calendar
    office.windows.all().delete()
    office.save()
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    assert clock_of(ticket, FR).due_at == TUE_11 + timedelta(hours=8)


def test_a_window_must_close_after_it_opens_unless_it_runs_to_midnight():
    office = Policy.objects.get(tier=2).calendar
    with pytest.raises(ValidationError, match="Close after opening"):
        CalendarWindow(calendar=office, weekday=5, opens=time(17), closes=time(9)).full_clean()
    CalendarWindow(calendar=office, weekday=5, opens=time(17), closes=time(0)).full_clean()


def test_reopening_and_raising_priority_in_one_change_uses_the_new_priority(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P3")
    change(ticket, ted, TUE_11 + timedelta(hours=1), status="pending")
    change(ticket, ted, TUE_11 + timedelta(hours=5), status="open", priority="P1")
    resolution = clock_of(ticket, RES)
    assert resolution.state == ClockState.RUNNING
    assert (resolution.priority, resolution.target_minutes) == ("P1", 240)
    assert resolution.due_at == TUE_11 + timedelta(hours=8)  # 1 h used before the 4 h pause
