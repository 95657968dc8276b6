"""Rules as data: every playbook rule, automatic vs suggested, once per condition, events."""

from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from django.db import connections

from lifebuoy.core.errors import InvalidState, PermissionDenied, ValidationFailed
from lifebuoy.escalations.hooks import escalations_on_sla_event
from lifebuoy.escalations.models import EscalationState, Firing, FiringOutcome, Level, Mode, Rule
from lifebuoy.escalations.services.escalate import EscalationRequest, escalation_checklist_save
from lifebuoy.escalations.services.rules import (
    rule_update,
    rules_evaluate_ticket,
    rules_sweep,
    suggestion_accept,
    suggestion_dismiss,
)
from lifebuoy.sla.events import SlaEvent, SlaEventKind
from lifebuoy.tickets.models import Status, TicketEvent
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.concurrency import threaded_db_test

from .helpers import checklist, community_org, customer, owned_by, tag

pytestmark = pytest.mark.django_db

# rule key, organization ("community", "acme", "globex"), start level, ticket kwargs, tags,
# hours later, sla at risk
CASES = [
    ("t2-persists-48h", "community", None, {}, (), 49, False),
    ("t2-clear-bug", "community", None, {}, ("clear-bug",), 0, False),
    ("t2-security-concern", "community", None, {}, ("security",), 0, False),
    ("t2-paying-customer", "acme", Level.COMMUNITY, {}, (), 0, False),
    ("t3-p1", "acme", None, {"priority": "P1"}, (), 0, False),
    ("t3-sla-at-risk", "acme", None, {}, (), 0, True),
    ("t3-complex", "acme", None, {}, ("complex",), 0, False),
    ("t3-enterprise", "globex", Level.TIER_2, {}, (), 0, False),
    ("eng-confirmed-bug", "acme", None, {}, ("confirmed-bug",), 0, False),
    ("product-feature-request", "acme", None, {"category": "feature_request"}, ("strong-need",),
     0, False),
    ("eng-performance-architecture", "acme", None, {"category": "performance"},
     ("needs-architecture",), 0, False),
    ("eng-security-vulnerability", "acme", None, {}, ("vulnerability",), 0, False),
]  # fmt: skip


def only(key: str) -> Rule:
    Rule.objects.exclude(key=key).update(is_active=False)
    return Rule.objects.get(key=key)


@pytest.fixture
def requester(request, alice, charlie):
    def make(org: str):
        if org == "community":
            return customer(community_org(), "peter@initech.example")
        return {"acme": alice, "globex": charlie}[org]

    return make


@pytest.mark.parametrize(("key", "org", "level", "kwargs", "tags", "hours", "risk"), CASES)
def test_each_playbook_rule_fires_when_its_condition_holds(
    key, org, level, kwargs, tags, hours, risk, requester, bob, now
):
    rule = only(key)
    ticket = owned_by(ticket_opened(requester(org), now, **kwargs), bob, now)
    if level is not None:
        EscalationState.objects.update_or_create(ticket=ticket, defaults={"level": level})
    if tags:
        tag(ticket, bob, now, *tags)
    escalation_checklist_save(ticket=ticket, actor=bob, checklist=checklist())
    fired = rules_evaluate_ticket(
        ticket_id=ticket.id, now=now + timedelta(hours=hours), sla_at_risk=risk
    )
    assert [f.rule.key for f in fired] == [key]
    ticket.refresh_from_db()
    if rule.mode == Mode.AUTOMATIC:
        assert fired[0].outcome == FiringOutcome.APPLIED
        assert ticket.status == Status.ESCALATED
        assert EscalationState.objects.get(ticket=ticket).level == rule.target_level
        assert TicketEvent.objects.filter(
            ticket=ticket, action="escalated_by_rule", new_value=key
        ).exists()
    else:
        assert fired[0].outcome == FiringOutcome.SUGGESTED
        assert fired[0].reason.startswith(rule.name)
        assert ticket.status != Status.ESCALATED
        assert TicketEvent.objects.filter(
            ticket=ticket, action="escalation_suggested", new_value=key
        ).exists()


def test_a_rule_does_not_fire_without_its_condition(alice, bob, now):
    only("t3-complex")
    ticket = owned_by(ticket_opened(alice, now), bob, now)
    tag(ticket, bob, now, "simple")
    assert rules_evaluate_ticket(ticket_id=ticket.id, now=now) == []


def test_a_rule_fires_once_per_ticket(alice, bob, now):
    only("t3-complex")
    ticket = owned_by(ticket_opened(alice, now, tags=("complex",)), bob, now)
    assert len(rules_evaluate_ticket(ticket_id=ticket.id, now=now)) == 1
    assert rules_evaluate_ticket(ticket_id=ticket.id, now=now) == []
    assert rules_sweep(now=now + timedelta(hours=1)).made == 0
    assert Firing.objects.count() == 1


def test_an_automatic_rule_without_the_checklist_becomes_a_suggestion(alice, bob, now):
    only("t3-p1")
    ticket = owned_by(ticket_opened(alice, now, priority="P1"), bob, now)
    [firing] = rules_evaluate_ticket(ticket_id=ticket.id, now=now)
    assert firing.outcome == FiringOutcome.SUGGESTED
    assert "Not applied" in firing.reason
    assert "Steps to reproduce" in firing.reason
    ticket.refresh_from_db()
    assert ticket.status != Status.ESCALATED


def test_higher_automatic_rule_makes_lower_ones_moot(alice, bob, now):
    Rule.objects.exclude(key__in=["t3-p1", "eng-security-vulnerability"]).update(is_active=False)
    ticket = owned_by(ticket_opened(alice, now, priority="P1", tags=("vulnerability",)), bob, now)
    escalation_checklist_save(ticket=ticket, actor=bob, checklist=checklist())
    fired = rules_evaluate_ticket(ticket_id=ticket.id, now=now)
    assert [(f.rule.key, f.outcome) for f in fired] == [
        ("eng-security-vulnerability", FiringOutcome.APPLIED)
    ]
    assert EscalationState.objects.get(ticket=ticket).level == Level.ENGINEERING


def test_the_sla_at_risk_event_triggers_evaluation(alice, bob, now):
    only("t3-sla-at-risk")
    ticket = owned_by(ticket_opened(alice, now), bob, now)
    event = SlaEvent(SlaEventKind.AT_RISK, ticket.id, 1, "resolution", now, now)
    escalations_on_sla_event(event)
    assert Firing.objects.get(ticket=ticket).rule.key == "t3-sla-at-risk"


@pytest.mark.usefixtures("followup_runs_inline")
def test_ticket_events_trigger_evaluation_after_commit(
    alice, bob, now, django_capture_on_commit_callbacks
):
    only("t3-complex")
    with django_capture_on_commit_callbacks(execute=True):
        ticket = ticket_opened(alice, now, tags=("complex",))
    assert Firing.objects.get(ticket=ticket).outcome == FiringOutcome.SUGGESTED


def test_the_sweep_catches_time_based_conditions(bob, now):
    only("t2-persists-48h")
    peter = customer(community_org(), "peter@initech.example")
    ticket = owned_by(ticket_opened(peter, now), bob, now)
    assert rules_sweep(now=now + timedelta(hours=47)).made == 0
    assert rules_sweep(now=now + timedelta(hours=48)).made == 1
    assert Firing.objects.get(ticket=ticket).rule.key == "t2-persists-48h"


def test_accepting_a_suggestion_escalates_with_the_checklist(alice, bob, now):
    only("t3-complex")
    ticket = owned_by(ticket_opened(alice, now, tags=("complex",)), bob, now)
    [firing] = rules_evaluate_ticket(ticket_id=ticket.id, now=now)
    with pytest.raises(ValidationFailed, match="Document the escalation first"):
        suggestion_accept(firing=firing, actor=bob, request=EscalationRequest(), now=now)
    firing.refresh_from_db()
    assert firing.outcome == FiringOutcome.SUGGESTED  # rolled back with the refusal
    firing = suggestion_accept(
        firing=firing, actor=bob, request=EscalationRequest(checklist=checklist()), now=now
    )
    assert firing.outcome == FiringOutcome.ACCEPTED
    assert EscalationState.objects.get(ticket=ticket).level == Level.TIER_3
    with pytest.raises(InvalidState, match="already decided"):
        suggestion_dismiss(firing=firing, actor=bob, now=now)


def test_dismissing_a_suggestion(alice, bob, now):
    only("t3-complex")
    ticket = owned_by(ticket_opened(alice, now, tags=("complex",)), bob, now)
    [firing] = rules_evaluate_ticket(ticket_id=ticket.id, now=now)
    assert suggestion_dismiss(firing=firing, actor=bob, now=now).outcome == FiringOutcome.DISMISSED
    assert rules_evaluate_ticket(ticket_id=ticket.id, now=now) == []


def test_support_leads_edit_rules(lena, bob):
    rule = Rule.objects.get(key="t2-persists-48h")
    rule_update(rule=rule, actor=lena, mode="auto", is_active=True, value="24", also_tag="")
    rule.refresh_from_db()
    assert (rule.mode, rule.value, rule.updated_by) == ("auto", "24", lena)
    with pytest.raises(ValidationFailed, match=r"Please correct: value\."):
        rule_update(rule=rule, actor=lena, mode="auto", is_active=True, value="soon", also_tag="")
    with pytest.raises(PermissionDenied, match="Only support leads edit escalation rules"):
        rule_update(rule=rule, actor=bob, mode="suggest", is_active=True, value="24", also_tag="")


@threaded_db_test
def test_concurrent_sweeps_fire_each_rule_once(alice, bob, now):
    Rule.objects.update(is_active=False)  # ticket events evaluate after each commit here
    tickets = [
        owned_by(ticket_opened(alice, now, priority="P1", tags=("complex",)), bob, now)
        for _ in range(20)
    ]
    for ticket in tickets[:10]:
        escalation_checklist_save(ticket=ticket, actor=bob, checklist=checklist())
    Rule.objects.filter(key__in=["t3-complex", "t3-p1"]).update(is_active=True)
    barrier = threading.Barrier(3)
    errors: list[BaseException] = []

    def sweep():
        try:
            barrier.wait()
            rules_sweep(now=now, batch_size=7)
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
    assert Firing.objects.filter(rule__key="t3-p1").count() == 20
    assert Firing.objects.filter(rule__key="t3-complex").count() == 10  # moot once at Tier 3
    assert Firing.objects.filter(outcome=FiringOutcome.APPLIED).count() == 10
    assert TicketEvent.objects.filter(action="escalated_by_rule").count() == 10
    assert TicketEvent.objects.filter(field="status", new_value="escalated").count() == 10


def test_a_long_sweep_resumes_where_it_stopped(alice, bob, now):
    only("t3-complex")
    tickets = [ticket_opened(alice, now, tags=("complex",)) for _ in range(5)]
    first = rules_sweep(now=now, batch_size=2, max_batches=1)
    assert (first.made, first.resume_after) == (2, tickets[1].id)
    second = rules_sweep(now=now, batch_size=2, max_batches=5, after=first.resume_after)
    assert (second.made, second.resume_after) == (3, 0)
    assert Firing.objects.count() == 5


def test_an_automatic_notice_is_not_the_first_response(acme, alice, bob, now):
    only("t3-p1")
    acme.named_engineer = bob  # owner from the start, without answering
    acme.save(update_fields=["named_engineer"])
    ticket = ticket_opened(alice, now, priority="P1")
    escalation_checklist_save(ticket=ticket, actor=bob, checklist=checklist())
    [firing] = rules_evaluate_ticket(ticket_id=ticket.id, now=now)
    assert firing.outcome == FiringOutcome.APPLIED
    ticket.refresh_from_db()
    assert ticket.owner == bob
    assert ticket.first_response_at is None
