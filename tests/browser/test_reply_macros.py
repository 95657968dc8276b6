"""An agent starts a reply from a template in the browser, edits it and sends it."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifebuoy.accounts.models import Queue
from lifebuoy.notifications.models import Delivery, MessageTemplate
from lifebuoy.notifications.seed import load_seed_templates
from lifebuoy.tickets.services import NewTicket, ticket_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def seeded(db):
    """What the data migrations provide (an earlier transactional test may have flushed it)."""
    Queue.objects.get_or_create(slug="tier-2", defaults={"name": "Tier 2", "tier": 2})
    load_seed_templates(template_model=MessageTemplate)


def test_an_agent_inserts_a_template_edits_it_and_the_customer_is_emailed(
    chromium, live_server, seeded, alice, bob
):
    ticket = ticket_create(
        actor=alice,
        now=timezone.now(),
        data=NewTicket(subject="C2 stopped committing", description="Since 9am."),
    )
    page = chromium.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", bob.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")

    page.wait_for_selector(".macro-picker:not([hidden])")
    page.select_option("#macro-key", "status_update")
    page.click("#macro-insert")
    page.wait_for_selector("text=Inserted; fill in the [bracketed] parts.")
    body = page.input_value("textarea[name=body]")
    assert body.startswith("Hello Alice,")
    assert f"#{ticket.id}" in body
    assert "[diagnosis]" in body

    # Sent with blanks left, it is refused and the draft stays.
    page.fill("textarea[name=body]", body.replace("[diagnosis]", "C2's API key expired"))
    page.click("button:has-text('Send')")
    page.wait_for_selector("text=Fill in or remove [timeline] before sending")
    draft = page.input_value("textarea[name=body]")
    assert "C2's API key expired" in draft
    filled = draft.replace("[timeline]", "today")
    page.fill("textarea[name=body]", filled)
    page.click("button:has-text('Send')")
    page.wait_for_selector("text=Reply sent.")
    reply = Delivery.objects.filter(kind="email", target=alice.email).order_by("id").last()
    assert reply is not None
    assert "C2's API key expired" in reply.payload["text"]
    assert reply.payload["subject"] == f"Re: [Ticket #{ticket.id}] C2 stopped committing"
