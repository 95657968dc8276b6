"""A new ticket's priority, category and channel must be one of the known values; a refusal says
which ones are."""

from __future__ import annotations

import pytest

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.tickets.models import Category, Channel, Priority
from lifebuoy.tickets.services import NewTicket, ticket_create

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("field", "choices"),
    [("priority", Priority), ("category", Category), ("channel", Channel)],
)
def test_an_unknown_value_is_refused_naming_the_known_ones(alice, now, field, choices):
    data = NewTicket(subject="Agents offline", description="C2 silent", **{field: "P9-urgent"})
    with pytest.raises(ValidationFailed) as refused:
        ticket_create(actor=alice, data=data, now=now)
    message = refused.value.extra["fields"][field]
    assert "P9-urgent" in message
    assert all(value in message for value in choices.values)


def test_every_known_value_is_accepted(alice, now):
    for priority in Priority.values:
        data = NewTicket(subject="Agents offline", description="C2 silent", priority=priority)
        assert ticket_create(actor=alice, data=data, now=now).priority == priority
