"""Timers and manual entries: one running timer per person, each stop exactly once."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from django.db import connections

from lifebuoy.core.errors import InvalidState, PermissionDenied, ValidationFailed
from lifebuoy.tickets.tests.factories import TicketFactory
from lifebuoy.timetracking.models import EntryKind, TimeEntry
from lifebuoy.timetracking.selectors import time_for_ticket, time_running_for_agent
from lifebuoy.timetracking.services import (
    ManualTime,
    time_entry_add,
    time_timer_start,
    time_timer_stop,
)
from tests.concurrency import threaded_db_test

pytestmark = pytest.mark.django_db


def test_a_timer_logs_the_seconds_between_start_and_stop(ticket, ted, now):
    time_timer_start(ticket=ticket, agent=ted, now=now)
    entry = time_timer_stop(ticket=ticket, agent=ted, now=now + timedelta(minutes=25, seconds=3))
    assert entry.seconds == 25 * 60 + 3
    assert entry.worked_on == now.date()
    assert time_running_for_agent(agent=ted) is None


def test_starting_on_another_ticket_stops_the_running_timer(ticket, other_ticket, ted, now):
    first = time_timer_start(ticket=ticket, agent=ted, now=now)
    second = time_timer_start(ticket=other_ticket, agent=ted, now=now + timedelta(minutes=10))
    first.refresh_from_db()
    assert first.seconds == 600
    assert first.stopped_at == now + timedelta(minutes=10)
    assert second.is_running
    assert time_running_for_agent(agent=ted) == second


def test_starting_again_on_the_same_ticket_keeps_the_timer(ticket, ted, now):
    first = time_timer_start(ticket=ticket, agent=ted, now=now)
    assert time_timer_start(ticket=ticket, agent=ted, now=now + timedelta(minutes=5)) == first
    assert TimeEntry.objects.count() == 1


def test_each_person_has_their_own_timer(ticket, ted, bob, now):
    time_timer_start(ticket=ticket, agent=ted, now=now)
    time_timer_start(ticket=ticket, agent=bob, now=now)
    assert TimeEntry.objects.filter(stopped_at__isnull=True).count() == 2


def test_stopping_without_a_running_timer_is_refused(ticket, other_ticket, ted, now):
    with pytest.raises(InvalidState, match=rf"No timer of yours runs on {ticket.number}\."):
        time_timer_stop(ticket=ticket, agent=ted, now=now)
    time_timer_start(ticket=other_ticket, agent=ted, now=now)
    with pytest.raises(InvalidState, match=rf"No timer of yours runs on {ticket.number}\."):
        time_timer_stop(ticket=ticket, agent=ted, now=now)  # it runs on the other ticket


def test_manual_time_is_logged_in_minutes(ticket, ted, now):
    entry = time_entry_add(
        ticket=ticket, agent=ted, data=ManualTime(45, date(2026, 11, 20), " Call "), now=now
    )
    assert (entry.kind, entry.seconds, entry.note) == (EntryKind.MANUAL, 2700, "Call")


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        (ManualTime(0, date(2026, 11, 20)), {"minutes"}),
        (ManualTime(24 * 60 + 1, date(2026, 11, 20)), {"minutes"}),
        (ManualTime(10, date(2026, 11, 25)), {"worked_on"}),
        (ManualTime(-5, date(2027, 1, 1), "x" * 301), {"minutes", "worked_on", "note"}),
    ],
)
def test_bad_manual_entries_name_each_field(ticket, ted, now, data, fields):
    with pytest.raises(ValidationFailed) as caught:
        time_entry_add(ticket=ticket, agent=ted, data=data, now=now)
    assert set(caught.value.extra["fields"]) == fields
    assert not TimeEntry.objects.exists()


def test_customers_cannot_log_time(ticket, alice, now):
    with pytest.raises(PermissionDenied, match="Only support staff log time on tickets"):
        time_timer_start(ticket=ticket, agent=alice, now=now)
    with pytest.raises(PermissionDenied, match="Only support staff log time on tickets"):
        time_entry_add(ticket=ticket, agent=alice, data=ManualTime(5, now.date()), now=now)


def test_the_ticket_total_leaves_running_timers_out(ticket, ted, bob, now):
    time_entry_add(ticket=ticket, agent=ted, data=ManualTime(30, now.date()), now=now)
    time_timer_start(ticket=ticket, agent=bob, now=now)
    time_timer_stop(ticket=ticket, agent=bob, now=now + timedelta(minutes=15))
    time_timer_start(ticket=ticket, agent=ted, now=now + timedelta(minutes=20))
    time = time_for_ticket(ticket=ticket, viewer=ted, now=now + timedelta(minutes=50))
    assert time.logged_seconds == 45 * 60
    assert time.entry_count == 3
    assert time.running_here
    assert time.running_seconds == 30 * 60


def test_a_ticket_without_time_costs_the_page_two_queries(
    ticket, ted, now, django_assert_num_queries
):
    with django_assert_num_queries(2):  # the total, the viewer's running timer
        time = time_for_ticket(ticket=ticket, viewer=ted, now=now)
    assert (time.logged_seconds, time.entry_count, time.entries) == (0, 0, [])
    time_timer_start(ticket=ticket, agent=ted, now=now)
    time_timer_stop(ticket=ticket, agent=ted, now=now + timedelta(minutes=5))
    time = time_for_ticket(ticket=ticket, viewer=ted, now=now + timedelta(minutes=6))
    assert [entry.seconds for entry in time.entries] == [300]


@threaded_db_test
def test_concurrent_starts_leave_one_running_timer(alice, ted, now):
    tickets = TicketFactory.create_batch(6, requester=alice, opened_at=now)
    barrier = threading.Barrier(len(tickets))
    errors: list[BaseException] = []

    def start(n: int) -> None:
        try:
            barrier.wait()
            time_timer_start(ticket=tickets[n], agent=ted, now=now + timedelta(seconds=n))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=start, args=(n,)) for n in range(len(tickets))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert TimeEntry.objects.filter(agent=ted, stopped_at__isnull=True).count() == 1
    assert TimeEntry.objects.filter(agent=ted).count() == len(tickets)
    assert not TimeEntry.objects.filter(stopped_at__isnull=False, seconds__isnull=True).exists()


@threaded_db_test
def test_concurrent_stops_stop_once(ticket, ted, now):
    time_timer_start(ticket=ticket, agent=ted, now=now)
    barrier = threading.Barrier(4)
    outcomes: list[str] = []

    def stop() -> None:
        try:
            barrier.wait()
            time_timer_stop(ticket=ticket, agent=ted, now=now + timedelta(minutes=1))
            outcomes.append("stopped")
        except InvalidState:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=stop) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "refused", "refused", "stopped"]
    assert TimeEntry.objects.get().seconds == 60
