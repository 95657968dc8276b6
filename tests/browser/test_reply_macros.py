"""An agent starts a reply from a macro in the browser: a playbook template whose blanks must
be filled before it can go out, and a macro of their own that also changes the ticket."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifebuoy.accounts.models import Queue
from lifebuoy.macros.models import Macro
from lifebuoy.macros.seed import load_playbook_macros
from lifebuoy.notifications.models import Delivery, MessageTemplate
from lifebuoy.notifications.seed import load_seed_templates
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import NewTicket, ticket_create

from .signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def seeded(db):
    """What the data migrations provide (an earlier transactional test may have flushed it)."""
    Queue.objects.get_or_create(slug="tier-2", defaults={"name": "Tier 2", "tier": 2})
    load_seed_templates(template_model=MessageTemplate)
    load_playbook_macros(template_model=MessageTemplate, macro_model=Macro)


@pytest.fixture
def ticket(seeded, alice) -> Ticket:
    return ticket_create(
        actor=alice,
        now=timezone.now(),
        data=NewTicket(subject="C2 stopped committing", description="Since 9am."),
    )


def choose_macro(page, name: str) -> None:
    page.wait_for_selector(".macros-picker:not([hidden])")
    page.fill("#macros-search", name.split(maxsplit=1)[0])
    page.click(f"#macros-results button:has-text('{name}')")


def test_a_playbook_macro_cannot_go_out_with_its_blanks(chromium, live_server, ticket, alice, bob):
    page = chromium.new_context().new_page()
    sign_in(page, live_server.url, bob.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    choose_macro(page, "Status update")
    page.wait_for_selector("text=fill in the [bracketed] parts.")
    body = page.input_value("textarea[name=body]")
    assert body.startswith("Hello Alice,")
    assert f"#{ticket.id}" in body
    assert "[diagnosis]" in body

    # Sent with blanks left, it is refused, naming them, and the draft stays.
    page.fill("textarea[name=body]", body.replace("[diagnosis]", "C2's API key expired"))
    page.click("button.send")
    page.wait_for_selector("text=Fill in or remove [timeline] before sending")
    draft = page.input_value("textarea[name=body]")
    assert "C2's API key expired" in draft
    assert not any("API key" in d.payload.get("text", "") for d in Delivery.objects.all())

    page.fill("textarea[name=body]", draft.replace("[timeline]", "today"))
    page.click("button.send")
    page.wait_for_selector("text=Reply sent.")
    reply = Delivery.objects.filter(kind="email", target=alice.email).order_by("id").last()
    assert reply is not None
    assert "C2's API key expired" in reply.payload["text"]
    assert reply.payload["subject"] == f"Re: [Ticket #{ticket.id}] C2 stopped committing"


def test_a_macro_that_sets_fields_changes_the_ticket_when_the_reply_is_sent(
    chromium, live_server, ticket, alice, bob
):
    Macro.objects.create(
        name="Fixed upstream",
        body="Hello {customer_name}, the fix is live; tell us if C2 stalls again.",
        owner=bob,
        set_status="resolved",
        set_priority="P2",
        add_tags=["fixed-upstream"],
        created_by=bob,
    )
    page = chromium.new_context().new_page()
    sign_in(page, live_server.url, bob.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    choose_macro(page, "Fixed upstream")
    page.wait_for_selector("text=Sending will also:")
    assert page.input_value("textarea[name=body]").startswith("Hello Alice, the fix is live")
    page.click("button.send")
    page.wait_for_selector("text=Reply sent.")
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("resolved", "P2")
    assert [t.name for t in ticket.tags.all()] == ["fixed-upstream"]
    assert ticket.messages.get().body.startswith("Hello Alice, the fix is live")


def test_a_search_answering_late_leaves_the_chosen_macro_in_place(
    chromium, live_server, ticket, bob
):
    """The agent picks from the list already shown while their typed search is still on its
    way: the late answer must not list the macros again over the chosen one's hint."""
    page = chromium.new_context().new_page()
    sign_in(page, live_server.url, bob.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    held = []

    def hold(route) -> None:  # Playwright wants a Python function, not a bound builtin
        held.append(route)

    page.route(lambda url: "q=Status" in url, hold)
    page.click("#macros-search")  # lists every macro
    page.click("#macros-results button:has-text('Status update')", trial=True)
    page.type("#macros-search", "Status")
    for _ in range(100):  # the typed search leaves after its 200 ms pause, and is held
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the typed search never left"
    page.click("#macros-results button:has-text('Status update')")
    page.wait_for_selector("text=fill in the [bracketed] parts.")
    held[0].continue_()
    page.wait_for_load_state("networkidle")
    page.wait_for_timeout(300)
    assert page.is_visible("text=fill in the [bracketed] parts.")
    assert page.is_hidden("#macros-results")
    assert page.input_value("textarea[name=body]").startswith("Hello Alice,")
