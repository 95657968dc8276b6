"""An agent mentions a colleague in an internal note with the @ autocomplete; the colleague sees
the bell's count and the notification, and has an email waiting in the outbox."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifebuoy.notifications.models import Delivery, Notification, NotificationKind
from lifebuoy.tickets.models import Message
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_mention_picked_from_the_autocomplete_notifies_the_colleague(
    chromium, live_server, alice, ted, bob, lena
):
    ticket = ticket_opened(alice, timezone.now(), subject="C2 stopped committing")
    teds = chromium.new_context().new_page()
    sign_in(teds, live_server.url, ted.email)
    teds.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    teds.click("label:has-text('Internal note')")  # the composer's note tab
    box = teds.locator("textarea[name=body]")
    box.click()
    box.press_sequentially("Could you look at the hub logs, @bo")
    option = teds.locator(".mention-list [role=option]", has_text="Bob")
    option.wait_for()
    assert teds.locator(".mention-list [role=option]").count() == 1
    box.press("Enter")
    box.press_sequentially("? Thanks.")
    assert box.input_value() == "Could you look at the hub logs, @bob ? Thanks."
    teds.click("button.send")
    teds.wait_for_selector("text=Note added.")
    note = Message.objects.get(ticket=ticket, is_internal=True)
    assert "@bob" in note.body

    bobs = chromium.new_context().new_page()
    sign_in(bobs, live_server.url, bob.email)
    bobs.goto(f"{live_server.url}/desk/escalations/")  # any desk page has the bell
    assert bobs.locator("#notification-bell .bell-count").inner_text() == "1"
    bobs.click("#notification-bell")
    entry = bobs.locator(".notif.unread .notif-link")
    assert entry.inner_text().endswith(f"Ted mentioned you on #{ticket.id} C2 stopped committing")
    entry.click()
    bobs.wait_for_url(f"**/desk/tickets/{ticket.id}/")
    assert bobs.locator("#notification-bell .bell-count").count() == 0
    assert Notification.objects.get(recipient=bob).read_at is not None
    assert not Notification.objects.filter(recipient__in=[ted, lena]).exists()

    notice = Notification.objects.get(recipient=bob, kind=NotificationKind.MENTIONED)
    email = Delivery.objects.get(idempotency_key=f"email:notification:{notice.id}")
    assert email.target == bob.email
    assert "Could you look at the hub logs" in email.payload["text"]
