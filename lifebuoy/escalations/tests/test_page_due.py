"""A P1 is paged even when its follow-up task is lost: the intent to page is written with the
ticket, the follow-up task uses it up, and the page sweep pages for any left behind."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from unittest import mock

import pytest
import time_machine
from django.db import connections, transaction

from lifebuoy.escalations import tasks
from lifebuoy.escalations.models import EscalationPolicy, Page, PageDue, PageNotice, PolicyLevel
from lifebuoy.escalations.services.page_due import (
    PAGE_DUE_GRACE,
    page_due_record,
    page_due_sweep,
    page_trigger_due,
)
from lifebuoy.escalations.services.ticket_events import ticket_event_followup
from lifebuoy.notifications.models import Delivery
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import TicketChanges, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import threaded_db_test

pytestmark = pytest.mark.django_db
AT = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)


@pytest.fixture
def policy(grace):
    """Premium and Managed (charlie's organization) are paged, grace first."""
    policy = EscalationPolicy.objects.create(name="P1 24/7", covered_tiers=[3, 4])
    PolicyLevel.objects.create(policy=policy, position=0, user=grace, timeout_minutes=15)
    return policy


@pytest.fixture
def broker_down() -> Iterator[mock.MagicMock]:
    """Nothing a commit queues reaches the broker (as when Redis is unreachable): the jobs are
    dropped where they would be published."""
    with mock.patch("lifebuoy.core.tasks._publish") as dropped:
        yield dropped


def _dropped_tasks(dropped: mock.MagicMock) -> set[str]:
    return {job.task.name for call in dropped.call_args_list for job in call.args[0]}


def _filed_while_the_broker_is_down(charlie: Any, capture: Any, priority: str = "P1") -> Ticket:
    with capture(execute=True):  # the commit runs its callbacks; each publish fails
        return ticket_opened(charlie, AT, priority=priority)


@transaction.atomic
def _filed_then_rolled_back(charlie: Any) -> None:
    ticket_opened(charlie, AT, priority="P1")
    raise RuntimeError("the request failed after filing")


def _paged_once(ticket: Ticket, grace) -> None:
    page = Page.objects.get(ticket=ticket)
    assert page.paged_user == grace
    assert PageNotice.objects.filter(page__ticket=ticket).count() == 1
    emails = Delivery.objects.filter(idempotency_key__startswith=f"page:{page.id}:")
    assert list(emails.values_list("target", flat=True)) == [grace.email]
    assert not PageDue.objects.filter(ticket=ticket).exists()


def test_a_p1_filed_while_the_broker_is_down_is_paged_by_the_sweep(
    policy, charlie, grace, broker_down, django_capture_on_commit_callbacks
):
    ticket = _filed_while_the_broker_is_down(charlie, django_capture_on_commit_callbacks)
    assert tasks.ticket_event_followup.name in _dropped_tasks(broker_down)
    assert not Page.objects.filter(ticket=ticket).exists()
    with time_machine.travel(AT + PAGE_DUE_GRACE - timedelta(seconds=1), tick=False):
        assert tasks.page_sweep() == 0  # the task may still come
    with time_machine.travel(AT + PAGE_DUE_GRACE, tick=False):
        assert tasks.page_sweep() == 1
    _paged_once(ticket, grace)
    assert Page.objects.get(ticket=ticket).created_at == AT + PAGE_DUE_GRACE
    with time_machine.travel(AT + timedelta(minutes=1), tick=False):
        assert tasks.page_sweep() == 0


def test_the_follow_up_task_pages_and_leaves_the_sweep_nothing(
    policy, charlie, grace, broker_down, django_capture_on_commit_callbacks
):
    ticket = _filed_while_the_broker_is_down(charlie, django_capture_on_commit_callbacks)
    assert PageDue.objects.filter(ticket=ticket).exists()
    tasks.ticket_event_followup(ticket_id=ticket.id, at=AT.isoformat())  # what a worker runs
    _paged_once(ticket, grace)
    assert page_due_sweep(now=AT + timedelta(minutes=5)) == 0
    _paged_once(ticket, grace)


def test_a_task_arriving_after_the_sweep_paged_pages_no_one_again(
    policy, charlie, grace, broker_down, django_capture_on_commit_callbacks
):
    ticket = _filed_while_the_broker_is_down(charlie, django_capture_on_commit_callbacks)
    assert page_due_sweep(now=AT + timedelta(minutes=2)) == 1
    ticket_event_followup(ticket_id=ticket.id, now=AT)  # the broker came back with it
    _paged_once(ticket, grace)


def test_raising_a_ticket_to_p1_records_the_intent_and_lowering_it_again_cancels_it(
    policy, charlie, bob, broker_down, django_capture_on_commit_callbacks
):
    ticket = _filed_while_the_broker_is_down(charlie, django_capture_on_commit_callbacks, "P2")
    assert not PageDue.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(priority="P1"), now=AT)
    assert PageDue.objects.filter(ticket=ticket).exists()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(priority="P2"), now=AT)
    assert page_due_sweep(now=AT + timedelta(minutes=1)) == 0
    assert not Page.objects.exists()
    assert not PageDue.objects.exists()


def test_no_intent_below_p1_for_an_uncovered_tier_or_a_rolled_back_ticket(
    policy, charlie, alice, django_capture_on_commit_callbacks
):
    ticket_opened(charlie, AT, priority="P2")
    ticket_opened(alice, AT, priority="P1")  # Standard tier: no 24/7 cover
    with pytest.raises(RuntimeError, match="after filing"):
        _filed_then_rolled_back(charlie)
    assert not PageDue.objects.exists()
    assert page_due_sweep(now=AT + timedelta(hours=1)) == 0
    assert not Page.objects.exists()


def test_a_ticket_below_p1_costs_paging_no_query(policy, charlie, django_assert_num_queries):
    ticket = ticket_opened(charlie, AT, priority="P2")
    with django_assert_num_queries(0):  # most tickets, on every save and follow-up
        assert page_due_record(ticket=ticket, now=AT) is False
        assert page_trigger_due(ticket=ticket, now=AT) is None


def test_a_sweep_that_fails_leaves_the_intent_for_a_later_one(
    policy, charlie, grace, broker_down, django_capture_on_commit_callbacks
):
    ticket = _filed_while_the_broker_is_down(charlie, django_capture_on_commit_callbacks)
    later = AT + timedelta(minutes=1)
    with mock.patch(
        "lifebuoy.escalations.services.page_due.page_trigger", side_effect=RuntimeError("db")
    ):
        assert page_due_sweep(now=later) == 0
    assert not Page.objects.exists()
    assert page_due_sweep(now=later) == 0  # it waits a little before trying again
    assert page_due_sweep(now=later + timedelta(minutes=1)) == 1
    _paged_once(ticket, grace)


@threaded_db_test
def test_a_task_and_sweeps_racing_page_each_ticket_once(policy, charlie, grace):
    # The tickets' own follow-ups go to the test's in-memory broker, which nothing consumes.
    tickets = [ticket_opened(charlie, AT, priority="P1") for _ in range(12)]
    assert PageDue.objects.count() == 12
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def follow_up() -> None:
        for ticket in reversed(tickets):  # meets the sweeps halfway
            ticket_event_followup(ticket_id=ticket.id, now=AT)

    def sweep() -> None:
        page_due_sweep(now=AT + timedelta(minutes=1), batch_size=20)

    def run(work: Callable[[], None]) -> None:
        try:
            barrier.wait()
            work()
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    with mock.patch("lifebuoy.escalations.services.ticket_events.logger") as followup_log:
        threads = [threading.Thread(target=run, args=(w,)) for w in (follow_up, sweep, sweep)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    assert errors == []
    assert not followup_log.exception.called  # e.g. no deadlock between a task and a sweep
    for ticket in tickets:
        _paged_once(ticket, grace)
