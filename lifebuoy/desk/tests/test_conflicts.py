"""Two agents on one ticket: a stale form never undoes the other's change."""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db


@dataclass
class TwoAgents:
    """Lena and Ted, each with the ticket page loaded before either saves."""

    ticket: Ticket
    lenas: Client
    teds: Client
    lena_form: dict[str, str]
    ted_form: dict[str, str]


@pytest.fixture
def both(alice, ted, lena, now) -> TwoAgents:
    ticket = ticket_opened(alice, now, subject="C2 down", priority="P3")
    lenas, teds = Client(), Client()
    lenas.force_login(lena)
    teds.force_login(ted)
    forms = (form_as_loaded(lenas, ticket), form_as_loaded(teds, ticket))
    return TwoAgents(ticket, lenas, teds, *forms)


def form_as_loaded(client: Client, ticket: Ticket) -> dict[str, str]:
    """The update form's fields exactly as the ticket page filled them in."""
    form = client.get(f"/desk/tickets/{ticket.id}/").context["update_form"]
    return {name: "" if (v := form[name].value()) is None else str(v) for name in form.fields}


def test_a_stale_save_keeps_the_colleagues_change(both, lena):
    ticket, lenas, teds = both.ticket, both.lenas, both.teds
    lena_form, ted_form = both.lena_form, both.ted_form

    lenas.post(
        f"/desk/tickets/{ticket.id}/update/",
        {**lena_form, "priority": "P1", "assignee": str(lena.id)},
    )
    response = teds.post(f"/desk/tickets/{ticket.id}/update/", {**ted_form, "tags": "hub"})

    assert response.status_code == HTTPStatus.FOUND
    ticket.refresh_from_db()
    assert (ticket.priority, ticket.assignee) == ("P1", lena)  # not reverted
    assert [t.name for t in ticket.tags.all()] == ["hub"]


def test_a_real_conflict_is_refused_with_who_did_what_and_the_input_kept(both):
    ticket, lenas, teds = both.ticket, both.lenas, both.teds
    lena_form, ted_form = both.lena_form, both.ted_form
    lenas.post(f"/desk/tickets/{ticket.id}/update/", {**lena_form, "priority": "P1"})

    response = teds.post(
        f"/desk/tickets/{ticket.id}/update/", {**ted_form, "priority": "P2", "tags": "mine"}
    )
    page = response.content.decode()
    assert response.status_code == HTTPStatus.CONFLICT
    assert "While you were editing, Lena changed priority to P1." in page
    assert response.context["update_form"]["priority"].value() == "P2"  # Ted's input kept
    assert response.context["update_form"]["tags"].value() == "mine"
    ticket.refresh_from_db()
    assert ticket.priority == "P1"
    assert list(ticket.tags.all()) == []  # refused whole

    # Saving again after seeing the conflict is Ted's choice, and it goes through.
    again = {
        name: str(v) if v is not None else ""
        for name, v in response.context["update_form"].data.items()
    }
    teds.post(f"/desk/tickets/{ticket.id}/update/", again)
    ticket.refresh_from_db()
    assert ticket.priority == "P2"


def test_both_choosing_the_same_value_is_no_conflict(both):
    ticket, lenas, teds = both.ticket, both.lenas, both.teds
    lena_form, ted_form = both.lena_form, both.ted_form
    lenas.post(f"/desk/tickets/{ticket.id}/update/", {**lena_form, "priority": "P1"})
    response = teds.post(f"/desk/tickets/{ticket.id}/update/", {**ted_form, "priority": "P1"})
    assert response.status_code == HTTPStatus.FOUND
