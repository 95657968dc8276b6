"""An agent in Los Angeles opens a ticket: one timeline, replies and changes in time order, and
every time in Pacific time, from the browser's own zone."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_sees_one_timeline_in_their_browsers_zone(
    chromium, live_server, alice, ted, lena, now
):
    hour = timedelta(hours=1)
    ticket = ticket_opened(alice, now, subject="C2 down", description="Nothing since 9am.")
    message_add(ticket=ticket, author=ted, body="Send the session log, please.", now=now + hour)
    ticket_update(
        ticket=ticket, actor=ted, changes=TicketChanges(priority="P2"), now=now + 2 * hour
    )
    message_add(
        ticket=ticket, author=lena, body="Token expiry?", is_internal=True, now=now + 3 * hour
    )
    message_add(ticket=ticket, author=alice, body="Log attached.", now=now + 4 * hour)

    context = chromium.new_context(timezone_id="America/Los_Angeles")
    page = context.new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")

    kinds = page.eval_on_selector_all(".timeline > li", "items => items.map(i => i.dataset.kind)")
    assert kinds[0] == "description"
    assert kinds.index("reply") < kinds.index("note") < len(kinds) - 1
    first_reply, note = kinds.index("reply"), kinds.index("note")
    assert "event" in kinds[first_reply:note]  # changes sit between the messages
    priority = page.locator(".tl-event", has_text="changed priority")
    assert "P3 · Medium" in priority.inner_text()
    assert "2026-11-24 04:00 PST" in priority.inner_text()  # 12:00 UTC

    reply = page.locator(".timeline .message", has_text="Send the session log")
    assert "2026-11-24 03:00 PST" in reply.locator(".meta").inner_text()  # 11:00 UTC
    internal = page.locator(".timeline .message.internal")
    assert "Internal note" in internal.inner_text()
    assert "UTC" not in page.inner_text(".timeline")
    assert page.locator("h2", has_text="History").count() == 0
    context.close()


@pytest.mark.parametrize("width", [1440, 390])
def test_the_sidebar_sits_beside_the_timeline_on_a_desktop_and_below_it_on_a_phone(
    chromium, live_server, alice, ted, now, width
):
    ticket = ticket_opened(alice, now, subject="A subject long enough to wrap " * 3)
    message_add(ticket=ticket, author=ted, body="x" * 300, now=now)  # one unbroken word
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    sign_in(page, live_server.url, ted.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")

    main = page.locator(".ticket-main").bounding_box()
    side = page.locator(".ticket-side").bounding_box()
    assert main is not None
    assert side is not None
    if width >= 1000:
        assert side["x"] > main["x"] + main["width"] - 1  # beside
    else:
        assert side["y"] >= main["y"] + main["height"] - 1  # below
    assert page.evaluate("document.documentElement.scrollWidth") <= width  # no sideways scroll
    # The properties form comes first in the sidebar, then the requester.
    headings = page.locator(".ticket-side h2").all_inner_texts()
    assert headings[:5] == ["Properties", "Followers", "Requester", "CC", "SLA"]
    context.close()
