from __future__ import annotations

from http import HTTPStatus

import pytest
from django.urls import reverse

from lifebuoy.macros.models import Audience
from lifebuoy.tickets.models import Status, TicketEvent
from lifebuoy.tickets.services import TicketChanges, ticket_update

pytestmark = pytest.mark.django_db

LIST = reverse("api-1.0.0:macro_list_api")


def _render(macro_id: int, ticket_id: int) -> str:
    return reverse("api-1.0.0:macro_render_api", args=[macro_id]) + f"?ticket_id={ticket_id}"


def _apply(macro_id: int) -> str:
    return reverse("api-1.0.0:macro_apply_api", args=[macro_id])


def test_staff_list_their_macros_then_the_shared_ones_and_search_by_name(api, make_macro, ted):
    make_macro("Ask for logs", owner=ted, add_tags=["needs-logs"], assign_to_applier=True)
    make_macro("Tier 2 only", audience=Audience.TIER_2)
    listed = api(ted).get(LIST)
    assert listed.status_code == HTTPStatus.OK
    macros = listed.json()
    assert [m["name"] for m in macros] == [
        "Ask for logs",
        "Initial response",
        "Status update",
        "Resolution",
    ]
    assert macros[0]["shared"] is False
    assert macros[0]["actions"] == ["assign to you", "add tag needs-logs"]
    assert macros[3]["actions"] == ["set status to Resolved"]
    assert macros[3]["template_key"] == "resolution"
    searched = api(ted).get(LIST, {"q": "LOGS"}).json()
    assert [m["name"] for m in searched] == ["Ask for logs"]


def test_render_fills_the_macro_in_for_a_ticket(api, bob, ticket):
    resolution = api(bob).get(LIST, {"q": "resolution"}).json()[0]
    rendered = api(bob).get(_render(resolution["id"], ticket.id))
    assert rendered.status_code == HTTPStatus.OK
    body = rendered.json()
    assert body["body"].startswith("Hello Alice,")
    assert "[root cause]" in body["body"]
    assert body["actions"] == ["set status to Resolved"]


def test_apply_makes_the_changes_and_says_which(api, make_macro, bob, ticket):
    macro = make_macro("Slow", set_priority="P2", set_category="performance", add_tags=["slow"])
    applied = api(bob).post(_apply(macro.id), {"ticket_id": ticket.id}, "application/json")
    assert applied.status_code == HTTPStatus.OK
    assert applied.json() == {
        "ticket_id": ticket.id,
        "changes": [
            {"field": "priority", "old": "P3", "new": "P2"},
            {"field": "category", "old": "bug", "new": "performance"},
            {"field": "tags", "old": "acme", "new": "acme,slow"},
        ],
    }
    fields = TicketEvent.objects.filter(ticket=ticket, actor=bob, action="changed")
    assert set(fields.values_list("field", flat=True)) == {"priority", "category", "tags"}


def test_a_change_the_ticket_cannot_take_is_a_409_and_changes_nothing(api, make_macro, bob, ticket):
    for status in ("resolved", "closed"):
        ticket_update(
            ticket=ticket, actor=bob, changes=TicketChanges(status=status), now=ticket.created_at
        )
    macro = make_macro("Resolve", set_status=Status.RESOLVED, set_priority="P1")
    refused = api(bob).post(_apply(macro.id), {"ticket_id": ticket.id}, "application/json")
    assert refused.status_code == HTTPStatus.CONFLICT
    assert refused.json()["code"] == "invalid_transition"
    ticket.refresh_from_db()
    assert ticket.priority == "P3"


def test_another_agents_personal_macro_and_another_tiers_are_404(api, make_macro, ted, bob, ticket):
    for macro in (make_macro("Bob's", owner=bob), make_macro("T2", audience=Audience.TIER_2)):
        assert api(ted).get(_render(macro.id, ticket.id)).status_code == HTTPStatus.NOT_FOUND
        response = api(ted).post(_apply(macro.id), {"ticket_id": ticket.id}, "application/json")
        assert response.status_code == HTTPStatus.NOT_FOUND
        assert response.json()["code"] == "macro_not_found"


@pytest.mark.parametrize("persona", ["alice", "charlie"])
def test_customers_get_404_from_every_macro_endpoint(request, api, make_macro, ticket, persona):
    client = api(request.getfixturevalue(persona))
    macro = make_macro("Shared", audience=Audience.EVERYONE)
    assert client.get(LIST).status_code == HTTPStatus.NOT_FOUND
    assert client.get(_render(macro.id, ticket.id)).status_code == HTTPStatus.NOT_FOUND
    response = client.post(_apply(macro.id), {"ticket_id": ticket.id}, "application/json")
    assert response.status_code == HTTPStatus.NOT_FOUND
    ticket.refresh_from_db()
    assert ticket.status == Status.NEW


def test_anonymous_callers_are_asked_to_sign_in(client):
    assert client.get(LIST).status_code == HTTPStatus.UNAUTHORIZED


def test_the_list_costs_the_same_queries_however_many_macros(
    api, make_macro, ted, bob, django_assert_num_queries
):
    client = api(ted)
    for n in range(10):
        make_macro(f"Mine {n}", owner=ted, set_assignee=bob)
    with django_assert_num_queries(3):  # the token, its last use, the macros
        assert len(client.get(LIST).json()) == 13
