"""On-call: who is on call, paging a P1 from a 24/7 tier, no ack → next level → ack."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.db import connections

from lifebuoy.core.errors import InvalidState, NotFound
from lifebuoy.core.tasks import enqueue_batch
from lifebuoy.escalations.models import (
    EmergencyContact,
    EscalationPolicy,
    LayerMember,
    Page,
    PageNotice,
    PageStatus,
    PolicyLevel,
    Schedule,
    ScheduleLayer,
    ScheduleOverride,
)
from lifebuoy.escalations.selectors import contact_list_for_user, oncall_at, page_get_for_user
from lifebuoy.escalations.services.oncall import (
    page_ack_token,
    page_acknowledge,
    page_acknowledge_by_token,
    page_sweep,
    page_trigger_for_ticket,
)
from lifebuoy.notifications.models import Delivery
from lifebuoy.tickets.models import TicketEvent
from lifebuoy.tickets.services import TicketChanges, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import threaded_db_test

from .helpers import staff

pytestmark = pytest.mark.django_db
MONDAY = datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


@pytest.fixture
def engineers(grace):
    return [grace, staff("eli@lifebuoy.test", "engineer")]


@pytest.fixture
def schedule(engineers):
    schedule = Schedule.objects.create(name="Engineering", timezone="Europe/Berlin")
    layer = ScheduleLayer.objects.create(
        schedule=schedule, name="Weekly", rotation_start=MONDAY, shift_hours=168
    )
    for position, user in enumerate(engineers):
        LayerMember.objects.create(layer=layer, user=user, position=position)
    return schedule


@pytest.fixture
def policy(schedule, lena):
    policy = EscalationPolicy.objects.create(name="P1 24/7", covered_tiers=[3, 4], repeat_count=1)
    PolicyLevel.objects.create(policy=policy, position=0, schedule=schedule, timeout_minutes=15)
    PolicyLevel.objects.create(policy=policy, position=1, user=lena, timeout_minutes=10)
    return policy


def test_weekly_rotation_takes_turns(schedule, engineers):
    assert oncall_at(schedule=schedule, at=MONDAY + timedelta(days=2)) == engineers[0]
    assert oncall_at(schedule=schedule, at=MONDAY + timedelta(days=8)) == engineers[1]
    assert oncall_at(schedule=schedule, at=MONDAY + timedelta(days=15)) == engineers[0]
    assert oncall_at(schedule=schedule, at=MONDAY - timedelta(days=1)) is None


def test_a_restricted_higher_layer_wins_inside_its_window(schedule, engineers, bob):
    nights = ScheduleLayer.objects.create(
        schedule=schedule,
        name="Tuesday evenings",
        position=1,
        rotation_start=MONDAY,
        shift_hours=24,
        restrictions=[[1, "18:00", "23:59"]],  # Tuesday, Berlin time
    )
    LayerMember.objects.create(layer=nights, user=bob)
    tuesday_evening = datetime(2026, 11, 24, 18, 30, tzinfo=UTC)  # 19:30 in Berlin
    assert oncall_at(schedule=schedule, at=tuesday_evening) == bob
    assert oncall_at(schedule=schedule, at=tuesday_evening - timedelta(hours=2)) == engineers[0]


def test_an_override_beats_every_layer(schedule, lena):
    at = MONDAY + timedelta(days=1)
    ScheduleOverride.objects.create(
        schedule=schedule, user=lena, starts_at=at, ends_at=at + timedelta(hours=4)
    )
    assert oncall_at(schedule=schedule, at=at + timedelta(hours=1)) == lena
    assert oncall_at(schedule=schedule, at=at + timedelta(hours=5)) != lena


@pytest.mark.usefixtures("followup_runs_inline")
def test_a_p1_from_a_247_tier_pages_on_call_at_once(
    policy, charlie, engineers, django_capture_on_commit_callbacks
):
    at = MONDAY + timedelta(days=1, hours=3)  # 04:00 Berlin
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_opened(charlie, at, priority="P1")
    page = Page.objects.get(ticket=ticket)
    assert page.paged_user == engineers[0]
    assert page.ack_due_at == at + timedelta(minutes=15)
    email = Delivery.objects.get(idempotency_key=f"page:{page.id}:0:0")
    assert email.target == engineers[0].email
    assert "/escalations/ack/" in email.payload["text"]
    assert TicketEvent.objects.filter(ticket=ticket, action="paged").exists()


def test_no_page_for_a_tier_without_247_cover_or_below_p1(policy, alice, charlie, now):
    standard_p1 = ticket_opened(alice, now, priority="P1")
    premium_p2 = ticket_opened(charlie, now, priority="P2")
    assert page_trigger_for_ticket(ticket_id=standard_p1.id, now=now) is None
    assert page_trigger_for_ticket(ticket_id=premium_p2.id, now=now) is None


def test_no_ack_pages_the_next_level_then_ack_stops_it(policy, charlie, engineers, lena):
    at = MONDAY + timedelta(days=1)
    ticket = ticket_opened(charlie, at, priority="P1")
    page = page_trigger_for_ticket(ticket_id=ticket.id, now=at)
    assert page is not None
    assert page_trigger_for_ticket(ticket_id=ticket.id, now=at) is None  # once per ticket
    assert page_sweep(now=at + timedelta(minutes=14)) == 0
    assert page_sweep(now=at + timedelta(minutes=15)) == 1
    page.refresh_from_db()
    assert (page.level_index, page.paged_user) == (1, lena)
    assert Delivery.objects.filter(
        idempotency_key=f"page:{page.id}:0:1", target=lena.email
    ).exists()
    page = page_acknowledge(page=page, actor=lena, now=at + timedelta(minutes=20))
    assert page.status == PageStatus.ACKNOWLEDGED
    assert page.acknowledged_by == lena
    assert page_sweep(now=at + timedelta(hours=2)) == 0
    assert TicketEvent.objects.filter(ticket=ticket, action="page_acknowledged").exists()


def test_it_repeats_then_gives_up(policy, charlie, engineers, lena):
    at = MONDAY + timedelta(days=1)
    ticket = ticket_opened(charlie, at, priority="P1")
    page = page_trigger_for_ticket(ticket_id=ticket.id, now=at)
    assert page is not None
    t = at
    for _ in range(3):  # level 1, round 2 level 0, round 2 level 1
        t += timedelta(minutes=15)
        assert page_sweep(now=t) == 1
    page.refresh_from_db()
    assert (page.round, page.level_index, page.status) == (1, 1, PageStatus.TRIGGERED)
    assert page_sweep(now=t + timedelta(minutes=10)) == 1
    page.refresh_from_db()
    assert page.status == PageStatus.EXHAUSTED
    assert PageNotice.objects.filter(page=page).count() == 4
    with pytest.raises(InvalidState, match="Nobody acknowledged this page in time"):
        page_acknowledge(page=page, actor=lena, now=t + timedelta(hours=1))


def test_the_signed_link_acknowledges_for_the_person_paged(policy, charlie, engineers):
    at = MONDAY + timedelta(days=1)
    page = page_trigger_for_ticket(ticket_id=ticket_opened(charlie, at, priority="P1").id, now=at)
    assert page is not None
    token = page_ack_token(page=page, user=engineers[0])
    acked = page_acknowledge_by_token(token=token, now=at + timedelta(minutes=3))
    assert acked.acknowledged_by == engineers[0]
    with pytest.raises(NotFound, match="acknowledgement link is invalid or expired"):
        page_acknowledge_by_token(token=token[:-2] + "xx", now=at)


def test_emergency_contacts_are_for_agents(schedule, engineers, bob, alice):
    EmergencyContact.objects.create(kind="support_lead", name="Lena", email="lena@lifebuoy.test")
    EmergencyContact.objects.create(kind="engineering_oncall", name="Rotation", schedule=schedule)
    rows = contact_list_for_user(user=bob, now=MONDAY + timedelta(days=1))
    assert [r.contact.kind for r in rows] == ["support_lead", "engineering_oncall"]
    assert rows[1].oncall == engineers[0]
    assert contact_list_for_user(user=alice, now=MONDAY) == []


@threaded_db_test
def test_concurrent_page_sweeps_page_each_level_once(policy, charlie):
    at = MONDAY + timedelta(days=1)
    EscalationPolicy.objects.update(is_active=False)  # no paging from ticket events here
    tickets = [ticket_opened(charlie, at, priority="P1") for _ in range(10)]
    EscalationPolicy.objects.update(is_active=True)
    for ticket in tickets:
        page_trigger_for_ticket(ticket_id=ticket.id, now=at)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def sweep():
        try:
            barrier.wait()
            page_sweep(now=at + timedelta(minutes=15), batch_size=20)
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
    assert PageNotice.objects.filter(level_index=1).count() == 10
    assert Delivery.objects.filter(idempotency_key__endswith=":0:1").count() == 10
    assert set(Page.objects.values_list("level_index", flat=True)) == {1}


@pytest.mark.usefixtures("followup_runs_inline")
def test_raising_a_ticket_to_p1_pages_too(
    policy, charlie, bob, engineers, django_capture_on_commit_callbacks
):
    at = MONDAY + timedelta(days=1)
    ticket = ticket_opened(charlie, at, priority="P2")
    assert not Page.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(priority="P1"), now=at)
    assert Page.objects.get(ticket=ticket).paged_user == engineers[0]


def test_the_page_gate(policy, charlie, bob, alice):
    at = MONDAY + timedelta(days=1)
    page = page_trigger_for_ticket(ticket_id=ticket_opened(charlie, at, priority="P1").id, now=at)
    assert page is not None
    assert page_get_for_user(user=bob, page_id=page.id) == page
    with pytest.raises(NotFound, match=f"Page {page.id + 100} was not found"):
        page_get_for_user(user=bob, page_id=page.id + 100)
    with pytest.raises(NotFound, match=f"Page {page.id} was not found"):
        page_get_for_user(user=charlie, page_id=page.id)
    with pytest.raises(NotFound, match=f"Page {page.id} was not found"):
        page_get_for_user(user=alice, page_id=page.id)


def test_filing_a_p1_only_queues_the_page_and_a_worker_sends_it(
    policy, charlie, engineers, django_capture_on_commit_callbacks
):
    from lifebuoy.escalations.tasks import ticket_event_followup

    ticket_event_followup.app.conf.task_always_eager = False  # as in production
    at = MONDAY + timedelta(days=1, hours=3)
    with (
        mock.patch.object(ticket_event_followup, "delay") as queued,
        mock.patch.object(enqueue_batch, "delay", side_effect=enqueue_batch),
        django_capture_on_commit_callbacks(execute=True),
    ):
        ticket = ticket_opened(charlie, at, priority="P1")
    assert not Page.objects.filter(ticket=ticket).exists()
    kwargs = queued.call_args.kwargs
    ticket_event_followup(**kwargs)  # what the worker runs
    assert Page.objects.get(ticket=ticket).paged_user == engineers[0]
