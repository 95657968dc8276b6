"""A new ticket's priority, category and channel must be one of the known values; a refusal says
which ones are."""

from __future__ import annotations

from dataclasses import replace

import pytest

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.tickets.models import Category, Channel, Priority
from lifebuoy.tickets.services import NewTicket, ticket_create

pytestmark = pytest.mark.django_db

UNKNOWN = "P9-urgent"
BASE = NewTicket(subject="Agents offline", description="C2 silent")
CASES: dict[str, tuple[NewTicket, type]] = {
    "priority": (replace(BASE, priority=UNKNOWN), Priority),
    "category": (replace(BASE, category=UNKNOWN), Category),
    "channel": (replace(BASE, channel=UNKNOWN), Channel),
}


@pytest.mark.parametrize("field", sorted(CASES))
def test_an_unknown_value_is_refused_naming_the_known_ones(alice, now, field):
    data, choices = CASES[field]
    with pytest.raises(ValidationFailed) as refused:
        ticket_create(actor=alice, data=data, now=now)
    message = refused.value.extra["fields"][field]
    assert UNKNOWN in message
    assert all(value in message for value in choices.values)  # type: ignore[attr-defined]  # TextChoices


def test_every_known_value_is_accepted(alice, now):
    for priority in Priority.values:
        assert (
            ticket_create(actor=alice, data=replace(BASE, priority=priority), now=now).priority
            == priority
        )
