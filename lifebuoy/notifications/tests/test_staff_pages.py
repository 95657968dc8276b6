"""The notification pages, the bell and the API: staff see their own notifications only, and
customers never reach any of it."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from lifebuoy.notifications.models import Notification, NotificationKind
from lifebuoy.notifications.staff.following import ticket_follow
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, now):
    return ticket_opened(alice, now, subject="C2 down")


@pytest.fixture
def two_for_bob(ticket, alice, ted, bob, now):
    """Bob follows the ticket and Ted mentions him: two unread notifications."""
    ticket_follow(ticket=ticket, user=bob, now=now)
    message_add(ticket=ticket, author=alice, body="Still down.", now=now)
    message_add(ticket=ticket, author=ted, body="@bob see above", is_internal=True, now=now)
    return list(Notification.objects.filter(recipient=bob).order_by("id"))


def test_the_bell_shows_the_unread_count_on_every_desk_page(client, two_for_bob, bob, ted):
    client.force_login(bob)
    page = client.get("/desk/escalations/").content.decode()
    assert 'id="notification-bell"' in page
    assert 'data-unread="2"' in page
    assert 'hx-trigger="every 30s"' in page
    bell = client.get("/desk/notifications/bell/").content.decode()
    assert 'data-unread="2"' in bell
    client.force_login(ted)
    assert "data-unread" not in client.get("/desk/notifications/bell/").content.decode()


def test_the_bell_stops_polling_once_signed_out(client, two_for_bob):
    assert client.get("/desk/notifications/bell/").status_code == 286


def test_the_list_is_newest_first_marks_unread_and_opening_one_reads_it(
    client, two_for_bob, ticket, bob
):
    replied, mentioned = two_for_bob
    client.force_login(bob)
    page = client.get("/desk/notifications/")
    assert [n.id for n in page.context["notifications"]] == [mentioned.id, replied.id]
    html = page.content.decode()
    assert html.count('class="notif unread"') == 2
    assert "Mark all read" in html
    opened = client.get(f"/desk/notifications/{mentioned.id}/")
    assert opened.status_code == HTTPStatus.FOUND
    assert opened["Location"] == f"/desk/tickets/{ticket.id}/"
    mentioned.refresh_from_db()
    assert mentioned.read_at is not None
    assert 'data-unread="1"' in client.get("/desk/notifications/bell/").content.decode()
    client.post("/desk/notifications/read-all/")
    assert not Notification.objects.filter(recipient=bob, read_at__isnull=True).exists()
    assert "data-unread" not in client.get("/desk/notifications/bell/").content.decode()


def test_another_persons_notification_is_not_found(client, two_for_bob, ted):
    client.force_login(ted)
    answer = client.get(f"/desk/notifications/{two_for_bob[0].id}/")
    assert answer.status_code == HTTPStatus.NOT_FOUND
    assert two_for_bob[0].read_at is None


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "/desk/notifications/"),
        ("get", "/desk/notifications/preferences/"),
        ("post", "/desk/notifications/read-all/"),
    ],
)
def test_customers_cannot_open_the_notification_pages(client, alice, method, path):
    client.force_login(alice)
    assert getattr(client, method)(path).status_code == HTTPStatus.FORBIDDEN


def test_the_api_lists_and_marks_read_for_the_signed_in_staff_member(api, two_for_bob, bob):
    replied, mentioned = two_for_bob
    client = api(bob)
    listed = client.get("/api/notifications/").json()
    assert [n["id"] for n in listed] == [mentioned.id, replied.id]
    assert listed[0]["kind"] == NotificationKind.MENTIONED
    assert listed[0]["actor"] == "Ted"
    read = client.post(f"/api/notifications/{replied.id}/read").json()
    assert read["read_at"] is not None
    assert [n["id"] for n in client.get("/api/notifications/?unread=true").json()] == [mentioned.id]
    assert client.post("/api/notifications/read-all").json() == {"marked": 1}


def test_the_api_refuses_customers_and_hides_other_peoples_notifications(
    api, two_for_bob, alice, ted
):
    theirs = two_for_bob[0].id
    customer = api(alice)
    assert customer.get("/api/notifications/").status_code == HTTPStatus.FORBIDDEN
    assert customer.post(f"/api/notifications/{theirs}/read").status_code == HTTPStatus.FORBIDDEN
    assert customer.post("/api/notifications/read-all").status_code == HTTPStatus.FORBIDDEN
    assert customer.get("/api/notifications/preferences").status_code == HTTPStatus.FORBIDDEN
    colleague = api(ted)
    assert colleague.post(f"/api/notifications/{theirs}/read").status_code == HTTPStatus.NOT_FOUND
    assert Notification.objects.get(id=theirs).read_at is None


def test_preferences_are_saved_from_the_page_and_the_api(client, api, ted):
    client.force_login(ted)
    form = client.get("/desk/notifications/preferences/")
    assert form.status_code == HTTPStatus.OK
    choices = dict.fromkeys(NotificationKind.values, "immediately")
    choices["customer_replied"] = "digest"
    client.post("/desk/notifications/preferences/", choices)
    saved = api(ted).get("/api/notifications/preferences").json()["choices"]
    assert saved["customer_replied"] == "digest"
    answer = api(ted).put(
        "/api/notifications/preferences",
        {"choices": {"mentioned": "off"}},
        content_type="application/json",
    )
    assert answer.json()["choices"]["mentioned"] == "off"
    refused = api(ted).put(
        "/api/notifications/preferences",
        {"choices": {"mentioned": "sometimes"}},
        content_type="application/json",
    )
    assert refused.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
