"""The sweep: at-risk warnings and breaches, each recorded and emitted exactly once."""

from __future__ import annotations

import importlib
import io
import threading
from datetime import timedelta

import pytest
import time_machine
from django.core.management import call_command
from django.db import connections
from django.test import override_settings

from lifebuoy.sla.events import SlaEventKind
from lifebuoy.sla.models import ClockKind, ClockState, Summary, SummaryState
from lifebuoy.sla.services import sla_breach_scan
from lifebuoy.sla.tasks import sla_breach_scan as sla_breach_scan_task
from lifebuoy.tickets.models import TicketEvent
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import threaded_db_test

from .helpers import berlin, change, clock_of

FR, RES = ClockKind.FIRST_RESPONSE, ClockKind.RESOLUTION
TUE_11 = berlin(2026, 11, 24, 11)


@pytest.fixture
def seeded():
    """Re-run the policy seed: a threaded test's flush empties the tables it left behind."""
    from django.apps import apps

    seed = importlib.import_module("lifebuoy.sla.migrations.0002_seed_policies").seed
    seed(apps, None)


def scan(now, **kw):
    return sla_breach_scan(now=now, **kw)


@pytest.mark.django_db
def test_a_clock_is_at_risk_at_three_quarters_and_breached_after_its_deadline(
    alice, received, django_capture_on_commit_callbacks
):
    # First response 4 h, resolution 4 h (24/7)
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    first = clock_of(ticket, FR)
    assert first.at_risk_at == TUE_11 + timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        assert scan(TUE_11 + timedelta(hours=2, minutes=59)).at_risk == 0
        result = scan(TUE_11 + timedelta(hours=3))
    assert (result.at_risk, result.breached) == (2, 0)
    assert [(e.kind, e.clock_kind) for e in received] == [
        (SlaEventKind.AT_RISK, FR),
        (SlaEventKind.AT_RISK, RES),
    ]
    assert Summary.objects.get(ticket=ticket).state == SummaryState.AT_RISK
    received.clear()
    with django_capture_on_commit_callbacks(execute=True):
        assert scan(TUE_11 + timedelta(hours=4)).breached == 0  # due at 4 h exactly: still on time
        result = scan(TUE_11 + timedelta(hours=4, minutes=1))
    assert (result.at_risk, result.breached) == (0, 2)
    assert {(e.kind, e.due_at) for e in received} == {
        (SlaEventKind.BREACHED, TUE_11 + timedelta(hours=4))
    }
    first.refresh_from_db()
    assert (first.state, first.breached_at) == (ClockState.BREACHED, TUE_11 + timedelta(hours=4))
    assert first.next_check_at is None
    assert Summary.objects.get(ticket=ticket).state == SummaryState.BREACHED
    audit = TicketEvent.objects.filter(ticket=ticket, action__startswith="sla_")
    assert sorted(audit.values_list("action", "field")) == [
        ("sla_at_risk", FR),
        ("sla_at_risk", RES),
        ("sla_breached", FR),
        ("sla_breached", RES),
    ]


@pytest.mark.django_db
def test_a_sweep_that_runs_late_reports_the_breach_without_a_late_warning(alice, received):
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    result = scan(TUE_11 + timedelta(days=1))
    assert (result.at_risk, result.breached) == (0, 2)
    assert not ticket.events.filter(action="sla_at_risk").exists()


@pytest.mark.django_db
@override_settings(LIFEBUOY_SLA_AT_RISK_SHARE=0.5)
def test_the_at_risk_share_is_configurable(alice):
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    assert clock_of(ticket, FR).at_risk_at == TUE_11 + timedelta(hours=2)


@pytest.mark.django_db
def test_paused_met_and_goal_clocks_are_never_swept(alice, carol, ted, received):
    paused = ticket_opened(alice, TUE_11, priority="P1")
    change(paused, ted, TUE_11 + timedelta(minutes=10), status="pending")
    answered = ticket_opened(alice, TUE_11, priority="P1")
    message_add(ticket=answered, author=ted, body="On it", now=TUE_11 + timedelta(minutes=5))
    org = carol.organization
    org.plan = "community"
    org.save(update_fields=["plan"])
    goal = ticket_opened(carol, TUE_11, priority="P1")
    scan(TUE_11 + timedelta(days=60))
    assert clock_of(paused, RES).state == ClockState.PAUSED
    assert clock_of(answered, FR).state == ClockState.MET
    assert clock_of(goal, FR).state == ClockState.RUNNING
    assert {e.ticket_id for e in received} <= {answered.id}  # its resolution clock still runs
    assert not goal.events.filter(action__startswith="sla_").exists()


@pytest.mark.django_db
def test_a_priority_change_before_the_update_keeps_the_clock_running(alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    change(ticket, ted, TUE_11 + timedelta(hours=1), priority="P4")  # resolution now 1 week
    assert scan(TUE_11 + timedelta(hours=5)).breached == 0
    assert clock_of(ticket, RES).state == ClockState.RUNNING


@pytest.mark.django_db
def test_the_sweep_works_in_bounded_batches(alice):
    for _ in range(7):
        ticket_opened(alice, TUE_11, priority="P1")
    result = scan(TUE_11 + timedelta(hours=5), batch_size=3)
    assert result.breached == 14
    assert scan(TUE_11 + timedelta(hours=5), batch_size=3, max_batches=1).breached == 0


@pytest.mark.django_db
def test_the_task_runs_the_sweep_now(alice):
    ticket_opened(alice, TUE_11, priority="P1")
    assert sla_breach_scan_task.name == "lifebuoy.sla.sla_breach_scan"
    with time_machine.travel(TUE_11 + timedelta(hours=3, minutes=30), tick=False):
        assert sla_breach_scan_task() == {"at_risk": 2, "breached": 0}


@pytest.mark.django_db
def test_two_sweeps_in_a_row_emit_each_event_once(
    alice, received, django_capture_on_commit_callbacks
):
    for _ in range(3):
        ticket_opened(alice, TUE_11, priority="P1")
    with django_capture_on_commit_callbacks(execute=True):
        for at in (3, 3, 5, 5):
            scan(TUE_11 + timedelta(hours=at))
    kinds = [(e.kind, e.clock_id) for e in received]
    assert len(kinds) == len(set(kinds)) == 12


@threaded_db_test
@pytest.mark.usefixtures("seeded")
def test_two_concurrent_sweeps_emit_each_warning_and_breach_once(alice, received):
    for _ in range(40):
        ticket_opened(alice, TUE_11, priority="P1")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def sweep(at):
        try:
            barrier.wait()
            scan(at, batch_size=25)
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    for at in (TUE_11 + timedelta(hours=3), TUE_11 + timedelta(hours=5)):
        threads = [threading.Thread(target=sweep, args=(at,)) for _ in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    kinds = [(e.kind, e.clock_id) for e in received]
    assert len(kinds) == len(set(kinds)) == 160
    assert TicketEvent.objects.filter(action__startswith="sla_").count() == 160


@pytest.mark.django_db
def test_the_management_command_runs_one_sweep(alice):
    ticket_opened(alice, TUE_11, priority="P1")
    out = io.StringIO()
    with time_machine.travel(TUE_11 + timedelta(hours=5), tick=False):
        call_command("sla_breach_scan", stdout=out)
    assert out.getvalue().strip() == "0 at risk, 2 breached."


@threaded_db_test
@pytest.mark.usefixtures("seeded")
def test_replies_racing_the_sweep_neither_deadlock_nor_double_a_breach(alice, ted, received):
    tickets = [ticket_opened(alice, TUE_11, priority="P1") for _ in range(30)]
    late = TUE_11 + timedelta(hours=5)
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(work):
        try:
            barrier.wait()
            work()
        except BaseException as exc:  # reported to the main thread
            errors.append(exc)
        finally:
            connections.close_all()

    def reply_to_all():
        for ticket in reversed(tickets):
            message_add(ticket=ticket, author=ted, body="Sorry for the wait", now=late)

    threads = [
        threading.Thread(target=run, args=(lambda: scan(late, batch_size=10),)),
        threading.Thread(target=run, args=(reply_to_all,)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    scan(late)  # whatever the first sweep did not reach
    breaches = [(e.clock_id, e.kind) for e in received if e.kind == SlaEventKind.BREACHED]
    assert len(breaches) == len(set(breaches)) == 60  # first response and resolution each
    assert TicketEvent.objects.filter(action="sla_breached").count() == 60
