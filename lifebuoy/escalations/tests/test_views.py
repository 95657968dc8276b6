"""The desk's escalation pages: panel, checklist form (422 with each missing item), the
Escalated view, on-call, rules, and the signed acknowledgement link."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from lifebuoy.escalations.models import (
    EmergencyContact,
    EscalationPolicy,
    EscalationState,
    FiringOutcome,
    LayerMember,
    Level,
    Page,
    PageStatus,
    PolicyLevel,
    Rule,
    Schedule,
    ScheduleLayer,
)
from lifebuoy.escalations.services.escalate import EscalationRequest, escalation_escalate
from lifebuoy.escalations.services.oncall import page_ack_token, page_trigger_for_ticket
from lifebuoy.escalations.services.rules import rules_evaluate_ticket
from lifebuoy.tickets.models import Status
from lifebuoy.tickets.tests.factories import ticket_opened

from .helpers import checklist, owned_by

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def ticket(alice, bob):
    now = timezone.now()
    return owned_by(ticket_opened(alice, now), bob, now)


def test_the_ticket_page_shows_the_panel_to_staff(ticket, bob):
    page = client_for(bob).get(reverse("desk:detail", args=[ticket.id]))
    assert page.status_code == HTTPStatus.OK
    assert b'id="escalation"' in page.content
    assert b"Tier 2" in page.content


def test_missing_checklist_items_are_listed_with_a_422(ticket, bob):
    url = reverse("escalations:escalate", args=[ticket.id])
    response = client_for(bob).post(url, {"to_level": "3", "problem_description": "C1 is silent"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    text = response.content.decode()
    assert "Missing: Steps to reproduce, Git commit logs, Error messages" in text
    assert text.count("Required before escalating.") == 5
    ticket.refresh_from_db()
    assert ticket.status != Status.ESCALATED


def test_escalating_from_the_desk(ticket, bob):
    url = reverse("escalations:escalate", args=[ticket.id])
    response = client_for(bob).post(url, {"to_level": "3", **checklist()})
    assert response.status_code == HTTPStatus.FOUND
    ticket.refresh_from_db()
    assert ticket.status == Status.ESCALATED
    assert EscalationState.objects.get(ticket=ticket).level == Level.TIER_3


def test_saving_a_draft_checklist(ticket, bob):
    url = reverse("escalations:escalate", args=[ticket.id])
    client_for(bob).post(url, {"to_level": "3", "save_draft": "1", "error_messages": "boom"})
    assert EscalationState.objects.get(ticket=ticket).checklist["error_messages"] == "boom"
    assert b"boom" in client_for(bob).get(url).content


def test_accepting_and_dismissing_suggestions(ticket, bob):
    Rule.objects.exclude(key="t3-complex").update(is_active=False)
    ticket.tags.create(name="complex")
    [firing] = rules_evaluate_ticket(ticket_id=ticket.id, now=timezone.now())
    url = reverse("escalations:suggestion", args=[ticket.id, firing.id])
    response = client_for(bob).post(url, {"decision": "accept"})
    # Without a checklist the agent lands on the form
    assert response["Location"] == reverse("escalations:escalate", args=[ticket.id])
    client_for(bob).post(url, {"decision": "dismiss"})
    firing.refresh_from_db()
    assert firing.outcome == FiringOutcome.DISMISSED


def test_the_escalated_view_shows_overdue_updates(alice, bob, lena):
    then = timezone.now() - timedelta(days=2)
    ticket = owned_by(ticket_opened(alice, then), bob, then)
    escalation_escalate(
        ticket=ticket, actor=bob, request=EscalationRequest(checklist=checklist()), now=then
    )
    page = client_for(lena).get(reverse("escalations:list"))
    assert page.status_code == HTTPStatus.OK
    assert ticket.subject.encode() in page.content
    assert b"overdue" in page.content


def test_triage_and_confirm_from_the_desk(alice, bob):
    now = timezone.now()
    training = ticket_opened(alice, now, category="training")
    client_for(bob).post(reverse("escalations:triage", args=[training.id]), {"close": "1"})
    training.refresh_from_db()
    assert training.status == Status.CLOSED
    bug = ticket_opened(alice, now)
    client_for(bob).post(reverse("escalations:confirm", args=[bug.id]))
    bug.refresh_from_db()
    assert bug.status == Status.CLOSED


@pytest.fixture
def paged(charlie, grace):
    schedule = Schedule.objects.create(name="Engineering")
    layer = ScheduleLayer.objects.create(
        schedule=schedule, name="Weekly", rotation_start=timezone.now() - timedelta(days=1)
    )
    LayerMember.objects.create(layer=layer, user=grace)
    policy = EscalationPolicy.objects.create(name="24/7", covered_tiers=[3, 4])
    PolicyLevel.objects.create(policy=policy, schedule=schedule, timeout_minutes=5)
    EmergencyContact.objects.create(kind="engineering_oncall", name="Rotation", schedule=schedule)
    ticket = ticket_opened(charlie, timezone.now(), priority="P1")
    page = page_trigger_for_ticket(ticket_id=ticket.id, now=timezone.now())
    assert page is not None
    return page


def test_the_oncall_page_lists_schedules_pages_and_contacts(paged, bob):
    page = client_for(bob).get(reverse("escalations:oncall"))
    text = page.content.decode()
    assert 'On call now: <strong class="oncall-now">Grace</strong>' in text
    assert "Engineering on-call" in text
    assert paged.ticket.number in text


def test_acknowledging_from_the_ticket_page(paged, grace):
    client_for(grace).post(reverse("escalations:page_ack", args=[paged.id]))
    paged.refresh_from_db()
    assert paged.status == PageStatus.ACKNOWLEDGED


def test_the_signed_link_asks_then_acknowledges_without_signing_in(paged, grace):
    url = reverse("escalations:ack_link", args=[page_ack_token(page=paged, user=grace)])
    assert Client().get(url).status_code == HTTPStatus.OK
    assert Page.objects.get(id=paged.id).status == PageStatus.TRIGGERED
    assert Client().post(url).status_code == HTTPStatus.OK
    assert Page.objects.get(id=paged.id).acknowledged_by == grace
    bad = reverse("escalations:ack_link", args=["nope"])
    assert Client().post(bad).status_code == HTTPStatus.NOT_FOUND


def test_leads_edit_rules_and_agents_cannot(lena, bob):
    rule = Rule.objects.get(key="t2-persists-48h")
    url = reverse("escalations:rules")
    assert client_for(bob).get(url).status_code == HTTPStatus.OK
    client_for(bob).post(
        url, {"rule_id": rule.id, "mode": "auto", "value": "48", "is_active": "on"}
    )
    rule.refresh_from_db()
    assert rule.mode == "suggest"
    client_for(lena).post(
        url, {"rule_id": rule.id, "mode": "auto", "value": "24", "is_active": "on"}
    )
    rule.refresh_from_db()
    assert (rule.mode, rule.value) == ("auto", "24")


@pytest.mark.parametrize("name", ["list", "oncall", "rules"])
def test_customers_are_kept_out_of_desk_pages(alice, name):
    response = client_for(alice).get(reverse(f"escalations:{name}"))
    assert response.status_code == HTTPStatus.FORBIDDEN


def test_charlie_gets_404_on_another_organizations_ticket_pages(ticket, charlie, bob):
    # charlie is a customer: desk pages are a 403; the ticket gate 404s staff-only data
    response = client_for(charlie).get(reverse("escalations:escalate", args=[ticket.id]))
    assert response.status_code == HTTPStatus.FORBIDDEN
    assert client_for(bob).get(reverse("escalations:escalate", args=[99999])).status_code == 404


def test_the_customer_portal_shows_the_team_and_next_update_only(ticket, alice, bob):
    escalation_escalate(
        ticket=ticket,
        actor=bob,
        request=EscalationRequest(checklist=checklist(), reason="internal reasoning"),
        now=timezone.now(),
    )
    text = client_for(alice).get(reverse("portal:detail", args=[ticket.id])).content.decode()
    assert "With Tier 3 · next update by" in text
    assert "internal reasoning" not in text
    assert "documented" not in text
    assert 'id="escalation"' not in text


def test_the_escalated_view_costs_the_same_for_many_tickets(
    alice, bob, lena, django_assert_max_num_queries
):
    now = timezone.now()
    for _ in range(5):
        ticket = owned_by(ticket_opened(alice, now), bob, now)
        escalation_escalate(
            ticket=ticket, actor=bob, request=EscalationRequest(checklist=checklist()), now=now
        )
    client = client_for(lena)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("escalations:list")).status_code == HTTPStatus.OK
