"""Who is notified of what: each kind reaches the right people and never the one who acted;
each person's choice (immediately, hourly digest, off) decides the in-desk notice and the email."""

from __future__ import annotations

from datetime import timedelta

import pytest

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.notifications.models import (
    Delivery,
    EmailChoice,
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
)
from lifebuoy.notifications.staff.digest import notification_digest_send
from lifebuoy.notifications.staff.following import ticket_follow
from lifebuoy.notifications.staff.reactions import notifications_on_sla_staff
from lifebuoy.notifications.staff.services import notification_preferences_save
from lifebuoy.notifications.staff.tasks import notification_digest_send as digest_task
from lifebuoy.sla import events as sla_events
from lifebuoy.sla.events import SlaEvent, SlaEventKind
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def kinds_of(user) -> list[str]:
    return list(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


@pytest.fixture
def worked(alice, ted, lena, now):
    """Alice's ticket, owned by Ted (he answered first) and assigned to Lena by Ted."""
    ticket = ticket_opened(alice, now, subject="C2 stopped committing")
    message_add(ticket=ticket, author=ted, body="Looking into it.", now=now)
    ticket.refresh_from_db()
    return ticket_update(
        ticket=ticket, actor=ted, changes=TicketChanges(assignee_id=lena.id), now=now
    )


def test_a_customer_reply_notifies_the_owner_the_assignee_and_followers_only(
    worked, alice, ted, lena, grace, bob, now
):
    ticket_follow(ticket=worked, user=grace, now=now)
    reply = message_add(ticket=worked, author=alice, body="Still  broken\nafter restart.", now=now)
    for person in (ted, lena, grace):
        notice = Notification.objects.get(recipient=person, kind=NotificationKind.CUSTOMER_REPLIED)
        assert notice.ticket == worked
        assert notice.actor == alice
        assert notice.text == f"Alice replied on #{worked.id} C2 stopped committing"
        assert notice.excerpt == "Still broken after restart."
        assert notice.key == f"customer_replied:message:{reply.id}:{person.id}"
    assert kinds_of(bob) == []
    assert not Notification.objects.filter(recipient=alice).exists()


def test_staff_replies_and_notes_are_not_customer_replies(worked, ted, lena, grace, now):
    ticket_follow(ticket=worked, user=grace, now=now)
    message_add(ticket=worked, author=lena, body="Tried a restart.", now=now)
    message_add(ticket=worked, author=lena, body="Checked logs.", is_internal=True, now=now)
    assert not Notification.objects.filter(kind=NotificationKind.CUSTOMER_REPLIED).exists()


def test_unverified_mail_notifies_nobody(worked, alice, ted, now):
    message_add(
        ticket=worked, author=alice, body="From a spoofed sender?", unverified=True, now=now
    )
    assert kinds_of(ted) == []


def test_an_assignment_notifies_the_new_assignee_but_not_the_one_who_assigned(
    worked, ted, lena, bob, now
):
    # The fixture: Ted assigned the ticket to Lena.
    assigned = Notification.objects.get(recipient=lena, kind=NotificationKind.ASSIGNED)
    assert assigned.actor == ted
    assert assigned.text == f"#{worked.id} C2 stopped committing was assigned to you by Ted"
    ticket_update(ticket=worked, actor=bob, changes=TicketChanges(assignee_id=bob.id), now=now)
    assert kinds_of(bob) == []  # took it himself
    assert kinds_of(ted) == []


def test_a_ticket_routed_to_its_named_engineer_notifies_them(acme, alice, grace, ted, now):
    acme.plan, acme.named_engineer = "enterprise", grace
    acme.save(update_fields=["plan", "named_engineer"])
    ticket = ticket_opened(alice, now)
    assert ticket.assignee == grace
    assert kinds_of(grace) == [NotificationKind.ASSIGNED]
    # Logged by the named engineer herself: not told of her own call.
    ticket_opened(alice, now + timedelta(minutes=1), by=grace)
    assert kinds_of(grace) == [NotificationKind.ASSIGNED]


def test_an_sla_event_notifies_owner_and_assignee_once(worked, ted, lena, bob, now):
    event = SlaEvent(
        kind=SlaEventKind.BREACHED,
        ticket_id=worked.id,
        clock_id=4242,
        clock_kind="next_response",
        due_at=now,
        occurred_at=now + timedelta(minutes=1),
    )
    notifications_on_sla_staff(event)
    notifications_on_sla_staff(event)  # the SLA events are redelivered after a lost task
    for person in (ted, lena):
        notice = Notification.objects.get(recipient=person, kind=NotificationKind.SLA)
        assert notice.text == (
            f"SLA breached: next response on #{worked.id} C2 stopped committing "
            f"(due {now:%Y-%m-%d %H:%M} UTC)"
        )
    assert kinds_of(bob) == []
    assert notifications_on_sla_staff in sla_events._subscribers


def test_immediately_queues_one_email_in_the_outbox(worked, alice, ted, now):
    message_add(ticket=worked, author=alice, body="Any news?", now=now)
    notice = Notification.objects.get(recipient=ted, kind=NotificationKind.CUSTOMER_REPLIED)
    assert notice.email_state == EmailState.QUEUED
    email = Delivery.objects.get(idempotency_key=f"email:notification:{notice.id}")
    assert email.target == ted.email
    assert email.payload["subject"] == notice.text
    assert "Any news?" in email.payload["text"]
    assert f"/desk/tickets/{worked.id}/" in email.payload["text"]
    assert email.payload["headers"] == {"Auto-Submitted": "auto-generated"}


def test_off_creates_nothing_and_sends_nothing(worked, alice, ted, now):
    notification_preferences_save(
        user=ted, choices={NotificationKind.CUSTOMER_REPLIED: EmailChoice.OFF}
    )
    message_add(ticket=worked, author=alice, body="Any news?", now=now)
    assert kinds_of(ted) == []
    assert not Delivery.objects.filter(target=ted.email).exists()


def test_the_digest_sends_one_email_for_several_and_only_once(worked, alice, ted, lena, now):
    for person in (ted, lena):
        notification_preferences_save(
            user=person, choices={NotificationKind.CUSTOMER_REPLIED: EmailChoice.DIGEST}
        )
    before = Delivery.objects.filter(target=ted.email).count()
    for minute, body in enumerate(["First", "Second", "Third"]):
        message_add(ticket=worked, author=alice, body=body, now=now + timedelta(minutes=minute))
    teds = Notification.objects.filter(recipient=ted, kind=NotificationKind.CUSTOMER_REPLIED)
    assert [n.email_state for n in teds] == [EmailState.PENDING] * 3
    assert Delivery.objects.filter(target=ted.email).count() == before  # in the desk only
    # Lena read the second one in the desk: it is not mailed to her again.
    lenas = Notification.objects.filter(recipient=lena, kind=NotificationKind.CUSTOMER_REPLIED)
    lenas.filter(excerpt="Second").update(read_at=now)

    assert notification_digest_send(now=now + timedelta(hours=1)) == 2
    digest = Delivery.objects.get(target=ted.email, idempotency_key__startswith="email:digest:")
    assert digest.payload["subject"] == "3 notifications from the desk"
    assert all(word in digest.payload["text"] for word in ("First", "Second", "Third"))
    lenas_digest = Delivery.objects.get(
        target=lena.email, idempotency_key__startswith="email:digest:"
    )
    assert "Second" not in lenas_digest.payload["text"]
    assert set(teds.values_list("email_state", flat=True)) == {EmailState.QUEUED}
    assert lenas.get(excerpt="Second").email_state == EmailState.SKIPPED
    assert notification_digest_send(now=now + timedelta(hours=2)) == 0
    assert digest_task() == 0
    assert Delivery.objects.filter(idempotency_key__startswith="email:digest:").count() == 2


def test_preferences_default_to_immediately_and_refuse_unknown_values(ted):
    choices = notification_preferences_save(user=ted, choices={"mentioned": "digest"})
    assert choices["mentioned"] == "digest"
    assert choices["assigned"] == "immediately"
    assert NotificationPreference.objects.get(user=ted).email == "digest"
    with pytest.raises(ValidationFailed) as refused:
        notification_preferences_save(user=ted, choices={"mentioned": "weekly", "nope": "off"})
    assert set(refused.value.extra["fields"]) == {"mentioned", "nope"}
