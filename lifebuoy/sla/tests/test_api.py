"""The SLA interfaces: the per-ticket endpoint, the list filter, the queue and the ticket page."""

from __future__ import annotations

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
import time_machine
from django.test import Client

from lifebuoy.sla.models import ClockKind
from lifebuoy.sla.selectors import duration_text
from lifebuoy.sla.services import sla_breach_scan
from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened

from .helpers import berlin, change

pytestmark = pytest.mark.django_db

TUE_11 = berlin(2026, 11, 24, 11)


@pytest.fixture
def ticket(alice, ted):
    t = ticket_opened(alice, TUE_11, priority="P2")
    change(t, ted, TUE_11 + timedelta(hours=1), status="pending")
    message_add(ticket=t, author=alice, body="logs", now=TUE_11 + timedelta(hours=2))
    return t


def test_staff_see_every_clock_with_its_explanation(api, ted, ticket):
    with time_machine.travel(TUE_11 + timedelta(hours=3), tick=False):
        body = api(ted).get(f"/api/tickets/{ticket.id}/sla").json()
    assert body["ticket_id"] == ticket.id
    first, resolution = body["clocks"]
    assert first["kind"] == ClockKind.FIRST_RESPONSE
    assert first["target_text"] == "8 business hours"
    assert first["due_at"] == "2026-11-25T10:00:00Z"
    internal = resolution["internal"]
    assert internal["policy"] == "Standard v1"
    assert internal["state"] == "running"
    assert internal["minutes_used"] == 120  # three hours since creation, one of them paused
    assert internal["pauses"] == [
        {"started_at": "2026-11-24T11:00:00Z", "ended_at": "2026-11-24T12:00:00Z"}
    ]
    assert "Office hours" in first["internal"]["calendar"]
    assert "Europe/Berlin" in first["internal"]["calendar"]
    assert "Standard v1" in internal["explanation"]
    assert "not counting 1 pause(s)" in internal["explanation"]


def test_customers_see_their_targets_but_nothing_internal(api, alice, carol, ticket):
    sla_breach_scan(now=TUE_11 + timedelta(days=3))
    for customer in (alice, carol):
        response = api(customer).get(f"/api/tickets/{ticket.id}/sla")
        assert response.status_code == HTTPStatus.OK
        clocks = response.json()["clocks"]
        assert [c["internal"] for c in clocks] == [None, None]
        assert {c["status"] for c in clocks} == {"in_progress"}  # breached is internal
        assert "breach" not in response.content.decode()


def test_charlie_gets_404_for_another_organizations_ticket(api, charlie, ticket):
    response = api(charlie).get(f"/api/tickets/{ticket.id}/sla")
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert response.json()["code"] == "ticket_not_found"


def test_a_missing_ticket_is_the_same_404(api, ted):
    assert api(ted).get("/api/tickets/999999/sla").status_code == HTTPStatus.NOT_FOUND


def test_the_sla_endpoint_needs_credentials(ticket):
    assert Client().get(f"/api/tickets/{ticket.id}/sla").status_code == HTTPStatus.UNAUTHORIZED


def test_staff_filter_the_ticket_list_by_sla_state(api, alice, ted):
    late = ticket_opened(alice, TUE_11, priority="P1", subject="late")
    risky = ticket_opened(
        alice, TUE_11 + timedelta(hours=1, minutes=30), priority="P1", subject="risky"
    )
    ticket_opened(alice, TUE_11 + timedelta(hours=4), priority="P1", subject="fine")
    sla_breach_scan(now=TUE_11 + timedelta(hours=4, minutes=40))
    client = api(ted)
    breached = client.get("/api/tickets/", {"sla": "breached"}).json()["items"]
    at_risk = client.get("/api/tickets/", {"sla": "at_risk"}).json()["items"]
    assert [t["id"] for t in breached] == [late.id]
    assert [t["id"] for t in at_risk] == [risky.id]
    bad = client.get("/api/tickets/", {"sla": "soon"})
    assert bad.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_customers_cannot_filter_by_sla_state(api, alice):
    response = api(alice).get("/api/tickets/", {"sla": "breached"})
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY


def test_the_list_sorts_by_next_deadline_across_pages(api, alice, ted):
    made = [
        ticket_opened(alice, TUE_11 + timedelta(minutes=m), priority="P1")
        for m in (50, 10, 30, 40, 20)
    ]
    done = ticket_opened(alice, TUE_11, priority="P1")
    change(done, ted, TUE_11 + timedelta(minutes=1), status="resolved")
    change(done, ted, TUE_11 + timedelta(minutes=2), status="closed")
    client = api(ted)
    seen: list[int] = []
    cursor = None
    while True:
        params = {"sort": "deadline", "limit": 2, **({"cursor": cursor} if cursor else {})}
        page = client.get("/api/tickets/", params).json()
        seen += [t["id"] for t in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    by_deadline = [t.id for t in sorted(made, key=lambda t: t.created_at)]
    assert seen == [*by_deadline, done.id]  # no open deadline sorts last


def test_the_queue_shows_the_next_deadline_with_its_colour(client, alice, ted):
    late = ticket_opened(alice, TUE_11, priority="P1", subject="late one")
    sla_breach_scan(now=TUE_11 + timedelta(hours=5))
    paused = ticket_opened(alice, TUE_11, priority="P2", subject="paused one")
    change(paused, ted, TUE_11 + timedelta(minutes=5), status="pending")
    message_add(ticket=paused, author=ted, body="Waiting on you", now=TUE_11 + timedelta(minutes=6))
    client.force_login(ted)
    with time_machine.travel(TUE_11 + timedelta(hours=6), tick=False):
        response = client.get("/desk/", {"sort": "deadline"})
    assert [t.id for t in response.context["page"].items] == [late.id, paused.id]
    page = response.content.decode()
    assert 'class="sla sla-breached"' in page
    assert "2\xa0hours overdue" in page
    assert 'class="sla sla-paused"' in page
    breached_only = client.get("/desk/", {"sla": "breached"})
    assert [t.id for t in breached_only.context["page"].items] == [late.id]


def test_the_ticket_page_lists_every_clock_with_its_explanation(client, ted, ticket):
    client.force_login(ted)
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "First response" in page
    assert "Resolution" in page
    assert "Standard v1" in page


@pytest.mark.parametrize(
    ("minutes", "hours", "text"),
    [
        (480, "business", "8 business hours"),
        (60, "business", "1 business hour"),
        (90, "business", "90 business minutes"),
        (240, "calendar", "4 hours (24/7)"),
        (1440, "calendar", "24 hours (24/7)"),
        (2880, "calendar", "48 hours (24/7)"),
        (7200, "calendar", "5 days (24/7)"),
        (10080, "calendar", "1 week (24/7)"),
    ],
)
def test_targets_read_naturally(minutes, hours, text):
    assert duration_text(minutes, hours) == text


def test_the_ticket_history_reads_sla_flags_plainly(client, alice, ted):
    ticket = ticket_opened(alice, TUE_11, priority="P1")
    sla_breach_scan(now=TUE_11 + timedelta(hours=5))
    client.force_login(ted)
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "flagged the first response target <em>breached</em>" in page
    assert "flagged the resolution target <em>breached</em>" in page


def test_a_community_goal_shows_in_grey_and_never_as_overdue(client, alice, ted):
    org = alice.organization
    org.plan = "community"
    org.save(update_fields=["plan"])
    ticket_opened(alice, TUE_11, priority="P1", subject="community question")
    sla_breach_scan(now=TUE_11 + timedelta(days=9))
    client.force_login(ted)
    with time_machine.travel(TUE_11 + timedelta(days=9), tick=False):
        page = client.get("/desk/").content.decode()
    assert 'class="sla sla-goal"' in page
    assert "goal passed 4\xa0days ago" in page
    assert "overdue" not in page


def test_an_overdue_deadline_shows_red_before_the_sweep_records_it(client, alice, ted):
    ticket_opened(alice, TUE_11, priority="P1", subject="not swept yet")
    client.force_login(ted)
    with time_machine.travel(TUE_11 + timedelta(hours=5), tick=False):
        page = client.get("/desk/").content.decode()
    assert 'class="sla sla-breached"' in page
    assert "1\xa0hour overdue" in page


def test_the_sla_endpoint_costs_the_same_few_queries_however_many_clocks(
    api, alice, ted, django_assert_max_num_queries
):
    ticket = ticket_opened(alice, TUE_11, priority="P2")
    for hour in range(1, 6):  # five answered next-response clocks
        message_add(ticket=ticket, author=ted, body="Reply", now=TUE_11 + timedelta(hours=hour))
        message_add(ticket=ticket, author=alice, body="More", now=TUE_11 + timedelta(hours=hour))
    client = api(ted)
    with django_assert_max_num_queries(6):
        body = client.get(f"/api/tickets/{ticket.id}/sla").json()
    assert len(body["clocks"]) == 7


def test_the_explanation_gives_its_times_in_the_viewers_zone(client, ted, ticket):
    ted.timezone = "America/Los_Angeles"
    ted.save(update_fields=["timezone"])
    client.force_login(ted)
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    started = re.search(r"Started (\d{4}-\d\d-\d\d \d\d:\d\d \w+);", page)
    assert started is not None
    assert started.group(1).endswith("PST")
    assert " UTC;" not in page
