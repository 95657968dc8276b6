"""The portal's ticket pages: search, who handles a ticket and its targets, resolving and
reopening, follow-ups, CC'ing colleagues, and refusals shown per field."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.test import override_settings

from lifebuoy.notifications.models import Delivery, TicketCc
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == HTTPStatus.OK, response.status_code
    return response.content.decode()


def test_search_finds_words_of_public_replies_never_of_internal_notes(client, alice, bob, now):
    ticket = ticket_opened(alice, now, subject="Consolidation slow")
    message_add(ticket=ticket, author=bob, body="Try the gc first.", now=now)
    message_add(ticket=ticket, author=bob, body="Zebra theory", is_internal=True, now=now)
    client.force_login(alice)
    found = page(client, "/portal/?q=gc")
    assert "Consolidation slow" in found
    assert "Try the <mark>gc</mark> first." in found  # the passage that matched
    assert "Zebra" not in page(client, "/portal/?q=gc+or+zebra")
    result = page(client, "/portal/?q=zebra")
    assert "Consolidation slow" not in result
    assert "No ticket matches." in result


def test_a_bad_search_is_a_field_error_not_a_server_error(client, alice):
    client.force_login(alice)
    response = client.get("/portal/", {"q": "x" * 300})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Keep the search under 200 characters." in response.content.decode()
    assert client.get("/portal/", {"show": "sideways"}).status_code == HTTPStatus.BAD_REQUEST
    assert client.get("/portal/", {"cursor": "junk"}).status_code == HTTPStatus.BAD_REQUEST


def test_the_list_shows_times_in_the_organizations_zone(client, alice, now):
    ticket_opened(alice, now, subject="Zone check")  # 10:00 UTC is 11:00 in Berlin
    client.force_login(alice)
    assert "24 Nov 2026, 11:00 CET" in page(client, "/portal/")


def test_the_ticket_names_who_handles_it_its_priority_and_target(client, alice, bob, now):
    ticket = ticket_opened(alice, now, subject="Outage", priority="P1")
    client.force_login(alice)
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        html = page(client, f"/portal/tickets/{ticket.id}/")
    assert "Our support team" in html
    assert "P1 · Critical" in html
    assert "Standard tier" in html
    assert "4 hours (24/7)" in html
    assert ">Tue 24 Nov, 15:00 CET</time>" in html  # 14:00 UTC, in Acme's zone
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(assignee_id=bob.id), now=now)
    with time_machine.travel(now + timedelta(hours=5), tick=False):
        html = page(client, f"/portal/tickets/{ticket.id}/")
    assert bob.display_name in html
    assert "missed" in html
    assert "Tue 24 Nov, 15:00 CET" not in html


def test_the_owner_is_named_before_the_assignee(client, alice, bob, ted, now):
    ticket = ticket_opened(alice, now)
    message_add(ticket=ticket, author=ted, body="On it.", now=now)  # ted becomes the owner
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(assignee_id=bob.id), now=now)
    client.force_login(alice)
    html = page(client, f"/portal/tickets/{ticket.id}/")
    assert f'<dd class="handler">{ted.display_name}</dd>' in html


def test_mark_as_resolved_explains_itself_before_anything_happens(client, alice, now):
    ticket = ticket_opened(alice, now)
    client.force_login(alice)
    html = page(client, f"/portal/tickets/{ticket.id}/")
    assert "Mark as resolved…" in html
    assert "You can reopen it for 14 days" in html
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW  # showing the page changed nothing


@override_settings(LIFEBUOY_REOPEN_DAYS=14)
def test_a_customer_reopens_within_the_window_and_replies_open_a_follow_up_after(
    client, alice, bob, now
):
    ticket = ticket_opened(alice, now, subject="C2 stuck")
    ticket_update(ticket=ticket, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    client.force_login(alice)
    with time_machine.travel(now + timedelta(days=3), tick=False):
        assert "You can reopen it until" in page(client, f"/portal/tickets/{ticket.id}/")
        client.post(f"/portal/tickets/{ticket.id}/reopen/")
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    resolved_again = now + timedelta(days=4)
    changes = TicketChanges(status="resolved")
    ticket_update(ticket=ticket, actor=bob, changes=changes, now=resolved_again)
    with time_machine.travel(resolved_again + timedelta(days=15), tick=False):
        html = page(client, f"/portal/tickets/{ticket.id}/")
        assert "your reply opens a new ticket, linked to this one" in html
        refused = client.post(f"/portal/tickets/{ticket.id}/reopen/", follow=True)
        assert "can no longer be reopened" in refused.content.decode()
        response = client.post(
            f"/portal/tickets/{ticket.id}/reply/", {"body": "It is back."}, follow=True
        )
    follow_up = Ticket.objects.get(follow_up_of=ticket)
    assert response.redirect_chain[-1][0] == f"/portal/tickets/{follow_up.id}/"
    html = response.content.decode()
    assert f"so your reply opened ticket {follow_up.number}" in html
    assert f'This ticket follows up on <a href="/portal/tickets/{ticket.id}/">' in html
    assert "Continued in" in page(client, f"/portal/tickets/{ticket.id}/")


def test_an_empty_reply_is_a_field_error(client, alice, now):
    ticket = ticket_opened(alice, now)
    client.force_login(alice)
    response = client.post(f"/portal/tickets/{ticket.id}/reply/", {"body": "  "})
    assert response.status_code == HTTPStatus.BAD_REQUEST
    assert "Write a message or attach a file." in response.content.decode()


def test_a_customer_ccs_a_colleague_who_then_gets_the_public_replies(
    client, alice, carol, bob, now
):
    ticket = ticket_opened(alice, now)
    client.force_login(alice)
    html = page(client, f"/portal/tickets/{ticket.id}/")
    assert f'<option value="{carol.email}">' in html
    client.post(f"/portal/tickets/{ticket.id}/ccs/", {"email": carol.email})
    assert TicketCc.objects.filter(ticket=ticket, user=carol, added_by=alice).exists()
    reply = message_add(ticket=ticket, author=bob, body="Fixed in 4.2.", now=now)
    message_add(ticket=ticket, author=bob, body="internal only", is_internal=True, now=now)
    to_carol = Delivery.objects.filter(target=carol.email)
    assert [d.idempotency_key for d in to_carol] == [f"email:message:{reply.id}:cc:{carol.id}"]
    client.post(f"/portal/tickets/{ticket.id}/ccs/{carol.id}/remove/")
    assert not TicketCc.objects.filter(ticket=ticket).exists()


def test_only_colleagues_can_be_ccd_and_a_bad_address_is_a_field_error(client, alice, charlie, now):
    ticket = ticket_opened(alice, now)
    client.force_login(alice)
    for email, message in (
        (charlie.email, "Choose a colleague at Acme."),
        ("nobody@nowhere.example", "Choose a colleague at Acme."),
        ("not an address", "Choose a colleague."),
        ("", "Choose a colleague to CC."),
    ):
        response = client.post(f"/portal/tickets/{ticket.id}/ccs/", {"email": email})
        assert response.status_code == HTTPStatus.BAD_REQUEST
        assert message in response.content.decode()
    assert not TicketCc.objects.exists()


def test_another_organizations_ticket_is_a_404_for_every_portal_action(client, alice, charlie, now):
    ticket = ticket_opened(alice, now)
    client.force_login(charlie)
    base = f"/portal/tickets/{ticket.id}"
    assert client.get(f"{base}/").status_code == HTTPStatus.NOT_FOUND
    for action in ("reopen/", "ccs/", f"ccs/{alice.id}/remove/", "reply/", "confirm/"):
        assert client.post(f"{base}/{action}", {"email": charlie.email}).status_code == 404
    assert not TicketCc.objects.exists()


def test_the_new_ticket_page_names_the_upload_limit_and_puts_suggestions_above_submit(
    client, alice
):
    client.force_login(alice)
    html = page(client, "/portal/tickets/new/")
    assert "Up to 10 MB per file" in html
    assert 'data-max-bytes="10485760"' in html
    assert "multiple" in html
    assert html.index('id="kb-suggestions"') < html.index("Submit ticket")
    assert "portal/attachments.js" in html
