"""The desk's pages: the queue, the ticket page, logging a call."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.cache import cache

from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import AuditEntry, ticket_audit_record
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_the_queue_filters_by_priority_and_text(client, alice, ted, now):
    for subject, prio in [("Hub placeholder", "P1"), ("Invoice", "P4"), ("Hub slow", "P4")]:
        ticket_opened(alice, now, subject=subject, description="d", priority=prio)
    client.force_login(ted)
    page = client.get("/desk/", {"priority": "P4", "q": "hub"}).content.decode()
    assert "Hub slow" in page
    assert "Hub placeholder" not in page
    assert "Invoice" not in page


def test_the_queue_pages_with_a_next_link(client, alice, ted, now):
    for i in range(55):
        ticket_opened(alice, now, subject=f"Ticket number {i}", description="d")
    client.force_login(ted)
    first = client.get("/desk/")
    assert first.context["page"].next_cursor
    second = client.get("/desk/", {"cursor": first.context["page"].next_cursor})
    assert len(first.context["page"].items) == 50
    assert len(second.context["page"].items) == 5


def test_an_agent_replies_and_notes_from_the_ticket_page(client, alice, ted, now):
    ticket = ticket_opened(alice, now, subject="C2 down", description="d")
    client.force_login(ted)
    client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": "Restart the session"})
    client.post(
        f"/desk/tickets/{ticket.id}/reply/", {"body": "hunch: expired", "is_internal": "on"}
    )
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "Restart the session" in page
    assert "Internal note" in page
    ticket.refresh_from_db()
    assert ticket.status == Status.OPEN


def test_an_agent_changes_status_and_sees_it_in_the_history(client, alice, ted, now):
    ticket = ticket_opened(alice, now, subject="C2 down", description="d")
    client.force_login(ted)
    client.post(
        f"/desk/tickets/{ticket.id}/update/",
        {"status": "pending", "priority": "P2", "category": "bug", "assignee": ted.id, "tags": "x"},
    )
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority, ticket.assignee) == ("pending", "P2", ted)
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "changed status" in page


def test_staff_log_a_phone_call_for_a_customer(client, alice, ted):
    client.force_login(ted)
    response = client.post(
        "/desk/tickets/new/",
        {
            "requester_email": "alice@acme.example",
            "channel": "phone",
            "subject": "Outage",
            "description": "All agents down",
            "priority": "P1",
            "category": "agent_not_responding",
        },
    )
    ticket = Ticket.objects.get()
    assert response.status_code == HTTPStatus.FOUND
    assert (ticket.requester, ticket.channel) == (alice, "phone")


def test_the_queue_filters_by_organization(client, alice, charlie, ted, now):
    ticket_opened(alice, now, subject="Acme problem", description="d")
    ticket_opened(charlie, now, subject="Globex problem", description="d")
    client.force_login(ted)
    page = client.get("/desk/", {"organization": charlie.organization_id}).content.decode()
    assert "Globex problem" in page
    assert "Acme problem" not in page


def test_the_queue_shows_the_nearest_deadline_first_by_default(client, alice, ted, now):
    ticket_opened(alice, now, subject="Urgent outage", description="d", priority="P1")
    ticket_opened(alice, now, subject="Low question", description="d", priority="P4")
    client.force_login(ted)
    subjects = [t.subject for t in client.get("/desk/").context["page"].items]
    assert subjects == ["Urgent outage", "Low question"]


def test_logging_a_call_for_an_unknown_or_staff_address_is_a_field_error(client, ted):
    client.force_login(ted)
    for email in ("nobody@nowhere.example", "ted@lifebuoy.test"):
        response = client.post(
            "/desk/tickets/new/",
            {
                "requester_email": email,
                "channel": "phone",
                "subject": "Outage",
                "description": "down",
                "priority": "P1",
                "category": "bug",
            },
        )
        assert "requester_email" in response.context["form"].errors
    assert not Ticket.objects.exists()


def _queue_queries(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    cache.clear()  # the view counts' cache: count them every time
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == HTTPStatus.OK
    return len(queries)


@pytest.mark.parametrize(
    "url", ["/desk/", "/desk/?sort=priority&status=new", "/desk/?assignee=none&sort=activity"]
)
def test_the_queue_costs_the_same_queries_for_5_or_50_tickets(client, alice, ted, now, url):
    """Each row's organization, people, tags and SLA state come with the page, not per row."""
    client.force_login(ted)
    for n in range(5):
        ticket_opened(alice, now, subject=f"C{n} stuck", description="since 9")
    few = _queue_queries(client, url)
    for n in range(45):
        ticket_opened(alice, now, subject=f"D{n} stuck", description="since 10")
    many = _queue_queries(client, url)
    assert many == few
    # 9 of them count the built-in views (cached for half a minute), 1 the bell's unread count
    assert many <= 21


def test_the_ticket_page_reads_as_words(client, alice, ted, now):
    ticket = ticket_opened(alice, now, subject="C2 down", priority="P1")
    client.force_login(ted)
    client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": "Looking now."})
    client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": "hunch", "is_internal": "on"})
    ticket_audit_record(
        entries=[AuditEntry(ticket.id, "escalation_suggested", field="rule", new="p1-quiet")],
        now=now,
    )
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    # The reply and the note stand in the timeline themselves, not as "reply added".
    assert "Looking now." in page
    assert "hunch" in page
    assert "escalation suggested (rule: <em>p1-quiet</em>)" in page
    assert "escalation_suggested" not in page
    assert "replyadded" not in page
    assert "noteadded" not in page
    assert "((" not in page
    assert "))" not in page
    assert "[ok]" not in page
    assert "[goal]" not in page


def test_a_reply_with_unfilled_placeholders_is_not_sent_and_names_them(client, alice, ted, now):
    ticket = ticket_opened(alice, now, subject="C2 down")
    client.force_login(ted)
    body = "Hello Alice,\n\nWhat we found: [diagnosis]\nNext: [next_steps]\nLogs said [INFO] ok."
    response = client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": body})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Fill in or remove [diagnosis], [next_steps] before sending" in page
    assert response.context["reply_form"]["body"].value() == body  # the draft is kept
    assert not ticket.messages.exists()

    # An internal note may keep them; a filled reply goes out.
    client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": body, "is_internal": "on"})
    filled = body.replace("[diagnosis]", "an expired token").replace("[next_steps]", "rotate it")
    assert client.post(f"/desk/tickets/{ticket.id}/reply/", {"body": filled}).status_code == 302
    assert ticket.messages.filter(is_internal=False).count() == 1
