"""Time logged by mistake can be removed: by whoever logged it, or by a support lead, and the
ticket's audit trail says so."""

from __future__ import annotations

from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.timetracking.models import TimeEntry
from lifebuoy.timetracking.services import ManualTime, time_entry_add, time_timer_start

pytestmark = pytest.mark.django_db


def logged(ticket, agent, now, minutes=30):
    data = ManualTime(minutes=minutes, worked_on=now.date(), note="call")
    return time_entry_add(ticket=ticket, agent=agent, data=data, now=now)


def desk(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_agent_removes_their_own_entry_from_the_ticket_page(ticket, ted, now):
    entry = logged(ticket, ted, now)
    page = desk(ted).get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert f"/time/{entry.id}/remove/" in page
    response = desk(ted).post(f"/desk/tickets/{ticket.id}/time/{entry.id}/remove/")
    assert response.status_code == HTTPStatus.FOUND
    assert not TimeEntry.objects.exists()
    history = desk(ted).get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "removed logged time: <em>30 min by" in history
    event = ticket.events.get(action="time_removed")
    assert (event.actor, event.old_value) == (
        ted,
        f"30 min by {ted.display_name} on {now:%Y-%m-%d}",
    )


def test_another_agent_can_neither_see_the_button_nor_remove_it(ticket, ted, bob, now):
    entry = logged(ticket, ted, now)
    page = desk(bob).get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert f"/time/{entry.id}/remove/" not in page
    desk(bob).post(f"/desk/tickets/{ticket.id}/time/{entry.id}/remove/")
    assert TimeEntry.objects.filter(id=entry.id).exists()


def test_a_lead_removes_anyones_entry_over_the_api_and_a_running_timer_is_cancelled(
    api, ticket, ted, lena, now
):
    timer = time_timer_start(ticket=ticket, agent=ted, now=now - timedelta(minutes=5))
    response = api(lena).delete(f"/api/tickets/{ticket.id}/time/entries/{timer.id}")
    assert response.status_code == HTTPStatus.NO_CONTENT
    assert not TimeEntry.objects.exists()
    assert "a running timer" in ticket.events.get(action="time_removed").old_value


def test_others_get_403_and_customers_or_wrong_tickets_404(
    api, ticket, other_ticket, ted, bob, alice, now
):
    entry = logged(ticket, ted, now)
    url = f"/api/tickets/{ticket.id}/time/entries/{entry.id}"
    assert api(bob).delete(url).status_code == HTTPStatus.FORBIDDEN
    assert api(alice).delete(url).status_code == HTTPStatus.NOT_FOUND
    wrong_ticket = f"/api/tickets/{other_ticket.id}/time/entries/{entry.id}"
    assert api(ted).delete(wrong_ticket).status_code == HTTPStatus.NOT_FOUND
    assert TimeEntry.objects.filter(id=entry.id).exists()
