"""The desk's search page (tickets, people, organizations, articles) and the similar tickets
on a ticket's page."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest

from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_the_page_groups_tickets_people_and_organizations(client, alice, bob, ted, now):
    ticket = ticket_opened(alice, now, subject="Hub stuck", description="Since Monday")
    message_add(ticket=ticket, author=bob, body="The acme hub needs a restart.", now=now)
    client.force_login(ted)
    response = client.get("/desk/search/", {"q": "acme"})
    assert response.status_code == HTTPStatus.OK
    html = response.content.decode()
    results = response.context["results"]
    assert [h.ticket.subject for h in results.tickets] == ["Hub stuck"]
    assert "<mark>acme</mark> hub needs a restart" in html.lower()
    assert alice in results.people  # her address is at acme
    assert [o.name for o in results.organizations] == ["Acme"]
    assert "Knowledge base" in html


def test_a_number_opens_the_ticket_and_an_unknown_one_is_searched(client, alice, ted, now):
    ticket = ticket_opened(alice, now, subject="Hub stuck")
    client.force_login(ted)
    assert client.get("/desk/search/", {"q": f"#{ticket.id}"})["Location"] == (
        f"/desk/tickets/{ticket.id}/"
    )
    missing = client.get("/desk/search/", {"q": "#99999"})
    assert missing.status_code == HTTPStatus.OK
    assert "No ticket matches." in missing.content.decode()


def test_a_bad_search_is_a_field_error(client, ted):
    client.force_login(ted)
    too_long = client.get("/desk/search/", {"q": "x" * 201})
    assert too_long.status_code == HTTPStatus.BAD_REQUEST
    assert "Keep the search under 200 characters." in too_long.content.decode()
    crowded = client.get("/desk/search/", {"q": " ".join(f"w{n}" for n in range(9))})
    assert crowded.status_code == HTTPStatus.BAD_REQUEST
    assert "Search for at most 8 words." in crowded.content.decode()


def test_customers_cannot_open_the_desk_search(client, alice):
    client.force_login(alice)
    response = client.get("/desk/search/", {"q": "hub"})
    assert response.status_code in (HTTPStatus.FORBIDDEN, HTTPStatus.FOUND)


def test_the_ticket_page_lists_similar_tickets_with_their_resolution(client, alice, bob, ted, now):
    earlier = ticket_opened(alice, now, subject="Consolidation stalls on the hub")
    message_add(ticket=earlier, author=bob, body="Cleared the stale lock file.", now=now)
    ticket_update(ticket=earlier, actor=bob, changes=TicketChanges(status="resolved"), now=now)
    current = ticket_opened(alice, now + timedelta(hours=1), subject="Hub consolidation stalls")
    client.force_login(ted)
    html = client.get(f"/desk/tickets/{current.id}/").content.decode()
    panel = html[html.index('id="similar-head"') :]
    assert f"/desk/tickets/{earlier.id}/" in panel
    assert "Cleared the stale lock file." in panel
    first = client.get(f"/desk/tickets/{earlier.id}/").content.decode()
    assert "No earlier ticket like this one." in first
