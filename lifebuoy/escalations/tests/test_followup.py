"""Step 4: the owner keeps the ticket, daily check-ins, the 24-hour update clock, closing."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections
from django.test import override_settings

from lifebuoy.escalations.models import EscalationState, Rule
from lifebuoy.escalations.selectors import escalated_list_for_user, follow_up_for_ticket
from lifebuoy.escalations.services.escalate import EscalationRequest, escalation_escalate
from lifebuoy.escalations.services.followup import followup_sweep
from lifebuoy.notifications.models import Delivery
from lifebuoy.tickets.models import Message, Status
from lifebuoy.tickets.services import (
    TicketChanges,
    message_add,
    ticket_confirm_resolved,
    ticket_update,
)
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import threaded_db_test

from .helpers import checklist, owned_by

pytestmark = pytest.mark.django_db
DAY = timedelta(days=1)


@pytest.fixture
def escalated(alice, bob, now):
    ticket = owned_by(ticket_opened(alice, now), bob, now)
    escalation_escalate(
        ticket=ticket, actor=bob, request=EscalationRequest(checklist=checklist()), now=now
    )
    ticket.refresh_from_db()
    return ticket


def emails_to(user, prefix):
    return Delivery.objects.filter(target=user.email, idempotency_key__startswith=prefix)


def test_daily_checkin_reminds_the_owner_once_a_day(escalated, bob, now):
    assert followup_sweep(now=now + timedelta(hours=23)).checkins == 0
    assert followup_sweep(now=now + DAY).checkins == 1
    assert followup_sweep(now=now + DAY + timedelta(hours=1)).checkins == 0
    assert followup_sweep(now=now + 2 * DAY).checkins == 1
    assert emails_to(bob, "escalation:checkin:").count() == 2


def test_customer_update_clock_warns_the_owner_and_shows_overdue(escalated, bob, lena, now):
    follow = follow_up_for_ticket(ticket=escalated, now=now + timedelta(hours=23))
    assert follow is not None
    assert not follow.is_update_overdue
    late = now + DAY + timedelta(minutes=1)
    rows = escalated_list_for_user(user=lena, now=late)
    assert [r.ticket.id for r in rows] == [escalated.id]
    assert rows[0].is_update_overdue
    assert followup_sweep(now=late).update_warnings == 1
    assert followup_sweep(now=late + timedelta(hours=1)).update_warnings == 0
    assert emails_to(bob, "escalation:update-overdue:").count() == 1


def test_a_public_update_resets_the_clock(escalated, bob, now):
    message_add(ticket=escalated, author=bob, body="Engineering reproduced it.", now=now + DAY / 2)
    follow = follow_up_for_ticket(ticket=escalated, now=now + DAY + timedelta(hours=1))
    assert follow is not None
    assert not follow.is_update_overdue
    assert follow.update_due_at == now + DAY / 2 + DAY
    message_add(ticket=escalated, author=bob, body="internal", is_internal=True, now=now + 2 * DAY)
    later = follow_up_for_ticket(ticket=escalated, now=now + 2 * DAY)
    assert later is not None
    assert later.is_update_overdue


def test_customers_never_see_the_escalated_view(escalated, alice, now):
    assert escalated_list_for_user(user=alice, now=now + 2 * DAY) == []


def test_the_owner_stays_after_escalation(escalated, bob):
    assert escalated.owner == bob


def test_customer_confirmation_resolves_then_closes_the_ticket(escalated, alice, now):
    ticket_confirm_resolved(ticket=escalated, actor=alice, now=now + DAY)
    escalated.refresh_from_db()
    assert escalated.status == Status.RESOLVED  # not closed outright: the desk can reopen it
    ticket_confirm_resolved(ticket=escalated, actor=alice, now=now + 2 * DAY)
    escalated.refresh_from_db()
    assert escalated.status == Status.CLOSED


@override_settings(LIFEBUOY_ESCALATION_QUIET_DAYS=3, LIFEBUOY_ESCALATION_FINAL_NOTICE_DAYS=2)
def test_quiet_resolved_escalation_gets_a_final_notice_then_closes(escalated, bob, now):
    resolved_at = now + DAY
    ticket_update(
        ticket=escalated, actor=bob, changes=TicketChanges(status=Status.RESOLVED), now=resolved_at
    )
    assert followup_sweep(now=resolved_at + 2 * DAY).final_notices == 0
    notice_at = resolved_at + 3 * DAY
    assert followup_sweep(now=notice_at).final_notices == 1
    assert followup_sweep(now=notice_at + timedelta(hours=1)).final_notices == 0
    notice = Message.objects.filter(ticket=escalated, is_internal=False).last()
    assert notice is not None
    assert "close the ticket in 2 days" in notice.body
    assert followup_sweep(now=notice_at + DAY).closed == 0
    assert followup_sweep(now=notice_at + 2 * DAY).closed == 1
    escalated.refresh_from_db()
    assert escalated.status == Status.CLOSED


@override_settings(LIFEBUOY_ESCALATION_QUIET_DAYS=3, LIFEBUOY_ESCALATION_FINAL_NOTICE_DAYS=2)
def test_a_customer_reply_after_the_final_notice_keeps_it_open(escalated, alice, bob, now):
    ticket_update(
        ticket=escalated, actor=bob, changes=TicketChanges(status=Status.RESOLVED), now=now
    )
    followup_sweep(now=now + 3 * DAY)
    message_add(ticket=escalated, author=alice, body="Still broken!", now=now + 4 * DAY)
    assert followup_sweep(now=now + 6 * DAY).closed == 0
    escalated.refresh_from_db()
    assert escalated.status == Status.OPEN
    assert EscalationState.objects.get(ticket=escalated).final_notice_at == now + 3 * DAY


@threaded_db_test
def test_concurrent_sweeps_remind_and_warn_once(alice, bob, now):
    Rule.objects.update(is_active=False)
    for _ in range(8):
        ticket = owned_by(ticket_opened(alice, now), bob, now)
        escalation_escalate(
            ticket=ticket, actor=bob, request=EscalationRequest(checklist=checklist()), now=now
        )
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def sweep():
        try:
            barrier.wait()
            followup_sweep(now=now + DAY + timedelta(minutes=1))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=sweep) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert emails_to(bob, "escalation:checkin:").count() == 8
    assert emails_to(bob, "escalation:update-overdue:").count() == 8


def test_warned_tickets_do_not_fill_the_batch(alice, bob, now):
    tickets = []
    for _ in range(3):
        ticket = owned_by(ticket_opened(alice, now), bob, now)
        escalation_escalate(
            ticket=ticket, actor=bob, request=EscalationRequest(checklist=checklist()), now=now
        )
        tickets.append(ticket)
    late = now + DAY + timedelta(minutes=1)
    assert [followup_sweep(now=late, batch_size=1).update_warnings for _ in range(4)] == [
        1,
        1,
        1,
        0,
    ]
    message_add(ticket=tickets[0], author=bob, body="Still on it.", now=late)
    assert followup_sweep(now=late + DAY, batch_size=1).update_warnings == 1
