"""Whether the desk owes the customer a reply, kept on the ticket as messages come in."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps

from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_the_customer_writing_last_marks_the_ticket_and_our_reply_clears_it(alice, ted, now):
    ticket = ticket_opened(alice, now)
    message_add(ticket=ticket, author=alice, body="Any news?", now=now)
    assert Ticket.objects.get(id=ticket.id).waiting_on_us
    message_add(ticket=ticket, author=ted, body="note", is_internal=True, now=now)
    assert Ticket.objects.get(id=ticket.id).waiting_on_us  # a note is not a reply
    message_add(ticket=ticket, author=ted, body="Rotating the key.", now=now)
    assert not Ticket.objects.get(id=ticket.id).waiting_on_us


def test_existing_tickets_are_marked_when_the_field_arrives(alice, ted, now):
    answered_back = ticket_opened(alice, now, subject="customer wrote last")
    message_add(ticket=answered_back, author=ted, body="Try this.", now=now)
    message_add(ticket=answered_back, author=alice, body="No luck.", now=now)
    answered = ticket_opened(alice, now, subject="we wrote last")
    message_add(ticket=answered, author=alice, body="Hello?", now=now)
    message_add(ticket=answered, author=ted, body="Here.", now=now)
    Ticket.objects.update(waiting_on_us=False)  # as before the migration

    migration = importlib.import_module("lifebuoy.tickets.migrations.0006_waiting_on_us")
    migration.mark_waiting(apps, None)

    waiting = Ticket.objects.filter(waiting_on_us=True).values_list("subject", flat=True)
    assert list(waiting) == ["customer wrote last"]
