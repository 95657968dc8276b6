"""An agent works the queue in a real browser: views, filters from the form, pages, counts that
refresh in place, and a phone-sized screen."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def subjects(page) -> list[str]:
    return page.locator("table.queue td.subject a").all_inner_texts()


def test_an_agent_filters_pages_and_switches_views(chromium, live_server, alice, charlie, ted):
    now = timezone.now()
    for i in range(55):
        ticket_opened(alice, now - timedelta(minutes=i), subject=f"Hub stuck {i}", priority="P2")
    ticket_opened(alice, now, subject="Hub stuck but low", priority="P4")
    ticket_opened(charlie, now, subject="Invoice question", priority="P2")
    mine = ticket_opened(charlie, now, subject="The one I answered", priority="P3")
    message_add(ticket=mine, author=ted, body="On it.", now=now)
    context = chromium.new_context(viewport={"width": 1440, "height": 900})
    page = context.new_page()
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/")
    page.wait_for_selector("h1:has-text('All unsolved')")

    page.fill("#queue-filters input[name=q]", "hub")
    page.click("details.dropdown summary:has-text('Priority')")
    page.check("input[name=priority][value=P2]")
    page.click("button:has-text('Apply')")
    page.wait_for_selector("text=1–50 of 55")
    assert "Priority 1" in page.inner_text("details.dropdown:has(input[name=priority])")
    assert all(s.startswith("Hub stuck ") for s in subjects(page))
    assert "Hub stuck but low" not in subjects(page)

    page.click("a[rel=next]")
    page.wait_for_selector("text=51–55 of 55")
    assert len(subjects(page)) == 5
    assert page.input_value("#queue-filters input[name=q]") == "hub"
    page.click("a[rel=prev]")
    page.wait_for_selector("text=1–50 of 55")

    page.click(".view-list a:has-text('My unsolved')")
    page.wait_for_selector("h1:has-text('My unsolved')")
    assert subjects(page) == ["The one I answered"]
    assert page.inner_text("[aria-current=page] .count") == "1"
    assert not [text for text in console if "Content Security Policy" in text]


def test_view_counts_refresh_without_reloading(chromium, live_server, alice, ted):
    page = chromium.new_context().new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/")
    assert page.inner_text("[data-view-count=unsolved]") == "0"
    page.evaluate("window.__sameDocument = true")

    ticket_opened(alice, timezone.now(), subject="Arrived while I looked")
    cache.clear()  # the counts' half-minute cache
    page.evaluate("document.body.dispatchEvent(new Event('refresh-counts'))")
    # (Polling through the locator: the page's CSP forbids wait_for_function's eval.)
    expect(page.locator("[data-view-count=unsolved]")).to_have_text("1")
    assert page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded


def test_the_queue_fits_a_phone(chromium, live_server, alice, ted):
    for i in range(8):
        ticket_opened(alice, timezone.now(), subject=f"A rather long subject line number {i} here")
    page = chromium.new_context(viewport={"width": 390, "height": 844}).new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/")
    page.wait_for_selector("table.queue td.subject")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The top bar folds into a menu; the filters fold behind one line until asked for.
    assert not page.is_visible("#top-nav a:has-text('Knowledge base')")
    page.click("[data-menu-toggle]")
    assert page.is_visible("#top-nav a:has-text('Knowledge base')")
    assert not page.is_visible("#queue-filters input[name=q]")
    page.click("details.filter-panel > summary")
    assert page.is_visible("#queue-filters input[name=q]")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_an_agent_changes_tickets_in_bulk_with_the_keyboard(chromium, live_server, alice, ted):
    now = timezone.now()
    for i in range(3):
        ticket_opened(alice, now - timedelta(minutes=i), subject=f"Row {i}", priority="P3")
    page = chromium.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/?sort=oldest")
    assert not page.is_visible("#bulk-form")  # nothing ticked yet

    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("x")
    page.keyboard.press("j")
    page.keyboard.press("x")
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    page.select_option("#bulk-form select[name=priority]", "P1")
    page.click("button:has-text('Apply to selected')")
    page.wait_for_selector("text=Updated 2 tickets.")
    rows = dict(
        zip(
            subjects(page),
            page.locator("table.queue tbody td.prio-cell").all_inner_texts(),
            strict=True,
        )
    )
    assert rows == {"Row 0": "P1", "Row 1": "P1", "Row 2": "P3"}

    page.locator("h1").click()
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    page.wait_for_url("**/desk/tickets/**")
    assert "Row 0" in page.inner_text("h1")

    page.locator("h1").click()
    page.keyboard.press("/")
    page.keyboard.type("Row 2")
    page.keyboard.press("Enter")
    page.wait_for_selector("h1:has-text('Search')")
    # the best match first (a ticket numbered 2 matches the words too)
    expect(page.locator(".search-hit-title").first).to_contain_text("Row 2")
    page.locator("h1").click()
    page.keyboard.press("?")
    assert page.is_visible("dialog#shortcuts")


def test_an_agent_saves_a_view_and_opens_it_later(chromium, live_server, alice, ted):
    now = timezone.now()
    ticket_opened(alice, now, subject="Critical hub", priority="P1")
    ticket_opened(alice, now, subject="Low report", priority="P4")
    page = chromium.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/")
    page.click("details.dropdown summary:has-text('Priority')")
    page.check("input[name=priority][value=P1]")
    page.click("button:has-text('Apply')")
    page.wait_for_selector("text=1–1 of 1")
    page.click("details.save-view > summary")
    page.fill("details.save-view input[name=name]", "Critical only")
    page.click("button:has-text('Save view')")
    page.wait_for_selector("h1:has-text('Critical only')")
    assert subjects(page) == ["Critical hub"]

    page.click(".view-list a:has-text('All unsolved')")
    page.wait_for_selector("text=1–2 of 2")
    saved = page.locator(".view-list a:has-text('Critical only')")
    assert saved.locator(".count").inner_text() == "1"
    saved.click()
    page.wait_for_selector("h1:has-text('Critical only')")
    assert subjects(page) == ["Critical hub"]
    assert page.get_attribute(".view-list a:has-text('Critical only')", "aria-current") == "page"


def test_an_agent_merges_two_duplicates_from_the_queue(chromium, live_server, alice, carol, ted):
    now = timezone.now()
    first = ticket_opened(alice, now - timedelta(hours=1), subject="C1 silent since noon")
    ticket_opened(carol, now, subject="Our coordinator stopped")
    page = chromium.new_context(viewport={"width": 1440, "height": 900}).new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/?sort=oldest")
    page.check("[data-select-page]")
    expect(page.locator("[data-selected-count]")).to_have_text("2")
    page.click("button:has-text('Merge…')")
    page.wait_for_selector("h1:has-text('Merge 2 tickets')")
    assert page.is_checked(f"input[name=target][value='{first.id}']")
    page.click("button:has-text('Merge')")
    page.wait_for_selector(f"text=into #{first.id}.")
    assert "C1 silent since noon" in page.inner_text("h1")
    assert "Our coordinator stopped" in page.inner_text("main")  # the description, as a note
    page.goto(f"{live_server.url}/desk/")
    assert subjects(page) == ["C1 silent since noon"]
