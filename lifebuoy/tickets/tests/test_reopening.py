"""Reopening a solved ticket within LIFEBUOY_REOPEN_DAYS, and the follow-up ticket after."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings

from lifebuoy.core.errors import InvalidState
from lifebuoy.tickets import events
from lifebuoy.tickets.models import Status, Ticket, TicketEvent
from lifebuoy.tickets.services import (
    TicketChanges,
    message_add,
    ticket_confirm_resolved,
    ticket_may_reopen,
    ticket_merge,
    ticket_reopen,
    ticket_reopen_until,
    ticket_reply,
    ticket_update,
)
from tests.concurrency import threaded_db_test

from .factories import ticket_opened

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fourteen_days")]


@pytest.fixture
def fourteen_days():
    with override_settings(LIFEBUOY_REOPEN_DAYS=14):
        yield


@pytest.fixture
def closed(alice, ted, now):
    """Resolved by ted at ``now``, closed by alice's confirmation an hour later."""
    ticket = ticket_opened(alice, now, subject="C2 stopped committing", priority="P2")
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    return ticket_confirm_resolved(ticket=ticket, actor=alice, now=now + timedelta(hours=1))


def test_the_window_runs_from_the_resolution_for_the_configured_days(closed, now):
    assert ticket_reopen_until(closed) == now + timedelta(days=14)
    assert ticket_may_reopen(ticket=closed, now=now + timedelta(days=14))
    assert not ticket_may_reopen(ticket=closed, now=now + timedelta(days=14, seconds=1))
    with override_settings(LIFEBUOY_REOPEN_DAYS=3):
        assert not ticket_may_reopen(ticket=closed, now=now + timedelta(days=4))


def test_an_open_ticket_has_no_window(alice, now):
    ticket = ticket_opened(alice, now)
    assert ticket_reopen_until(ticket) is None
    with pytest.raises(InvalidState, match="there is nothing to reopen"):
        ticket_reopen(ticket=ticket, actor=alice, now=now)


def test_a_customer_reopens_a_closed_ticket_within_the_window_audited_and_announced(
    closed, carol, now, monkeypatch
):
    seen: list[events.Event] = []
    publish = events.publish

    def recording(event: events.Event) -> None:
        seen.append(event)
        publish(event)

    monkeypatch.setattr(events, "publish", recording)
    ticket = ticket_reopen(ticket=closed, actor=carol, now=now + timedelta(days=13))
    assert (ticket.status, ticket.reopen_count, ticket.closed_at) == (Status.OPEN, 1, None)
    assert ticket.waiting_on_us  # the desk owes the customer an answer
    status_change = TicketEvent.objects.filter(ticket=ticket, field="status").latest("id")
    assert (status_change.actor, status_change.old_value, status_change.new_value) == (
        carol,
        Status.CLOSED,
        Status.OPEN,
    )
    assert TicketEvent.objects.filter(ticket=ticket, action="reopened", actor=carol).exists()
    changes = [e for e in seen if isinstance(e, events.StatusChanged)]
    assert [(e.old, e.new, e.cause) for e in changes] == [
        (Status.CLOSED, Status.OPEN, events.StatusCause.REOPEN)
    ]


def test_reopening_twice_reopens_once(closed, alice, now):
    ticket_reopen(ticket=closed, actor=alice, now=now + timedelta(days=1))
    with pytest.raises(InvalidState, match="is open, not resolved or closed"):
        ticket_reopen(ticket=closed, actor=alice, now=now + timedelta(days=1))
    closed.refresh_from_db()
    assert closed.reopen_count == 1


def test_after_the_window_the_customer_may_not_reopen_but_staff_may(closed, alice, bob, now):
    late = now + timedelta(days=15)
    with pytest.raises(InvalidState, match="more than 14 days ago") as refused:
        ticket_reopen(ticket=closed, actor=alice, now=late)
    assert refused.value.code == "reopen_window_passed"
    assert ticket_reopen(ticket=closed, actor=bob, now=late).status == Status.OPEN


def test_a_reply_within_the_window_reopens_the_closed_ticket(closed, alice, now):
    reply = ticket_reply(
        ticket=closed, author=alice, body="Back again", now=now + timedelta(days=2)
    )
    assert (reply.ticket.id, reply.is_follow_up) == (closed.id, False)
    closed.refresh_from_db()
    assert (closed.status, closed.reopen_count) == (Status.OPEN, 1)
    assert closed.messages.get().body == "Back again"


def test_a_reply_after_the_window_opens_one_linked_follow_up_which_later_replies_join(
    closed, alice, carol, now
):
    late = now + timedelta(days=20)
    first = ticket_reply(ticket=closed, author=alice, body="It is **back**.", now=late)
    assert (first.is_follow_up, first.created) == (True, True)
    follow_up = first.ticket
    assert follow_up.follow_up_of == closed
    assert (follow_up.subject, follow_up.priority, follow_up.requester) == (
        closed.subject,
        closed.priority,
        alice,
    )
    assert (
        follow_up.description
        == f"Follow-up to {closed.number}, which is closed.\n\nIt is **back**."
    )
    closed.refresh_from_db()
    assert closed.status == Status.CLOSED
    assert list(closed.follow_ups.all()) == [follow_up]

    second = ticket_reply(ticket=closed, author=carol, body="Same here", now=late)
    assert (second.ticket.id, second.created) == (follow_up.id, False)
    assert follow_up.messages.get().body == "Same here"
    assert Ticket.objects.count() == 2


def test_message_add_refuses_a_customer_reply_past_the_window(closed, alice, bob, now):
    late = now + timedelta(days=20)
    with pytest.raises(InvalidState) as refused:
        message_add(ticket=closed, author=alice, body="hello?", now=late)
    assert refused.value.code == "reopen_window_passed"
    message_add(ticket=closed, author=bob, body="A note for the record.", now=late)  # staff may


def test_a_merged_ticket_is_never_reopened_by_its_customer(alice, bob, now):
    kept = ticket_opened(alice, now, subject="C2 stuck")
    duplicate = ticket_opened(alice, now, subject="C2 stuck again")
    ticket_merge(target=kept, sources=[duplicate], actor=bob, now=now)
    duplicate.refresh_from_db()
    assert ticket_reopen_until(duplicate) is None
    with pytest.raises(InvalidState, match="can no longer be reopened"):
        ticket_reopen(ticket=duplicate, actor=alice, now=now)


@threaded_db_test
def test_late_replies_arriving_together_open_one_follow_up(closed, alice, now):
    """The old ticket's row is locked while a reply decides where it goes: four mails at once
    open one follow-up, which the other three join."""
    later = now + timedelta(days=20)
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def reply(n: int) -> None:
        try:
            barrier.wait()
            ticket_reply(ticket=closed, author=alice, body=f"Still broken ({n})", now=later)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=reply, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    (follow_up,) = Ticket.objects.filter(follow_up_of=closed)
    assert follow_up.messages.count() == 3
