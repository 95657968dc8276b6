"""@mentions: the grammar, whom it names, and that only internal notes notify."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from lifebuoy.accounts.models import Role, User
from lifebuoy.notifications.models import Notification, NotificationKind
from lifebuoy.notifications.staff.mentions import mention_names, mentioned_staff
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("body", "names"),
    [
        ("@bob please look", ["bob"]),
        ("cc @Bob, and @LENA.", ["bob", "lena"]),
        ('ask @"Bob  Builder" first', ["bob builder"]),
        ("(@bob.builder-)", ["bob.builder"]),
        ("mail ops@bob.example or @@bob", []),
        ("@bob and @bob again", ["bob"]),
        ("@ nobody", []),
    ],
)
def test_what_counts_as_a_mention(body, names):
    assert mention_names(body) == names


def test_a_mention_names_active_staff_by_handle_or_whole_name(bob, lena, alice, db):
    builder = User.objects.create_user(
        "b.builder@lifebuoy.test", "pw-for-tests-1", full_name="Bob Builder", role=Role.AGENT
    )
    gone = User.objects.create_user(
        "gone@lifebuoy.test", "pw-for-tests-1", full_name="Gone", role=Role.AGENT
    )
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    body = '@BOB, @"bob builder", @b.builder, @gone, @alice and @LeNa'
    assert mentioned_staff(body) == [bob, lena, builder]


def test_an_internal_note_notifies_the_people_it_mentions_but_not_its_author(
    alice, ted, bob, lena, now
):
    ticket = ticket_opened(alice, now, subject="C2 down")
    note = message_add(
        ticket=ticket,
        author=ted,
        body="@bob can you check the hub? @ted noting for myself.",
        is_internal=True,
        now=now,
    )
    notice = Notification.objects.get(kind=NotificationKind.MENTIONED)
    assert (notice.recipient, notice.actor, notice.ticket) == (bob, ted, ticket)
    assert notice.text == f"Ted mentioned you on #{ticket.id} C2 down"
    assert notice.key == f"mentioned:message:{note.id}:{bob.id}"
    assert not Notification.objects.filter(recipient__in=[ted, lena]).exists()


def test_a_mention_in_a_public_reply_notifies_nobody(alice, ted, bob, now):
    ticket = ticket_opened(alice, now)
    message_add(ticket=ticket, author=ted, body="@bob will call you.", now=now)
    assert not Notification.objects.filter(kind=NotificationKind.MENTIONED).exists()


def test_the_autocomplete_lists_active_staff_by_name_or_handle(client, ted, bob, lena, alice):
    client.force_login(ted)
    found = client.get("/api/notifications/mentions", {"q": "bo"}).json()
    assert found == [{"id": bob.id, "name": "Bob", "handle": "bob", "insert": "bob"}]
    everyone = client.get("/api/notifications/mentions").json()
    assert {p["handle"] for p in everyone} == {"bob", "lena"}  # not Ted, who is asking


def test_a_shared_handle_is_inserted_as_the_quoted_name(client, ted, bob, db):
    User.objects.create_user(
        "bob@elsewhere.test", "pw-for-tests-1", full_name="Bob Other", role=Role.ENGINEER
    )
    client.force_login(ted)
    found = client.get("/api/notifications/mentions", {"q": "bob"}).json()
    assert {p["insert"] for p in found} == {'"Bob"', '"Bob Other"'}


def test_customers_cannot_list_staff(client, alice, bob):
    client.force_login(alice)
    answer = client.get("/api/notifications/mentions", {"q": "b"})
    assert answer.status_code == HTTPStatus.FORBIDDEN
