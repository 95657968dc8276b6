"""The API's ticket answer: every field from the ticket itself, read without ninja's getter."""

from __future__ import annotations

from types import SimpleNamespace
from unittest import mock

import ninja.schema
import pytest

from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.schemas import PersonOut, TicketCreateIn, TicketOut

from .factories import ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, bob, lena, now) -> Ticket:
    opened = ticket_opened(alice, now, subject="C3 silent", tags=("monitoring", "c3"), by=bob)
    Ticket.objects.filter(id=opened.id).update(assignee=bob, owner=lena)
    return Ticket.objects.select_related("organization", "requester", "assignee", "owner").get(
        id=opened.id
    )


def test_a_ticket_answers_with_every_field_read_from_it(ticket, alice, bob, lena) -> None:
    out = TicketOut.from_orm(ticket).model_dump(by_alias=True)
    assert out == {
        "id": ticket.id,
        "number": ticket.number,
        "subject": "C3 silent",
        "description": ticket.description,
        "description_html": ticket.description_html,
        "status": ticket.status,
        "priority": ticket.priority,
        "category": ticket.category,
        "channel": ticket.channel,
        "organization_id": alice.organization_id,
        "organization": alice.organization.name,
        "requester": {"id": alice.id, "display_name": alice.display_name},
        "assignee": {"id": bob.id, "display_name": bob.display_name},
        "owner": {"id": lena.id, "display_name": lena.display_name},
        "tags": ["c3", "monitoring"],
        "deployment_url": "",
        "created_at": ticket.created_at,
        "updated_at": ticket.updated_at,
        "version": ticket.updated_at,
        "last_activity_at": ticket.last_activity_at,
        "first_response_at": None,
        "resolved_at": None,
        "closed_at": None,
    }


def test_no_attribute_getter_is_built_for_a_ticket_or_its_people(ticket) -> None:
    built = mock.Mock(side_effect=ninja.schema.DjangoGetter)
    with mock.patch("lifebuoy.core.schemas.DjangoGetter", built):
        TicketOut.from_orm(ticket)
    assert built.call_count == 0


def test_other_objects_still_go_through_ninjas_getter() -> None:
    stand_in = SimpleNamespace(id=7, display_name="Night shift")
    assert PersonOut.from_orm(stand_in).model_dump(by_alias=True) == {
        "id": 7,
        "display_name": "Night shift",
    }


def test_a_sent_object_is_validated_without_an_attribute_getter() -> None:
    built = mock.Mock(side_effect=ninja.schema.DjangoGetter)
    with mock.patch("lifebuoy.core.schemas.DjangoGetter", built):
        payload = TicketCreateIn.model_validate({"subject": "C2 down", "description": "since 9"})
    assert built.call_count == 0
    assert (payload.subject, payload.priority, payload.model_fields_set) == (
        "C2 down",
        "P3",
        {"subject", "description"},
    )
