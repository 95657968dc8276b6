"""Staff's read of a ticket by its planned statement gives what the ORM's query gives."""

from __future__ import annotations

import pytest
from django.db.models import Model

from lifebuoy.accounts.models import Queue, User
from lifebuoy.core.errors import NotFound
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.selectors import ticket_get_for_user
from lifebuoy.tickets.staff_read import ticket_with_relations
from lifebuoy.tickets.tests.factories import TicketFactory

pytestmark = pytest.mark.django_db

RELATIONS = ("organization", "requester", "assignee", "owner", "queue")


def _values(instance: Model | None) -> dict[str, object] | None:
    if instance is None:
        return None
    return {f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields}


def _orm(ticket_id: int) -> Ticket:
    return Ticket.objects.select_related(*RELATIONS).get(id=ticket_id)


@pytest.mark.parametrize("related", [True, False], ids=["every relation", "optional ones empty"])
def test_the_planned_read_builds_what_the_orm_builds(
    related: bool, alice: User, bob: User, lena: User, django_assert_num_queries
) -> None:
    ticket = TicketFactory(organization=alice.organization, requester=alice)
    if related:
        queue = Queue.objects.create(name="Tier 2", slug="tier-2-queue", tier=2)
        Ticket.objects.filter(id=ticket.id).update(assignee=bob, owner=lena, queue=queue)
    expected = _orm(ticket.id)
    with django_assert_num_queries(1):
        read = ticket_with_relations(ticket_id=ticket.id)
        assert read is not None
        relations = {name: _values(getattr(read, name)) for name in RELATIONS}
    assert _values(read) == _values(expected)
    assert relations == {name: _values(getattr(expected, name)) for name in RELATIONS}
    assert (relations["assignee"] is None) is not related
    assert read._state.adding is False
    assert read._state.db == "default"


@pytest.mark.parametrize("ticket_id", [0, -1, 2**63, 10**30], ids=str)
def test_no_such_ticket_is_the_same_404_for_staff(bob: User, ticket_id: int) -> None:
    assert ticket_with_relations(ticket_id=ticket_id) is None
    with pytest.raises(NotFound):
        ticket_get_for_user(user=bob, ticket_id=ticket_id)


def test_a_deactivated_staff_member_goes_through_the_ordinary_gate(alice: User, bob: User) -> None:
    ticket = TicketFactory(organization=alice.organization, requester=alice)
    assert ticket_get_for_user(user=bob, ticket_id=ticket.id).id == ticket.id
    bob.is_active = False
    with pytest.raises(NotFound):
        ticket_get_for_user(user=bob, ticket_id=ticket.id)
