"""/api/escalations/: staff get everything, customers their ticket's public status only, and
another organization's customer a 404 on every endpoint."""

from __future__ import annotations

import json
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.utils import timezone

from lifebuoy.escalations.models import (
    EmergencyContact,
    EscalationPolicy,
    Firing,
    FiringOutcome,
    LayerMember,
    Page,
    PageStatus,
    PolicyLevel,
    Rule,
    Schedule,
    ScheduleLayer,
)
from lifebuoy.escalations.services.oncall import page_trigger_for_ticket
from lifebuoy.escalations.services.rules import rules_evaluate_ticket
from lifebuoy.tickets.models import Status
from lifebuoy.tickets.tests.factories import ticket_opened

from .helpers import checklist, owned_by

pytestmark = pytest.mark.django_db
BASE = "/api/escalations"


def call(client, method, path, body=None):
    kwargs = {"content_type": "application/json"}
    if body is not None:
        kwargs["data"] = json.dumps(body)
    return getattr(client, method)(f"{BASE}{path}", **kwargs)


@pytest.fixture
def ticket(alice, bob):
    now = timezone.now()
    return owned_by(ticket_opened(alice, now), bob, now)


def test_staff_escalate_and_see_everything(api, ticket, bob):
    client = api(bob)
    refused = call(client, "post", f"/tickets/{ticket.id}/escalate", {"checklist": {}})
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    body = refused.json()
    assert body["code"] == "checklist_incomplete"
    assert [m["item"] for m in body["extra"]["missing"]][:2] == [
        "problem_description",
        "steps_to_reproduce",
    ]
    done = call(
        client,
        "post",
        f"/tickets/{ticket.id}/escalate",
        {"checklist": checklist(), "reason": "Internal: C3 logs look corrupted"},
    )
    assert done.status_code == HTTPStatus.OK, done.content
    data = done.json()
    assert (data["level"], data["level_label"], data["status"]) == (3, "Tier 3", "escalated")
    assert data["missing"] == []
    assert data["steps"][0]["reason"] == "Internal: C3 logs look corrupted"
    listed = call(client, "get", "/").json()
    assert [row["ticket_id"] for row in listed] == [ticket.id]


def test_the_customer_sees_only_the_public_status(api, ticket, alice, bob):
    call(api(bob), "post", f"/tickets/{ticket.id}/escalate", {"checklist": checklist()})
    data = call(api(alice), "get", f"/tickets/{ticket.id}").json()
    assert set(data) == {
        "ticket_id",
        "ticket_number",
        "status",
        "level",
        "level_label",
        "escalated_at",
        "update_due_at",
    }
    assert "documented" not in json.dumps(data)


def test_customers_cannot_escalate_or_document(api, ticket, alice):
    client = api(alice)
    escalate = call(client, "post", f"/tickets/{ticket.id}/escalate", {"checklist": checklist()})
    assert escalate.status_code == HTTPStatus.FORBIDDEN
    draft = call(client, "put", f"/tickets/{ticket.id}/checklist", {"checklist": checklist()})
    assert draft.status_code == HTTPStatus.FORBIDDEN


def test_the_customer_confirms_the_fix(api, ticket, alice):
    # On a ticket the desk is still working, the customer's word resolves it, reopenable...
    response = call(api(alice), "post", f"/tickets/{ticket.id}/confirm")
    assert response.status_code == HTTPStatus.OK
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED
    # ...and a confirmation of the resolved ticket closes it.
    call(api(alice), "post", f"/tickets/{ticket.id}/confirm")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED


def test_checklist_draft_and_suggestions(api, ticket, bob):
    client = api(bob)
    saved = call(client, "put", f"/tickets/{ticket.id}/checklist", {"checklist": checklist()})
    assert saved.json()["missing"] == []
    Rule.objects.exclude(key__in=["t3-complex", "eng-confirmed-bug"]).update(is_active=False)
    ticket.tags.create(name="complex")
    ticket.tags.create(name="confirmed-bug")
    rules_evaluate_ticket(ticket_id=ticket.id, now=timezone.now())
    suggestions = call(client, "get", f"/tickets/{ticket.id}").json()["suggestions"]
    by_rule = {s["rule"]: s["id"] for s in suggestions}
    dismissed = call(
        client, "post", f"/tickets/{ticket.id}/suggestions/{by_rule['t3-complex']}/dismiss"
    )
    assert dismissed.status_code == HTTPStatus.OK
    path = f"/tickets/{ticket.id}/suggestions/{by_rule['eng-confirmed-bug']}/accept"
    accepted = call(client, "post", path, {})
    assert accepted.json()["level_label"] == "Engineering"
    assert Firing.objects.get(id=by_rule["eng-confirmed-bug"]).outcome == FiringOutcome.ACCEPTED


def test_triage_over_the_api(api, alice, bob):
    training = ticket_opened(alice, timezone.now(), category="training")
    response = call(api(bob), "post", f"/tickets/{training.id}/triage", {"close": False})
    assert response.json()["status"] == Status.PENDING


@pytest.fixture
def page(charlie, grace, lena):
    schedule = Schedule.objects.create(name="Engineering")
    layer = ScheduleLayer.objects.create(
        schedule=schedule, name="Weekly", rotation_start=timezone.now() - timedelta(days=1)
    )
    LayerMember.objects.create(layer=layer, user=grace)
    policy = EscalationPolicy.objects.create(name="24/7", covered_tiers=[3, 4])
    PolicyLevel.objects.create(policy=policy, schedule=schedule, timeout_minutes=5)
    EmergencyContact.objects.create(kind="support_lead", name="Lena", email=lena.email)
    ticket = ticket_opened(charlie, timezone.now(), priority="P1")
    page = page_trigger_for_ticket(ticket_id=ticket.id, now=timezone.now())
    assert page is not None
    return page


def test_pages_oncall_and_contacts(api, page, grace):
    client = api(grace)
    pages = call(client, "get", f"/tickets/{page.ticket_id}/pages").json()
    assert [(p["id"], p["status"]) for p in pages] == [(page.id, "triggered")]
    acked = call(client, "post", f"/pages/{page.id}/ack").json()
    assert (acked["status"], acked["acknowledged_by_id"]) == ("acknowledged", grace.id)
    assert Page.objects.get(id=page.id).status == PageStatus.ACKNOWLEDGED
    oncall = call(client, "get", "/oncall").json()
    assert [(o["schedule"], o["email"]) for o in oncall] == [("Engineering", grace.email)]
    contacts = call(client, "get", "/contacts").json()
    assert contacts[0]["kind_label"] == "Support lead"


def test_leads_edit_rules_over_the_api(api, lena, bob):
    rule = Rule.objects.get(key="t3-enterprise")
    body = {"mode": "auto", "is_active": True, "value": "3", "also_tag": ""}
    assert call(api(bob), "patch", f"/rules/{rule.id}", body).status_code == HTTPStatus.FORBIDDEN
    response = call(api(lena), "patch", f"/rules/{rule.id}", body)
    assert response.json()["mode"] == "auto"
    assert len(call(api(lena), "get", "/rules").json()) == 12


def endpoints(ticket_id: int, page_id: int, firing_id: int, rule_id: int):
    t = f"/tickets/{ticket_id}"
    return [
        ("get", "/", None),
        ("get", t, None),
        ("post", f"{t}/escalate", {"checklist": checklist()}),
        ("put", f"{t}/checklist", {"checklist": checklist()}),
        ("post", f"{t}/suggestions/{firing_id}/accept", {}),
        ("post", f"{t}/suggestions/{firing_id}/dismiss", None),
        ("post", f"{t}/triage", {"close": True}),
        ("post", f"{t}/confirm", None),
        ("get", f"{t}/pages", None),
        ("post", f"/pages/{page_id}/ack", None),
        ("get", "/oncall", None),
        ("get", "/contacts", None),
        ("get", "/rules", None),
        ("patch", f"/rules/{rule_id}", {"mode": "auto"}),
    ]


def test_charlie_gets_404_on_every_escalation_endpoint(api, alice, bob, charlie, page):
    now = timezone.now()
    acme_ticket = owned_by(ticket_opened(alice, now, tags=("complex",)), bob, now)
    Rule.objects.exclude(key="t3-complex").update(is_active=False)
    [firing] = rules_evaluate_ticket(ticket_id=acme_ticket.id, now=now)
    client = api(charlie)
    for method, path, body in endpoints(acme_ticket.id, page.id, firing.id, firing.rule_id):
        response = call(client, method, path, body)
        assert response.status_code == HTTPStatus.NOT_FOUND, (method, path, response.content)
    acme_ticket.refresh_from_db()
    assert acme_ticket.status == Status.OPEN
    assert Page.objects.get(id=page.id).status == PageStatus.TRIGGERED


@pytest.mark.parametrize("path", ["/", "/oncall", "/contacts", "/rules"])
def test_staff_only_endpoints_are_404_for_customers(api, alice, path):
    assert call(api(alice), "get", path).status_code == HTTPStatus.NOT_FOUND


def test_a_customer_cannot_see_pages_of_their_own_ticket(api, page, charlie):
    assert call(api(charlie), "get", f"/tickets/{page.ticket_id}/pages").status_code == 404
    assert call(api(charlie), "post", f"/pages/{page.id}/ack").status_code == 404


def test_the_escalation_confirm_is_a_documented_alias_of_the_ticket_confirm(api):
    from config.api import api as ninja_api

    schema = ninja_api.get_openapi_schema()
    alias = schema["paths"]["/api/escalations/tickets/{ticket_id}/confirm"]["post"]
    assert alias.get("deprecated") is True
    assert "confirm-resolved" in alias["description"]
    assert "post" in schema["paths"]["/api/tickets/{ticket_id}/confirm-resolved"]
