from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from lifebuoy.accounts.models import Queue, User
from lifebuoy.core.errors import InvalidState, PayloadTooLarge, PermissionDenied, ValidationFailed
from lifebuoy.tickets.models import Attachment, Message, Status, Ticket, TicketEvent
from lifebuoy.tickets.services import (
    NewTicket,
    TicketChanges,
    message_add,
    ticket_autoclose_sweep,
    ticket_confirm_resolved,
    ticket_create,
    ticket_escalate_to,
    ticket_update,
)

from .factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_a_customer_ticket_lands_in_their_tiers_queue_with_an_audit_entry(alice, now):
    ticket = ticket_opened(alice, now, priority="P2")
    assert ticket.organization == alice.organization
    assert ticket.status == Status.NEW
    assert ticket.queue == Queue.objects.get(slug="tier-2")
    assert ticket.subject_token == f"[Ticket #{ticket.id}]"
    assert list(ticket.events.values_list("action", flat=True)) == ["created"]


def test_premium_tickets_go_to_the_dedicated_queue_and_named_engineer_first(charlie, bob, now):
    org = charlie.organization
    org.named_engineer = bob
    org.save(update_fields=["named_engineer"])
    ticket = ticket_opened(charlie, now)
    assert ticket.queue == Queue.objects.get(organization=org)
    assert ticket.assignee == bob
    assert ticket.owner == bob


def test_it_reports_every_invalid_field_at_once(alice, now):
    with pytest.raises(ValidationFailed) as err:
        ticket_create(
            actor=alice,
            data=NewTicket(subject=" ", description="", priority="P9", category="nope"),
            now=now,
        )
    assert set(err.value.extra["fields"]) == {"subject", "description", "priority", "category"}
    assert Ticket.objects.count() == 0


def test_a_customer_cannot_file_for_someone_else(alice, carol, now):
    with pytest.raises(PermissionDenied, match="Customers file tickets for themselves only"):
        ticket_create(actor=alice, requester=carol, data=NewTicket("s", "d"), now=now)


def test_staff_file_on_behalf_of_a_customer(alice, ted, now):
    ticket = ticket_create(
        actor=ted, requester=alice, data=NewTicket("Call", "urgent", channel="phone"), now=now
    )
    assert ticket.requester == alice
    assert ticket.events.get().actor == ted


def test_first_public_agent_reply_opens_the_ticket_and_takes_ownership(alice, ted, now):
    ticket = ticket_opened(alice, now)
    message_add(ticket=ticket, author=ted, body="looking", is_internal=True, now=now)
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW
    assert ticket.first_response_at is None
    later = now + timedelta(minutes=5)
    message_add(ticket=ticket, author=ted, body="On it", now=later)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.first_response_at, ticket.owner) == (Status.OPEN, later, ted)


def test_customers_cannot_write_internal_notes(alice, now):
    ticket = ticket_opened(alice, now)
    with pytest.raises(PermissionDenied, match="Only support staff can write internal notes"):
        message_add(ticket=ticket, author=alice, body="x", is_internal=True, now=now)


def test_customer_reply_to_a_resolved_ticket_reopens_it(alice, ted, now):
    ticket = ticket_opened(alice, now)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    message_add(ticket=ticket, author=alice, body="Broken again", now=now + timedelta(hours=1))
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN
    assert ticket.reopen_count == 1
    assert ticket.resolved_at is None


def test_customer_reply_while_pending_puts_the_ticket_back_to_open(alice, ted, now):
    ticket = ticket_opened(alice, now)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="pending"), now=now)
    message_add(ticket=ticket, author=alice, body="Here are the logs", now=now)
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


@override_settings(LIFEBUOY_REOPEN_DAYS=14)
def test_a_closed_ticket_takes_no_customer_reply_after_the_reopening_window(alice, now):
    ticket = ticket_opened(alice, now)
    for _ in range(2):  # resolved by the customer's word, closed by their confirmation
        ticket_confirm_resolved(ticket=ticket, actor=alice, now=now)
    late = now + timedelta(days=14, seconds=1)
    with pytest.raises(InvalidState, match="can no longer be reopened; please open a new ticket"):
        message_add(ticket=ticket, author=alice, body="one more thing", now=late)


def test_closing_needs_a_resolved_ticket(alice, ted, now):
    ticket = ticket_opened(alice, now)
    with pytest.raises(InvalidState, match="A new ticket cannot become closed") as err:
        ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="closed"), now=now)
    assert "closed" not in err.value.extra["allowed"]


def test_every_change_is_audited_with_old_and_new_values(alice, ted, bob, now):
    ticket = ticket_opened(alice, now)
    ticket_update(
        ticket=ticket,
        actor=ted,
        now=now,
        changes=TicketChanges(
            priority="P1", category="git_conflicts", assignee_id=bob.id, tags=("Urgent", "hub")
        ),
    )
    changes = {
        e.field: (e.old_value, e.new_value, e.actor)
        for e in TicketEvent.objects.filter(ticket=ticket, action="changed")
    }
    assert changes["priority"] == ("P3", "P1", ted)
    assert changes["category"] == ("bug", "git_conflicts", ted)
    assert changes["assignee"][1] == str(bob)
    assert changes["tags"] == ("", "hub,urgent", ted)


def test_customers_cannot_change_tickets(alice, now):
    ticket = ticket_opened(alice, now)
    with pytest.raises(PermissionDenied, match="Only support staff can change a ticket"):
        ticket_update(ticket=ticket, actor=alice, changes=TicketChanges(priority="P1"), now=now)


def test_assigning_to_a_customer_is_rejected(alice, carol, ted, now):
    ticket = ticket_opened(alice, now)
    with pytest.raises(ValidationFailed) as err:
        ticket_update(
            ticket=ticket, actor=ted, changes=TicketChanges(assignee_id=carol.id), now=now
        )
    assert "assignee_id" in err.value.extra["fields"]


@override_settings(LIFEBUOY_MAX_ATTACHMENT_BYTES=10)
def test_an_oversized_attachment_is_refused_and_nothing_is_saved(alice, now):
    ticket = ticket_opened(alice, now)
    big = SimpleUploadedFile("dump.log", b"x" * 11, content_type="text/plain")
    with pytest.raises(PayloadTooLarge, match="the limit is"):
        message_add(ticket=ticket, author=alice, body="see log", files=[big], now=now)
    assert Message.objects.count() == 0
    assert Attachment.objects.count() == 0


def test_attachments_are_stored_with_their_metadata(alice, now):
    ticket = ticket_opened(alice, now)
    log = SimpleUploadedFile("git.log", b"commit abc", content_type="text/plain")
    message = message_add(ticket=ticket, author=alice, body="", files=[log], now=now)
    attachment = message.attachments.get()
    assert (attachment.filename, attachment.size) == ("git.log", 10)
    assert attachment.file.read() == b"commit abc"


def _tags_and_attributes(html: str) -> list[tuple[str, dict[str, str | None]]]:
    from html.parser import HTMLParser

    found: list[tuple[str, dict[str, str | None]]] = []

    class Collector(HTMLParser):
        def handle_starttag(self, tag, attrs):
            found.append((tag, dict(attrs)))

    Collector().feed(html)
    return found


@pytest.mark.parametrize(
    "body",
    [
        "<script>alert(1)</script>",
        "[x](javascript:alert(1))",
        "<img src=x onerror=alert(1)>",
        "<a href='javascript:alert(1)'>y</a>",
        "[y](JaVaScRiPt:alert(1))",
        "<svg onload=alert(1)>",
    ],
)
def test_stored_script_injection_is_neutralised(alice, ted, now, body):
    ticket = ticket_opened(alice, now)
    message = message_add(ticket=ticket, author=ted, now=now, body=body + " **ok**")
    elements = _tags_and_attributes(message.body_html)
    assert {tag for tag, _ in elements} <= {"p", "strong", "a"}
    for _, attrs in elements:
        assert not any(name.startswith("on") for name in attrs)
        assert not (attrs.get("href") or "").lower().startswith("javascript")
    assert "<strong>ok</strong>" in message.body_html


def test_customer_confirmation_closes_the_ticket(alice, ted, now):
    ticket = ticket_opened(alice, now)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    ticket = ticket_confirm_resolved(ticket=ticket, actor=alice, now=now + timedelta(hours=1))
    assert ticket.status == Status.CLOSED
    assert ticket.resolved_at == now
    assert ticket.closed_at == now + timedelta(hours=1)


def test_the_customers_word_resolves_an_unfinished_ticket_without_closing_it(alice, ted, now):
    ticket = ticket_opened(alice, now)
    ticket_escalate_to(ticket=ticket, actor=ted, queue=None, assignee=None, now=now)
    ticket = ticket_confirm_resolved(ticket=ticket, actor=alice, now=now + timedelta(hours=1))
    assert ticket.status == Status.RESOLVED  # not closed: the desk sees it and may reopen it
    assert ticket.closed_at is None
    event = ticket.events.filter(field="status").order_by("-id").first()
    assert event is not None
    assert (event.actor, event.new_value) == (alice, Status.RESOLVED)
    reopened = ticket_update(
        ticket=ticket, actor=ted, changes=TicketChanges(status="open"), now=now + timedelta(hours=2)
    )
    assert reopened.status == Status.OPEN
    # A member of staff recording the customer's confirmation closes it at once.
    closed = ticket_confirm_resolved(ticket=reopened, actor=ted, now=now + timedelta(hours=3))
    assert closed.status == Status.CLOSED


def test_quiet_resolved_tickets_close_once_even_when_swept_twice(alice, ted, now):
    quiet, recent = ticket_opened(alice, now), ticket_opened(alice, now)
    for t in (quiet, recent):
        ticket_update(ticket=t, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    Ticket.objects.filter(id=recent.id).update(last_activity_at=now + timedelta(days=6))
    later = now + timedelta(days=7, minutes=1)
    assert ticket_autoclose_sweep(now=later, quiet_days=7) == 1
    assert ticket_autoclose_sweep(now=later, quiet_days=7) == 0
    quiet.refresh_from_db()
    recent.refresh_from_db()
    assert (quiet.status, recent.status) == (Status.CLOSED, Status.RESOLVED)
    assert TicketEvent.objects.filter(ticket=quiet, action="closed_automatically").count() == 1


def test_inactive_users_cannot_see_tickets(alice, now):
    from lifebuoy.tickets.selectors import ticket_visible

    ticket_opened(alice, now)
    User.objects.filter(id=alice.id).update(is_active=False)
    alice.refresh_from_db()
    assert not ticket_visible(user=alice).exists()
