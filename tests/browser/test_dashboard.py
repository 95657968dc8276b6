"""A support lead watches the dashboard in a real browser: the headline tiles show the desk's
numbers and follow it without a reload, keeping the filters; the page fits a phone."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from lifebuoy.accounts.models import Queue
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"
REFRESH = "document.body.dispatchEvent(new Event('refresh-dashboard'))"


@pytest.fixture
def seeded(db):
    """What the data migrations provide (an earlier transactional test may have flushed it)."""
    for tier in (2, 3):
        Queue.objects.get_or_create(
            slug=f"tier-{tier}", defaults={"name": f"Tier {tier}", "tier": tier}
        )


@pytest.fixture
def signed_in(chromium, live_server) -> Iterator[Callable[[Any, int], Any]]:
    """A page signed in as ``user`` at ``width`` px. Its context is closed after the test, so
    the tiles stop asking the live server for numbers while other tests use the database."""
    contexts = []

    def open_page(user, width: int):
        context = chromium.new_context(viewport={"width": width, "height": 900})
        contexts.append(context)
        page = context.new_page()
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", user.email)
        page.fill("input[name=password]", PASSWORD)
        page.click("button[type=submit]")
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    yield open_page
    for context in contexts:
        context.close()


def tile(page, key: str):
    return page.locator(f"[data-tile-value={key}]")


def test_the_tiles_follow_the_desk_without_a_reload(
    signed_in, live_server, seeded, alice, charlie, lena
):
    ticket_opened(alice, timezone.now(), subject="Hub stuck", priority="P2")
    page = signed_in(lena, 1440)
    console: list[str] = []
    page.on("console", lambda message: console.append(message.text))
    page.goto(f"{live_server.url}/desk/reports/dashboard/?period=7d")
    expect(tile(page, "open")).to_have_text("1")
    expect(tile(page, "resolved")).to_have_text("0")
    expect(page.locator("[data-tile=open]")).to_contain_text("1 opened today")
    assert page.is_visible("#open img[alt^='Open tickets by priority.']")
    page.evaluate("window.__sameDocument = true")

    page.focus("#tile-open")

    ticket_opened(charlie, timezone.now(), subject="Invoice question", priority="P3")
    page.evaluate(REFRESH)
    # (Polling through the locator: the page's CSP forbids wait_for_function's eval.)
    expect(tile(page, "open")).to_have_text("2")
    expect(page.locator("[data-tile=open]")).to_contain_text("2 opened today")
    assert page.evaluate("window.__sameDocument") is True  # updated in place, not reloaded
    assert page.evaluate("document.activeElement.id") == "tile-open"  # a keyboard keeps its place

    # The table behind a chart is one click away.
    assert not page.is_visible("#open table")
    page.click("#open summary:has-text('Show as table')")
    assert page.is_visible("#open td:has-text('P3 · Medium')")

    # Narrowed to one organization, the refresh keeps the filter.
    page.select_option("select[name=organization]", label="Acme")
    page.click("button:has-text('Show')")
    page.wait_for_url("**organization=*")
    expect(tile(page, "open")).to_have_text("1")
    page.evaluate("window.__sameDocument = true")
    ticket_opened(charlie, timezone.now(), subject="Another Globex question")
    ticket_opened(alice, timezone.now(), subject="Another Acme question")
    page.evaluate(REFRESH)
    expect(tile(page, "open")).to_have_text("2")
    assert page.evaluate("window.__sameDocument") is True
    assert not [text for text in console if "Content Security Policy" in text]


def test_the_filters_sit_on_one_line_on_a_wide_screen(signed_in, live_server, seeded, lena):
    page = signed_in(lena, 1280)
    page.goto(f"{live_server.url}/desk/reports/dashboard/")
    tops = page.eval_on_selector_all(
        ".dash-filters select, .dash-filters input, .dash-filters button",
        "elements => elements.map(e => Math.round(e.getBoundingClientRect().top))",
    )
    assert len(tops) == 6
    assert len(set(tops)) == 1


def test_the_dashboard_fits_a_phone(signed_in, live_server, seeded, alice, lena):
    for n in range(3):
        ticket_opened(alice, timezone.now(), subject=f"A rather long subject line number {n}")
    page = signed_in(lena, 390)
    page.goto(f"{live_server.url}/desk/reports/dashboard/?period=30d")
    expect(tile(page, "open")).to_have_text("3")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    page.click("details.dash-filter-panel > summary")
    assert page.is_visible("select[name=organization]")
    for summary in page.locator("details.as-table > summary").all():
        summary.click()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_a_refresh_after_the_session_ended_loads_the_sign_in_page(
    signed_in, live_server, seeded, lena
):
    page = signed_in(lena, 1280)
    page.goto(f"{live_server.url}/desk/reports/dashboard/")
    expect(tile(page, "open")).to_have_text("0")
    page.context.clear_cookies()
    page.evaluate(REFRESH)
    # The sign-in form comes back instead of the tiles: the page is loaded, not patched.
    page.wait_for_url("**/accounts/login/**")
    assert page.locator("#dashboard-tiles").count() == 0
