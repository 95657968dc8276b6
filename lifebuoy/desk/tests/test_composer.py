"""The ticket page's composer: reply or note, send and set status, preview, presence."""

from __future__ import annotations

import pytest

from lifebuoy.tickets.models import Status
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def reply(client, ticket, **data):
    return client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": "", **data})


@pytest.mark.parametrize(
    ("then_status", "status", "said"),
    [
        ("pending", Status.PENDING, "Reply sent; the ticket is now pending customer."),
        ("resolved", Status.RESOLVED, "Reply sent; the ticket is now resolved."),
        ("", Status.OPEN, "Reply sent."),
    ],
)
def test_send_and_set_status(client, alice, bob, now, then_status, status, said):
    ticket = ticket_opened(alice, now)
    client.force_login(bob)
    response = reply(client, ticket, body="Restarted C2; watch it.", then_status=then_status)
    assert response.status_code == 302
    ticket.refresh_from_db()
    assert ticket.status == status
    assert said in client.get(response["Location"]).content.decode()
    assert ticket.messages.get().body == "Restarted C2; watch it."


def test_a_status_the_composer_does_not_offer_is_refused_and_nothing_is_sent(
    client, alice, bob, now
):
    ticket = ticket_opened(alice, now)
    client.force_login(bob)
    response = reply(client, ticket, body="Hello", then_status="closed")
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ticket.messages.exists()
    assert "Hello" in response.content.decode()  # the draft comes back


def test_the_note_tab_sends_an_internal_note(client, alice, bob, now):
    ticket = ticket_opened(alice, now)
    client.force_login(bob)
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert 'name="is_internal" value="on"' in page
    reply(client, ticket, body="Customer's key looks rotated", is_internal="on")
    reply(client, ticket, body="We are on it", is_internal="")
    notes = dict(ticket.messages.values_list("body", "is_internal"))
    assert notes == {"Customer's key looks rotated": True, "We are on it": False}


def test_the_preview_renders_markdown_and_strips_scripts(client, bob):
    client.force_login(bob)
    shown = client.post(
        "/desk/reply/preview/", {"body": "**Restarted** C2<script>alert(1)</script>"}
    ).content.decode()
    assert "<strong>Restarted</strong>" in shown
    assert "<script" not in shown


def test_the_preview_is_for_staff(client, alice):
    client.force_login(alice)
    assert client.post("/desk/reply/preview/", {"body": "x"}).status_code in (302, 403, 404)


def test_the_page_beats_for_presence_from_its_newest_message(client, alice, bob, now):
    ticket = ticket_opened(alice, now)
    client.force_login(bob)
    reply(client, ticket, body="First look")
    newest = ticket.messages.get()
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert f'hx-post="/desk/tickets/{ticket.id}/presence/"' in page
    assert f'name="last_message" value="{newest.id}"' in page
