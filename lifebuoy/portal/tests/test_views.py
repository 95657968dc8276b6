"""The portal's ticket pages: filing a ticket, form errors, confirming a fix."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_a_customer_submits_a_ticket_in_the_portal_and_lands_on_it(client, alice):
    client.force_login(alice)
    response = client.post(
        "/portal/tickets/new/",
        {
            "subject": "Consolidation slow",
            "description": "**90 min** now",
            "priority": "P2",
            "category": "slow_consolidation",
            "attachments": [SimpleUploadedFile("du.txt", b"2.1G .git")],
        },
        follow=True,
    )
    ticket = Ticket.objects.get()
    assert response.redirect_chain[-1][0] == f"/portal/tickets/{ticket.id}/"
    page = response.content.decode()
    assert f"Ticket #{ticket.id} is open" in page
    assert "<strong>90 min</strong>" in page
    assert "du.txt" in page
    assert (ticket.channel, ticket.priority, ticket.requester) == ("portal", "P2", alice)


def test_portal_form_errors_are_shown_next_to_the_fields(client, alice):
    client.force_login(alice)
    response = client.post("/portal/tickets/new/", {"subject": "", "description": ""})
    assert response.status_code == HTTPStatus.OK
    assert response.context["form"].errors.keys() >= {"subject", "description"}
    assert Ticket.objects.count() == 0


def test_the_customer_confirms_the_fix_in_the_portal(client, alice, now):
    ticket = ticket_opened(alice, now, subject="C2 down", description="d")
    client.force_login(alice)
    client.post(f"/portal/tickets/{ticket.id}/confirm/")
    ticket.refresh_from_db()
    assert ticket.status == Status.RESOLVED  # the desk had not resolved it: not closed yet
    client.post(f"/portal/tickets/{ticket.id}/confirm/")
    ticket.refresh_from_db()
    assert ticket.status == Status.CLOSED
