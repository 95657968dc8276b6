"""Two agents in two browsers change one ticket: nobody's change is silently undone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_two_agents_edit_one_ticket(chromium, live_server, alice, ted, lena):
    ticket = ticket_opened(alice, timezone.now(), subject="C2 down", priority="P3")
    url = f"{live_server.url}/desk/tickets/{ticket.id}/"
    lenas = chromium.new_context().new_page()
    teds = chromium.new_context().new_page()
    sign_in(lenas, live_server.url, lena.email)
    sign_in(teds, live_server.url, ted.email)
    lenas.goto(url)
    teds.goto(url)

    lenas.select_option("select[name=priority]", "P1")
    lenas.select_option("select[name=assignee]", str(lena.id))
    lenas.click("button:has-text('Save changes')")
    lenas.wait_for_selector("text=Ticket updated.")

    # Ted never reloaded: he adds a tag only.
    teds.fill("input[name=tags]", "hub")
    teds.click("button:has-text('Save changes')")
    teds.wait_for_selector("text=Ticket updated.")
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee_id) == ("P1", lena.id)
    assert [t.name for t in ticket.tags.all()] == ["hub"]

    # Now both change the priority: Ted's stale choice is refused and kept on his screen.
    lenas.goto(url)
    teds.goto(url)
    lenas.select_option("select[name=priority]", "P2")
    lenas.click("button:has-text('Save changes')")
    lenas.wait_for_selector("text=Ticket updated.")
    teds.select_option("select[name=priority]", "P4")
    teds.click("button:has-text('Save changes')")
    teds.wait_for_selector("text=While you were editing, Lena changed priority to P2.")
    assert teds.input_value("select[name=priority]") == "P4"
    assert Ticket.objects.get(id=ticket.id).priority == "P2"
