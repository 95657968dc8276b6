"""Who else is on a ticket: beats kept in the cache, expiring on their own."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache

from lifebuoy.desk.presence import PRESENCE_TTL
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def at_now(now):
    cache.clear()
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller
    cache.clear()


def beat(client, ticket, state="viewing", last_message=0):
    return client.post(
        f"/desk/tickets/{ticket.id}/presence/", {"state": state, "last_message": last_message}
    )


def test_an_agent_sees_who_else_is_viewing_or_replying(client, alice, ted, bob, now):
    ticket = ticket_opened(alice, now)
    client.force_login(bob)
    assert "is viewing" not in beat(client, ticket).content.decode()  # alone: nobody shown
    client.force_login(ted)
    assert f"{bob.display_name} is viewing" in beat(client, ticket).content.decode()
    client.force_login(bob)
    assert f"{ted.display_name} is viewing" in beat(client, ticket).content.decode()
    client.force_login(ted)
    beat(client, ticket, state="replying")
    client.force_login(bob)
    assert f"{ted.display_name} is replying" in beat(client, ticket).content.decode()


def test_someone_who_left_disappears_on_their_own(client, alice, ted, bob, now, at_now):
    ticket = ticket_opened(alice, now)
    client.force_login(bob)
    beat(client, ticket)
    client.force_login(ted)
    at_now.shift(timedelta(seconds=PRESENCE_TTL - 1))
    assert bob.display_name in beat(client, ticket).content.decode()
    at_now.shift(timedelta(seconds=2))
    assert bob.display_name not in beat(client, ticket).content.decode()


def test_a_new_message_is_offered_without_reloading(client, alice, ted, now):
    ticket = ticket_opened(alice, now)
    client.force_login(ted)
    assert "new message" not in beat(client, ticket).content.decode().lower()
    message_add(ticket=ticket, author=alice, body="Any news?", now=now + timedelta(minutes=1))
    news = beat(client, ticket).content.decode()
    assert "A new message from" in news
    assert f"/desk/tickets/{ticket.id}/?news=1#latest" in news
    # The agent's own messages are not news to them.
    mine = message_add(ticket=ticket, author=ted, body="Looking", now=now + timedelta(minutes=2))
    assert "new message" not in beat(client, ticket, last_message=mine.id).content.decode()


def test_presence_is_for_staff_and_refuses_nonsense(client, alice, charlie, ted, now):
    ticket = ticket_opened(alice, now)
    client.force_login(alice)
    assert beat(client, ticket).status_code in (302, 403, 404)
    client.force_login(ted)
    refused = beat(client, ticket, state="dancing")
    assert refused.status_code == 400
    assert "viewing" in refused.content.decode()
    assert client.post("/desk/tickets/999999/presence/", {"state": "viewing"}).status_code == 404
    assert client.get(f"/desk/tickets/{ticket.id}/presence/").status_code == 405
