"""The portal's ticket pages in a real browser: reopening and the follow-up ticket after the
window, CC'ing a colleague who then gets the agent's reply, attachments dropped several at a
time, and every portal page at a phone's 390 px: no sideways scrolling and no serious
accessibility problem (axe-core)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone
from playwright.sync_api import expect

from lifebuoy.notifications.models import Delivery, TicketCc
from lifebuoy.tickets.models import Attachment, Status, Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def _customer(chromium, base: str, email: str, width: int = 1280):
    page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(page, base, email)
    expect(page.locator("h1")).to_have_text("Your tickets")
    return page


def _solved(alice, bob, *, days_ago: int, subject: str) -> Ticket:
    """A ticket bob resolved and closed ``days_ago`` days ago."""
    at = timezone.now() - timedelta(days=days_ago)
    ticket = ticket_opened(alice, at - timedelta(hours=2), subject=subject)
    for status in ("resolved", "closed"):
        ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status=status), now=at)
    return ticket


def test_a_customer_reopens_within_the_window_and_a_late_reply_opens_a_linked_ticket(
    chromium, live_server, alice, bob, settings
):
    settings.LIFEBUOY_REOPEN_DAYS = 14
    recent = _solved(alice, bob, days_ago=2, subject="Hub full again")
    old = _solved(alice, bob, days_ago=30, subject="Cost overrun in October")
    page = _customer(chromium, live_server.url, alice.email)

    page.goto(f"{live_server.url}/portal/tickets/{recent.id}/")
    expect(page.locator(".actions")).to_contain_text("You can reopen it until")
    page.click("button:has-text('Reopen ticket')")
    expect(page.locator(".flash")).to_contain_text("The ticket is open again")
    expect(page.locator(".ticket-head .status")).to_have_text("Open")
    recent.refresh_from_db()
    assert (recent.status, recent.reopen_count) == (Status.OPEN, 1)

    page.goto(f"{live_server.url}/portal/tickets/{old.id}/")
    expect(page.locator("button:has-text('Reopen ticket')")).to_have_count(0)
    expect(page.locator("#reply-effect")).to_contain_text("your reply opens a new ticket")
    page.fill("textarea[name=body]", "The overrun is back this month.")
    page.click("button:has-text('Send reply')")
    expect(page.locator(".flash")).to_contain_text("so your reply opened ticket")
    follow_up = Ticket.objects.get(follow_up_of=old)
    assert page.url.endswith(f"/portal/tickets/{follow_up.id}/")
    expect(page.locator(".link-note")).to_contain_text(f"follows up on {old.number}")
    expect(page.locator(".conversation")).to_contain_text("The overrun is back this month.")
    old.refresh_from_db()
    assert old.status == Status.CLOSED

    page.click(f".link-note a:has-text('{old.number}')")
    expect(page.locator(".link-note")).to_contain_text(f"Continued in {follow_up.number}")


def test_a_ccd_colleague_gets_the_agents_public_reply_by_email(
    chromium, live_server, alice, carol, bob
):
    ticket = ticket_opened(alice, timezone.now(), subject="C2 stopped committing")
    page = _customer(chromium, live_server.url, alice.email)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.id}/")
    page.select_option("#cc-email", carol.email)
    page.click(".cc-add button:has-text('CC')")
    expect(page.locator(".flash")).to_contain_text(f"{carol.email} is CC'd")
    expect(page.locator(".cc-list")).to_contain_text(carol.display_name)
    assert TicketCc.objects.filter(ticket=ticket, user=carol).exists()

    agent = chromium.new_context().new_page()
    sign_in(agent, live_server.url, bob.email)
    agent.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    agent.fill("textarea[name=body]", "Restart C2 with the new token, please.")
    agent.click("button.send")
    expect(agent.locator("text=Reply sent.")).to_be_visible()

    reply = ticket.messages.get(author=bob)
    to_carol = Delivery.objects.get(target=carol.email)
    assert to_carol.idempotency_key == f"email:message:{reply.id}:cc:{carol.id}"
    assert "Restart C2 with the new token" in to_carol.payload["text"]


def test_attachments_are_dropped_several_at_once_checked_against_the_limit_and_uploaded(
    chromium, live_server, alice, settings
):
    settings.LIFEBUOY_MAX_ATTACHMENT_BYTES = 1024 * 1024
    ticket = ticket_opened(alice, timezone.now(), subject="Logs attached")
    page = _customer(chromium, live_server.url, alice.email)
    page.goto(f"{live_server.url}/portal/tickets/{ticket.id}/")
    zone = page.locator(".attach")
    expect(zone).to_contain_text("Up to 1 MB per file")

    files = [("session.log", "x" * 2048), ("too-big.bin", "y" * (1024 * 1024 + 1))]
    dropped = page.evaluate_handle(
        """(files) => {
            const transfer = new DataTransfer();
            for (const [name, text] of files) transfer.items.add(new File([text], name));
            return transfer;
        }""",
        files,
    )
    zone.dispatch_event("drop", {"dataTransfer": dropped})
    expect(page.locator(".attach-list li")).to_have_count(2)
    expect(page.locator(".attach-list li.too-large")).to_contain_text("too-big.bin")
    expect(page.locator(".attach-status")).to_contain_text("each file may be at most 1 MB")
    page.click("button:has-text('Send reply')")
    expect(page.locator(".attach-status")).to_contain_text("Remove it to send")
    assert not Attachment.objects.exists()  # refused before anything was sent

    page.click("button[aria-label='Remove too-big.bin']")
    page.set_input_files(
        "input[type=file]",
        files=[{"name": "notes.txt", "mimeType": "text/plain", "buffer": b"see the log"}],
    )
    expect(page.locator(".attach-list li")).to_have_count(2)
    expect(page.locator(".attach-status")).to_have_text("2 files ready to send.")
    page.click("button:has-text('Send reply')")
    expect(page.locator(".flash")).to_contain_text("Reply sent.")
    expect(page.locator(".conversation")).to_contain_text("session.log")
    expect(page.locator(".conversation")).to_contain_text("notes.txt")
    assert sorted(Attachment.objects.values_list("filename", flat=True)) == [
        "notes.txt",
        "session.log",
    ]


def _portal_pages(alice, bob) -> list[str]:
    now = timezone.now()
    open_ticket = ticket_opened(alice, now - timedelta(hours=3), subject="C2 stopped committing")
    message_add(ticket=open_ticket, author=bob, body="Please send `git log -5`.", now=now)
    solved = _solved(alice, bob, days_ago=30, subject="An old and very long subject " * 4)
    return [
        "/portal/",
        "/portal/?show=all",
        "/portal/?q=committing",
        "/portal/?q=" + "x" * 250,  # a refused search, with its field error
        "/portal/tickets/new/",
        f"/portal/tickets/{open_ticket.id}/",
        f"/portal/tickets/{solved.id}/",
        "/portal/kb/",
        "/portal/webhooks/",
        "/portal/monitoring/",
    ]


def test_every_portal_page_fits_a_phone_without_sideways_scrolling(
    chromium, live_server, alice, bob
):
    paths = _portal_pages(alice, bob)
    page = _customer(chromium, live_server.url, alice.email, width=390)
    wide = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        expect(page.locator("main")).to_be_visible()
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}
    page.goto(f"{live_server.url}/portal/?show=all")
    expect(page.locator("table.portal-tickets thead")).to_be_hidden()  # rows are cards


@pytest.mark.parametrize("width", [1440, 390])
def test_every_portal_page_has_no_serious_accessibility_problem(
    chromium, live_server, alice, bob, width
):
    paths = _portal_pages(alice, bob)
    page = _customer(chromium, live_server.url, alice.email, width=width)
    found = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        results = Axe().run(page)
        assert results.response["testEngine"]["name"] == "axe-core"
        found[path] = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
            for v in results.response["violations"]
            if v["impact"] in SERIOUS
        ]
    assert {path: issues for path, issues in found.items() if issues} == {}
