"""One escalation from Tier 2 to Engineering, in the agent's browser and the customer's."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifebuoy.accounts.models import Queue
from lifebuoy.escalations.models import CHECKLIST_ITEMS, Rule
from lifebuoy.escalations.seed import load_seed
from lifebuoy.notifications.models import MessageTemplate
from lifebuoy.notifications.seed import load_seed_templates
from lifebuoy.tickets.services import NewTicket, ticket_create
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "C3 session token leaked into logs"  # internal context, never for the customer


def fill_checklist(page, *, skip: tuple[str, ...] = ()) -> None:
    for key, label in CHECKLIST_ITEMS.items():
        if key not in skip:
            page.fill(f"textarea[name={key}]", f"{label}: {SECRET}")


@pytest.fixture
def seeded(db):
    """What the data migrations provide (an earlier transactional test may have flushed it)."""
    for name, slug, tier in (
        ("Tier 1", "tier-1", 1),
        ("Tier 2", "tier-2", 2),
        ("Tier 3", "tier-3", 3),
    ):
        Queue.objects.get_or_create(slug=slug, defaults={"name": name, "tier": tier})
    load_seed(rule_model=Rule, queue_model=Queue)
    load_seed_templates(template_model=MessageTemplate)


def test_an_escalation_climbs_from_tier_2_to_engineering(
    chromium, live_server, seeded, alice, bob, grace
):
    ticket = ticket_create(
        actor=alice,
        now=timezone.now(),
        data=NewTicket(subject="Consolidation never finishes", description="Stuck since Monday."),
    )
    base = live_server.url
    agent = chromium.new_context().new_page()
    customer = chromium.new_context().new_page()

    sign_in(agent, base, bob.email)
    agent.goto(f"{base}/desk/tickets/{ticket.id}/")
    agent.fill("textarea[name=body]", "Looking into it now.")
    agent.click("button.send")
    agent.wait_for_selector("text=Reply sent.")
    assert "Tier 2" in agent.inner_text(".escalation-level")

    # Step 1: the checklist blocks until complete, naming what is missing
    agent.click("text=Escalate…")
    fill_checklist(agent, skip=("git_commit_logs", "error_messages"))
    agent.fill("input[name=reason]", SECRET)
    agent.click("button[name=escalate]")
    agent.wait_for_selector("text=Missing: Git commit logs, Error messages.")
    agent.fill("textarea[name=git_commit_logs]", f"abc123 {SECRET}")
    agent.fill("textarea[name=error_messages]", f"fatal: {SECRET}")
    agent.fill("textarea[name=workaround]", "Restart the C2 session once an hour.")
    agent.click("button[name=escalate]")
    agent.wait_for_selector("text=Escalated to Tier 3.")
    assert "Tier 3" in agent.inner_text(".escalation-level")

    # On to Engineering, to a named engineer (the draft checklist carries over)
    agent.click("text=Escalate…")
    agent.select_option("select[name=to_level]", "4")
    agent.select_option("select[name=engineer]", str(grace.id))
    agent.click("button[name=escalate]")
    agent.wait_for_selector("text=Escalated to Engineering.")
    assert "Engineering" in agent.inner_text(".escalation-level")
    assert agent.locator(".message.internal").count() == 2
    assert "Escalated" in agent.inner_text(".ticket-line .pill[class*='status-']")

    # The Escalated view lists it with its follow-up status
    agent.click("nav >> text=Escalated")
    row = agent.inner_text("table.escalated tbody")
    assert "Consolidation never finishes" in row
    assert "Engineering" in row

    # The customer sees the notices, the number and the workaround; nothing internal
    sign_in(customer, base, alice.email)
    customer.goto(f"{base}/portal/tickets/{ticket.id}/")
    conversation = customer.inner_text(".conversation")
    assert "our Tier 3 senior support engineers" in conversation
    assert "our Engineering team" in conversation
    assert f"#{ticket.id}" in conversation
    assert "Restart the C2 session once an hour." in conversation
    assert "Escalated" in customer.inner_text(".status")
    html = customer.content()
    assert SECRET not in html
    assert "Steps to reproduce" not in html
    assert customer.locator(".message.internal").count() == 0
    assert customer.locator("#escalation").count() == 0
