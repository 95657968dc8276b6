from __future__ import annotations

import pytest
import time_machine

from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


def test_the_customer_sees_when_to_expect_an_answer_and_nothing_internal(client, alice, now):
    ticket = ticket_opened(alice, now, subject="Outage", description="All down", priority="P1")
    client.force_login(alice)
    with time_machine.travel(now, tick=False):  # before the deadline
        page = client.get(f"/portal/tickets/{ticket.id}/").content.decode()
    assert "Our response targets" in page
    assert "<strong>First response</strong>: 4 hours" in page
    # Created 10:00 UTC, P1 runs around the clock: 14:00 UTC, shown in Acme's zone (Berlin).
    assert ">Tue 24 Nov, 15:00 CET</time>" in page
    assert "minutes used" not in page  # the explanation is for staff
