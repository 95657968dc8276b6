"""Searching in a real browser: the desk's search box and page (grouped results, the passage
that matched, ``#123`` opening the ticket, a phone's width) and the portal's search, where an
internal note's words find nothing."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def conversation(alice, bob):
    now = timezone.now()
    ticket = ticket_opened(alice, now, subject="Consolidation stalls every night")
    message_add(ticket=ticket, author=bob, body="Please rotate the hub's ledger file.", now=now)
    message_add(
        ticket=ticket,
        author=bob,
        body="Their ledger is the flamingo build.",
        is_internal=True,
        now=now,
    )
    ticket_opened(alice, now, subject="Invoice for October")
    return ticket


def test_an_agent_searches_from_any_desk_page(chromium, live_server, ted, conversation):
    page = chromium.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/")
    page.fill("#desk-search", "ledger")
    page.press("#desk-search", "Enter")
    expect(page.locator("h1")).to_have_text("Search")
    hits = page.locator(".search-hit")
    expect(hits).to_have_count(1)
    expect(hits.first.locator(".search-hit-title")).to_contain_text("Consolidation stalls")
    expect(hits.first.locator(".search-snippet mark").first).to_have_text(
        re.compile("ledger", re.I)
    )
    expect(page.locator("#found-orgs")).to_be_visible()

    page.fill("#search-q", "flamingo")  # staff read internal notes
    page.click(".search-page-form button")
    expect(page.locator(".search-hit")).to_have_count(1)

    page.fill("#search-q", f"#{conversation.id}")
    page.click(".search-page-form button")
    expect(page).to_have_url(re.compile(rf"/desk/tickets/{conversation.id}/$"))

    phone = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(phone, live_server.url, ted.email)
    phone.goto(f"{live_server.url}/desk/search/?q=ledger")
    expect(phone.locator(".search-hit")).to_have_count(1)
    width = phone.evaluate("document.documentElement.scrollWidth")
    assert width <= 390


def test_a_customer_searches_their_tickets_but_never_internal_notes(
    chromium, live_server, alice, conversation
):
    page = chromium.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(page, live_server.url, alice.email)
    expect(page.locator("h1")).to_have_text("Your tickets")
    page.fill("input[name=q]", "ledger")
    page.click(".portal-search button")
    expect(page.locator("table.portal-tickets tbody tr")).to_have_count(1)
    expect(page.locator(".search-snippet")).to_contain_text("rotate the hub")
    expect(page.locator(".search-snippet")).not_to_contain_text("flamingo")

    page.fill("input[name=q]", "flamingo")
    page.click(".portal-search button")
    expect(page.locator("table.portal-tickets tbody")).to_contain_text("No ticket matches.")
