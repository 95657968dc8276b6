"""The ticket page keeps up while it is open: who else is there and what they are doing, news
of a message that arrived (shown without losing the draft), and a timer that ticks."""

from __future__ import annotations

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WITHIN = 10_000  # ms: presence beats every 5 s


def test_a_second_agent_sees_who_is_viewing_and_replying(chromium, live_server, alice, ted, bob):
    ticket = ticket_opened(alice, timezone.now(), subject="C2 down")
    url = f"{live_server.url}/desk/tickets/{ticket.id}/"
    teds = chromium.new_context().new_page()
    bobs = chromium.new_context().new_page()
    sign_in(teds, live_server.url, ted.email)
    sign_in(bobs, live_server.url, bob.email)
    teds.goto(url)
    bobs.goto(url)
    expect(bobs.locator(".presence-person")).to_have_text(
        f"{ted.display_name} is viewing", timeout=WITHIN
    )
    teds.locator("textarea[name=body]").press_sequentially("Looking at the hub log")
    expect(bobs.locator(".presence-person")).to_have_text(
        f"{ted.display_name} is replying", timeout=WITHIN
    )
    expect(teds.locator(".presence-person")).to_have_text(
        f"{bob.display_name} is viewing", timeout=WITHIN
    )

    # Alice writes while Ted's draft is open: he is told, and showing it keeps his draft.
    message_add(ticket=ticket, author=alice, body="C2 is back?", now=timezone.now())
    news = teds.locator(".presence-news")
    expect(news).to_contain_text("A new message from Alice arrived.", timeout=WITHIN)
    news.locator("a[data-show-news]").click()
    expect(teds.locator(".timeline")).to_contain_text("C2 is back?")
    assert teds.input_value("textarea[name=body]") == "Looking at the hub log"
    expect(teds.locator(".draft-note")).to_have_text("Your unsent draft was kept.")


def test_the_running_timer_ticks(chromium, live_server, alice, ted):
    ticket = ticket_opened(alice, timezone.now(), subject="C2 down")
    page = chromium.new_context().new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    page.click("button:has-text('Start timer')")
    clock = page.locator(".timer-clock")
    expect(clock).to_have_text(re.compile(r"^0:00:0\d$"))
    first = clock.text_content()
    expect(clock).not_to_have_text(first or "", timeout=3_000)
    assert (clock.text_content() or "") > (first or "")  # h:mm:ss compares as it counts
