"""Steps 1–3: document, assign, communicate."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.core.errors import InvalidState, PermissionDenied, ValidationFailed
from lifebuoy.escalations.models import (
    CHECKLIST_ITEMS,
    AgentCapacity,
    EscalationState,
    EscalationStep,
    Level,
)
from lifebuoy.escalations.selectors import sla_next_deadline
from lifebuoy.escalations.services.escalate import (
    EscalationRequest,
    escalation_checklist_save,
    escalation_escalate,
)
from lifebuoy.notifications.models import Delivery, Notification, NotificationKind
from lifebuoy.tickets.models import Message, Status, TicketEvent
from lifebuoy.tickets.services import TicketChanges, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

from .helpers import checklist, owned_by, staff

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, bob, now):
    return owned_by(ticket_opened(alice, now), bob, now)


@pytest.fixture
def tier3():
    return [staff(f"t3-{n}@lifebuoy.test", queue="tier-3") for n in range(3)]


def test_it_refuses_with_every_missing_item_listed(ticket, bob, now):
    with pytest.raises(ValidationFailed) as caught:
        escalation_escalate(
            ticket=ticket,
            actor=bob,
            request=EscalationRequest(checklist={"problem_description": "C1 is silent."}),
            now=now,
        )
    missing = [m["item"] for m in caught.value.extra["missing"]]
    assert missing == [k for k in CHECKLIST_ITEMS if k != "problem_description"]
    assert "Steps to reproduce" in caught.value.message
    assert caught.value.http_status == 422
    ticket.refresh_from_db()
    assert ticket.status != Status.ESCALATED
    assert not EscalationStep.objects.exists()


def test_blank_items_count_as_missing(ticket, bob, now):
    with pytest.raises(ValidationFailed) as caught:
        escalation_escalate(
            ticket=ticket,
            actor=bob,
            request=EscalationRequest(checklist=checklist(error_messages="   ")),
            now=now,
        )
    assert [m["item"] for m in caught.value.extra["missing"]] == ["error_messages"]


def test_it_escalates_to_the_next_level_with_note_deadline_and_notice(
    ticket, bob, tier3, now, django_capture_on_commit_callbacks
):
    assert EscalationState.objects.filter(ticket=ticket).count() == 0
    deadline = sla_next_deadline(ticket=ticket, now=now)
    later = now + timedelta(hours=1)
    with django_capture_on_commit_callbacks():
        step = escalation_escalate(
            ticket=ticket,
            actor=bob,
            request=EscalationRequest(
                checklist=checklist(), reason="Needs senior eyes", workaround="Restart C1."
            ),
            now=later,
        )
    ticket.refresh_from_db()
    assert (step.from_level, step.to_level) == (Level.TIER_2, Level.TIER_3)
    assert ticket.status == Status.ESCALATED
    assert ticket.queue.slug == "tier-3"
    assert ticket.assignee == tier3[0]
    assert ticket.owner == bob  # the original agent keeps the ticket
    assert step.deadline_at == deadline is not None
    note = Message.objects.get(ticket=ticket, is_internal=True)
    assert "Needs senior eyes" in note.body
    assert "Steps to reproduce" in note.body
    notice = Message.objects.filter(ticket=ticket, is_internal=False).last()
    assert notice is not None
    assert ticket.number in notice.body
    assert "Restart C1." in notice.body
    assert "Tier 3" in notice.body
    email = Delivery.objects.get(idempotency_key=f"email:message:{notice.id}")
    assert email.target == ticket.requester.email
    # The internal reason reaches staff only: the new assignee's notification, never the customer.
    to_customer = Delivery.objects.exclude(target=tier3[0].email)
    assert all("Needs senior eyes" not in str(d.payload) for d in to_customer)
    notified = Notification.objects.get(recipient=tier3[0], kind=NotificationKind.ESCALATION)
    assert notified.excerpt == "Needs senior eyes"
    state = EscalationState.objects.get(ticket=ticket)
    assert state.level == Level.TIER_3
    assert state.next_checkin_at == later + timedelta(days=1)
    assert TicketEvent.objects.filter(ticket=ticket, field="status", new_value="escalated").exists()


def test_round_robin_takes_turns_and_skips_people_at_capacity(alice, bob, tier3, now):
    AgentCapacity.objects.create(user=tier3[1], max_open_tickets=0)
    AgentCapacity.objects.create(user=tier3[2], is_available=False)
    first = owned_by(ticket_opened(alice, now), bob, now)
    second = owned_by(ticket_opened(alice, now), bob, now)
    request = EscalationRequest(checklist=checklist())
    escalation_escalate(ticket=first, actor=bob, request=request, now=now)
    AgentCapacity.objects.filter(user=tier3[1]).update(max_open_tickets=5)
    escalation_escalate(ticket=second, actor=bob, request=request, now=now)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.assignee == tier3[0]
    assert second.assignee == tier3[1]  # next in turn; the unavailable one is skipped later


def test_round_robin_leaves_the_ticket_in_the_queue_when_everyone_is_full(ticket, bob, tier3, now):
    for person in tier3:
        AgentCapacity.objects.create(user=person, max_open_tickets=0)
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(assignee_id=bob.id), now=now)
    escalation_escalate(
        ticket=ticket, actor=bob, request=EscalationRequest(checklist=checklist()), now=now
    )
    ticket.refresh_from_db()
    assert ticket.queue.slug == "tier-3"
    assert ticket.assignee is None  # nobody had room: the queue picks it up


def test_a_named_engineer_can_be_chosen(ticket, bob, grace, now):
    escalation_escalate(
        ticket=ticket,
        actor=bob,
        request=EscalationRequest(
            checklist=checklist(), to_level=Level.ENGINEERING, engineer_id=grace.id
        ),
        now=now,
    )
    ticket.refresh_from_db()
    assert ticket.assignee == grace
    assert ticket.queue.slug == "engineering"


def test_a_saved_draft_counts_towards_the_checklist(ticket, bob, now):
    escalation_checklist_save(ticket=ticket, actor=bob, checklist=checklist(error_messages=""))
    with pytest.raises(ValidationFailed, match="Missing: Error messages"):
        escalation_escalate(ticket=ticket, actor=bob, request=EscalationRequest(), now=now)
    step = escalation_escalate(
        ticket=ticket,
        actor=bob,
        request=EscalationRequest(checklist={"error_messages": "fatal: bad object"}),
        now=now,
    )
    assert step.checklist["error_messages"] == "fatal: bad object"


def test_customers_cannot_escalate(ticket, alice, now):
    with pytest.raises(PermissionDenied, match="Only support staff can escalate a ticket"):
        escalation_escalate(
            ticket=ticket, actor=alice, request=EscalationRequest(checklist=checklist()), now=now
        )


def test_it_only_climbs(ticket, bob, now):
    with pytest.raises(InvalidState, match="already at Tier 2; escalate to a higher level"):
        escalation_escalate(
            ticket=ticket,
            actor=bob,
            request=EscalationRequest(checklist=checklist(), to_level=Level.TIER_2),
            now=now,
        )


def test_tier_2_to_engineering_then_product(ticket, bob, now):
    request = EscalationRequest(checklist=checklist())
    escalation_escalate(ticket=ticket, actor=bob, request=request, now=now)
    escalation_escalate(ticket=ticket, actor=bob, request=request, now=now)
    assert EscalationState.objects.get(ticket=ticket).level == Level.ENGINEERING
    escalation_escalate(
        ticket=ticket, actor=bob, request=EscalationRequest(to_level=Level.PRODUCT), now=now
    )
    levels = list(EscalationStep.objects.filter(ticket=ticket).values_list("to_level", flat=True))
    assert levels == [Level.TIER_3, Level.ENGINEERING, Level.PRODUCT]


def test_the_plain_status_change_cannot_skip_the_checklist(ticket, bob, now):
    with pytest.raises(ValidationFailed) as caught:
        ticket_update(
            ticket=ticket, actor=bob, changes=TicketChanges(status=Status.ESCALATED), now=now
        )
    assert "escalation checklist" in caught.value.extra["fields"]["status"]


def test_the_person_an_escalation_goes_to_is_notified_unless_they_escalated_it(
    ticket, bob, tier3, lena, now
):
    step = escalation_escalate(
        ticket=ticket,
        actor=bob,
        request=EscalationRequest(checklist=checklist(), reason="Needs senior eyes"),
        now=now,
    )
    notice = Notification.objects.get(kind=NotificationKind.ESCALATION)
    assert (notice.recipient, notice.actor) == (tier3[0], bob)
    assert (
        notice.text == f"#{ticket.id} {ticket.subject} was escalated to Tier 3 and assigned to you"
    )
    assert notice.key == f"escalation:step:{step.id}:{tier3[0].id}"
    escalation_escalate(
        ticket=ticket,
        actor=lena,
        request=EscalationRequest(to_level=Level.ENGINEERING, engineer_id=lena.id),
        now=now,
    )
    assert not Notification.objects.filter(recipient=lena).exists()


def test_the_ticket_pages_panel_reads_little_for_a_ticket_nobody_escalated(
    ticket, bob, tier3, now, django_assert_max_num_queries
):
    from lifebuoy.escalations.selectors import escalation_view_of_ticket

    ticket.refresh_from_db()
    ticket.queue  # noqa: B018 - the ticket page reads the ticket with its queue
    with django_assert_max_num_queries(2):  # the escalation state, the suggestions
        view = escalation_view_of_ticket(user=bob, ticket=ticket, now=now)
    assert (view.level, view.steps, view.update_due_at) == (Level.TIER_2, [], None)

    escalation_escalate(
        ticket=ticket,
        actor=bob,
        request=EscalationRequest(checklist=checklist(), reason="Needs senior eyes"),
        now=now,
    )
    ticket.refresh_from_db()
    view = escalation_view_of_ticket(user=bob, ticket=ticket, now=now + timedelta(hours=1))
    assert view.level == Level.TIER_3
    assert [step.to_level for step in view.steps or []] == [Level.TIER_3]
    assert view.update_due_at is not None
