"""Following a ticket (staff) and CC'ing customers on it."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.template import Context, Template

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import PermissionDenied, ValidationFailed
from lifebuoy.notifications.models import (
    Delivery,
    Notification,
    NotificationKind,
    TicketCc,
    TicketFollower,
)
from lifebuoy.notifications.services.outbox import notifications_on_message_added
from lifebuoy.notifications.staff.following import ticket_cc_add, ticket_follow
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, now):
    return ticket_opened(alice, now, subject="C2 down")


def test_staff_follow_and_unfollow_through_the_api(api, ticket, bob, grace):
    client = api(bob)
    url = f"/api/notifications/tickets/{ticket.id}/follow"
    assert client.post(url).json()["following"] is True
    api(grace).post(url)
    followed = client.post(url).json()  # twice is still once
    assert [p["name"] for p in followed["followers"]] == ["Bob", "Grace"]
    assert TicketFollower.objects.filter(ticket=ticket, user=bob).count() == 1
    left = client.delete(url).json()
    assert (left["following"], [p["name"] for p in left["followers"]]) == (False, ["Grace"])


def test_customers_cannot_follow_even_their_own_ticket(api, client, ticket, alice, charlie):
    url = f"/api/notifications/tickets/{ticket.id}/follow"
    assert api(alice).post(url).status_code == HTTPStatus.FORBIDDEN
    assert api(charlie).post(url).status_code == HTTPStatus.NOT_FOUND
    client.force_login(alice)
    page = client.post(f"/desk/notifications/tickets/{ticket.id}/follow/", {"follow": "on"})
    assert page.status_code == HTTPStatus.FORBIDDEN
    assert not TicketFollower.objects.exists()


def test_the_follow_button_toggles_and_names_the_followers(client, ticket, bob, ted, now):
    ticket_follow(ticket=ticket, user=ted, now=now)
    client.force_login(bob)
    url = f"/desk/notifications/tickets/{ticket.id}/follow/"
    answer = client.post(url, {"follow": "on"})
    assert answer["Location"] == f"/desk/tickets/{ticket.id}/"
    template = Template("{% load notifications_tags %}{% follow_button ticket %}")
    html = template.render(Context({"ticket": ticket, "user": bob}))
    assert "Unfollow" in html
    assert "Followed by Bob, Ted." in html
    client.post(url, {"follow": ""})
    html = template.render(Context({"ticket": ticket, "user": bob}))
    assert ">Follow<" in html
    assert "Followed by Ted." in html


def test_a_customer_of_another_organization_cannot_be_ccd(ticket, ted, charlie, now):
    with pytest.raises(ValidationFailed) as refused:
        ticket_cc_add(ticket=ticket, actor=ted, email=charlie.email, now=now)
    assert refused.value.extra["fields"] == {
        "email": "Only customers of Acme can be CC'd on this ticket."
    }
    assert not TicketCc.objects.exists()


@pytest.mark.parametrize(
    ("who", "problem"),
    [
        ("bob@lifebuoy.test", "Enter the email address of an active customer."),
        ("nobody@acme.example", "Enter the email address of an active customer."),
        ("gone@acme.example", "Enter the email address of an active customer."),
        ("alice@acme.example", "Alice requested this ticket and gets its replies already."),
    ],
)
def test_only_active_customers_other_than_the_requester_can_be_ccd(
    ticket, ted, bob, acme, who, problem, now
):
    gone = User.objects.create_user(
        "gone@acme.example", "pw-for-tests-1", role=Role.CUSTOMER, organization=acme
    )
    gone.is_active = False
    gone.save(update_fields=["is_active"])
    with pytest.raises(ValidationFailed) as refused:
        ticket_cc_add(ticket=ticket, actor=ted, email=who, now=now)
    assert refused.value.extra["fields"] == {"email": problem}


def test_customers_cc_colleagues_only_on_their_own_organizations_tickets(
    ticket, alice, carol, charlie, now
):
    with pytest.raises(PermissionDenied):
        ticket_cc_add(ticket=ticket, actor=charlie, email=carol.email, now=now)
    with pytest.raises(ValidationFailed) as refused:
        ticket_cc_add(ticket=ticket, actor=alice, email=charlie.email, now=now)
    # A customer is not told whether an address outside their organization has an account.
    assert refused.value.extra["fields"] == {"email": "Choose a colleague at Acme."}
    assert ticket_cc_add(ticket=ticket, actor=alice, email=carol.email, now=now) == [carol]


def test_a_ccd_customer_gets_public_staff_replies_only_and_each_once(
    ticket, alice, carol, ted, now
):
    assert [
        u.email
        for u in ticket_cc_add(ticket=ticket, actor=ted, email="CAROL@acme.example", now=now)
    ] == [carol.email]
    ticket_cc_add(ticket=ticket, actor=ted, email=carol.email, now=now)  # twice is once
    message_add(ticket=ticket, author=ted, body="Secret: check the hub", is_internal=True, now=now)
    message_add(ticket=ticket, author=alice, body="Any news?", now=now)
    reply = message_add(ticket=ticket, author=ted, body="Restart C2, please.", now=now)
    notifications_on_message_added(message=reply, now=now)  # handled again: still once
    to_carol = Delivery.objects.filter(target=carol.email)
    assert [d.idempotency_key for d in to_carol] == [f"email:message:{reply.id}:cc:{carol.id}"]
    assert "Restart C2, please." in to_carol.get().payload["text"]
    assert Delivery.objects.filter(
        target=alice.email, idempotency_key=f"email:message:{reply.id}"
    ).exists()
    assert "Secret" not in str(list(Delivery.objects.values_list("payload", flat=True)))


def test_staff_add_and_remove_ccs_from_the_ticket_page_and_the_api(
    client, api, ticket, carol, charlie, ted
):
    client.force_login(ted)
    client.post(f"/desk/notifications/tickets/{ticket.id}/cc/", {"email": carol.email})
    assert TicketCc.objects.filter(ticket=ticket, user=carol).exists()
    refused = client.post(
        f"/desk/notifications/tickets/{ticket.id}/cc/", {"email": charlie.email}, follow=True
    )
    assert "Only customers of Acme can be CC&#x27;d on this ticket." in refused.content.decode()
    html = Template("{% load notifications_tags %}{% cc_panel ticket %}").render(
        Context({"ticket": ticket})
    )
    assert carol.email in html
    client.post(f"/desk/notifications/tickets/{ticket.id}/cc/{carol.id}/remove/")
    assert not TicketCc.objects.exists()
    answer = api(ted).post(
        f"/api/notifications/tickets/{ticket.id}/ccs",
        {"email": charlie.email},
        content_type="application/json",
    )
    assert answer.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert answer.json()["extra"]["fields"]["email"].startswith("Only customers of Acme")
    added = api(ted).post(
        f"/api/notifications/tickets/{ticket.id}/ccs",
        {"email": carol.email},
        content_type="application/json",
    )
    assert [p["id"] for p in added.json()] == [carol.id]
    removed = api(ted).delete(f"/api/notifications/tickets/{ticket.id}/ccs/{carol.id}")
    assert removed.json() == []


def test_a_customers_reply_notifies_the_active_followers_only(ticket, alice, bob, ted, now):
    ticket_follow(ticket=ticket, user=ted, now=now)
    ticket_follow(ticket=ticket, user=bob, now=now)
    User.objects.filter(id=bob.id).update(is_active=False)
    message_add(ticket=ticket, author=alice, body="Still down.", now=now)
    notified = Notification.objects.filter(ticket=ticket, kind=NotificationKind.CUSTOMER_REPLIED)
    assert [n.recipient_id for n in notified] == [ted.id]
