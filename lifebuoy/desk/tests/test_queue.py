"""The queue agents work from: its built-in views, their counts, filters, sorting and pages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifebuoy.desk import selectors as desk_selectors
from lifebuoy.desk.templatetags.desk_tags import view_count
from lifebuoy.sla.models import Summary, SummaryState
from lifebuoy.sla.services.breaches import sla_breach_scan
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import OrganizationFactory, ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_counts_at_now(now):
    """The desk reads the clock: it is ``now`` for these tests, and no counts are cached."""
    cache.clear()
    with time_machine.travel(now, tick=False):
        yield
    cache.clear()


def subjects(response) -> list[str]:
    return [t.subject for t in response.context["page"].items]


def set_status(ticket: Ticket, status: str, at) -> None:
    Ticket.objects.filter(id=ticket.id).update(status=status, last_activity_at=at)


def test_the_filter_form_works_as_the_page_sends_it(client, alice, ted, now):
    """The page sends every field, the untouched ones empty: none of them may void the rest."""
    ticket_opened(alice, now, subject="Hub placeholder", priority="P1")
    ticket_opened(alice, now, subject="Invoice", priority="P4")
    ticket_opened(alice, now, subject="Hub slow", priority="P4")
    client.force_login(ted)
    sent = {
        "view": "unsolved",
        "q": "hub",
        "status": "",
        "priority": ["", "P4"],
        "tier": "",
        "category": "",
        "channel": "",
        "assignee": "",
        "organization": "",
        "tags": "",
        "sla": "",
        "created_from": "",
        "created_to": "",
        "updated_from": "",
        "updated_to": "",
        "sort": "",
    }
    response = client.get("/desk/", sent)
    assert response.status_code == 200
    assert not response.context["form"].errors
    assert subjects(response) == ["Hub slow"]


def test_filters_combine_and_survive_paging(client, alice, charlie, ted, now):
    for i in range(60):
        ticket_opened(alice, now - timedelta(minutes=i), subject=f"Acme P2 {i}", priority="P2")
    for i in range(5):
        ticket_opened(charlie, now, subject=f"Globex P2 {i}", priority="P2")
    ticket_opened(alice, now, subject="Acme P4", priority="P4")
    client.force_login(ted)
    query = {"priority": "P2", "organization": alice.organization_id, "sort": "newest"}
    first = client.get("/desk/", query)
    assert len(subjects(first)) == 50
    assert all(s.startswith("Acme P2") for s in subjects(first))
    assert "1–50 of 60" in first.content.decode()

    second = client.get(f"/desk/?{first.context['links'].next}")
    assert len(subjects(second)) == 10
    assert all(s.startswith("Acme P2") for s in subjects(second))
    assert "51–60 of 60" in second.content.decode()
    assert not set(subjects(first)) & set(subjects(second))

    back = client.get(f"/desk/?{second.context['links'].previous}")
    assert subjects(back) == subjects(first)
    assert back.context["links"].previous is None


def test_sorting_by_a_column_keeps_the_filters(client, alice, ted, now):
    ticket_opened(alice, now - timedelta(hours=2), subject="old P1", priority="P1")
    ticket_opened(alice, now - timedelta(hours=1), subject="new P3", priority="P3")
    ticket_opened(alice, now, subject="newest P4", priority="P4")
    client.force_login(ted)
    page = client.get("/desk/", {"priority": ["P1", "P3"]})
    by_priority = client.get(f"/desk/?{page.context['sort_links']['priority']}")
    assert subjects(by_priority) == ["old P1", "new P3"]
    by_number = client.get(f"/desk/?{page.context['sort_links']['newest']}")
    assert subjects(by_number) == ["new P3", "old P1"]


def test_my_unsolved_holds_tickets_i_own_by_replying(client, alice, ted, bob, now):
    replied = ticket_opened(alice, now, subject="I replied to this")
    message_add(ticket=replied, author=ted, body="Looking.", now=now)
    assigned = ticket_opened(alice, now, subject="Assigned to me")
    Ticket.objects.filter(id=assigned.id).update(assignee=ted)
    ticket_opened(alice, now, subject="Nobody's")
    bobs = ticket_opened(alice, now, subject="Bob's")
    message_add(ticket=bobs, author=bob, body="Mine.", now=now)
    client.force_login(ted)

    mine = client.get("/desk/", {"view": "mine"})
    assert sorted(subjects(mine)) == ["Assigned to me", "I replied to this"]
    # The filter's "Me" means the same in any view.
    me = client.get("/desk/", {"view": "all", "assignee": "me"})
    assert sorted(subjects(me)) == ["Assigned to me", "I replied to this"]


def test_the_default_view_hides_solved_tickets(client, alice, ted, now):
    ticket_opened(alice, now, subject="Still broken")
    set_status(ticket_opened(alice, now, subject="Fixed"), Status.RESOLVED, now)
    set_status(ticket_opened(alice, now, subject="Long done"), Status.CLOSED, now)
    client.force_login(ted)
    response = client.get("/desk/")
    assert response.context["view"].slug == "unsolved"
    assert subjects(response) == ["Still broken"]
    assert sorted(subjects(client.get("/desk/", {"view": "all"}))) == [
        "Fixed",
        "Long done",
        "Still broken",
    ]


def test_each_built_in_view_holds_its_tickets(client, alice, ted, now):
    unassigned = ticket_opened(alice, now, subject="Unassigned, waiting")
    answered = ticket_opened(alice, now, subject="We answered")
    message_add(ticket=answered, author=ted, body="Try this.", now=now)
    replied = ticket_opened(alice, now, subject="Customer came back")
    message_add(ticket=replied, author=ted, body="Try this.", now=now)
    message_add(ticket=replied, author=alice, body="Did not help.", now=now)
    escalated = ticket_opened(alice, now, subject="Escalated one")
    set_status(escalated, Status.ESCALATED, now)
    solved = ticket_opened(alice, now, subject="Solved yesterday")
    set_status(solved, Status.RESOLVED, now - timedelta(days=1))
    set_status(
        ticket_opened(alice, now, subject="Solved last month"),
        Status.CLOSED,
        now - timedelta(days=30),
    )
    due_soon = ticket_opened(alice, now, subject="Due in 20 minutes")
    late = ticket_opened(alice, now, subject="Already late")
    Summary.objects.filter(ticket__in=[unassigned, answered, replied, escalated]).update(
        next_due_at=now + timedelta(hours=5), state=SummaryState.OK
    )
    Summary.objects.filter(ticket=due_soon).update(
        next_due_at=now + timedelta(minutes=20), state=SummaryState.AT_RISK
    )
    Summary.objects.filter(ticket=late).update(
        next_due_at=now - timedelta(minutes=5), state=SummaryState.BREACHED
    )
    client.force_login(ted)

    def view(slug: str) -> list[str]:
        return sorted(subjects(client.get("/desk/", {"view": slug})))

    assert "Unassigned, waiting" in view("unassigned")
    assert "We answered" not in view("unassigned")  # replying made ted its owner
    # A reply from the customer after ours; a new ticket nobody answered is not "replied".
    assert view("waiting") == ["Customer came back"]
    assert view("escalated") == ["Escalated one"]
    assert view("solved") == ["Solved yesterday"]
    assert view("breaching") == ["Due in 20 minutes"]
    assert view("breached") == ["Already late"]


def test_every_view_shows_its_count_and_big_ones_are_capped(client, alice, ted, now, monkeypatch):
    for i in range(4):
        ticket_opened(alice, now, subject=f"Ticket {i}")
    set_status(ticket_opened(alice, now, subject="Done"), Status.RESOLVED, now)
    client.force_login(ted)
    counts = {v.slug: c for v, c in client.get("/desk/").context["views"]}
    assert counts["unsolved"] == 4
    assert counts["all"] == 5
    assert counts["solved"] == 1
    assert counts["mine"] == 0

    cache.clear()
    monkeypatch.setattr(desk_selectors, "COUNT_CAP", 3)
    capped = desk_selectors.queue_view_counts(user=ted, now=now)
    assert capped["all"] == 4  # "more than 3", without counting them all
    assert view_count(10_001) == "10k+"
    assert view_count(10_000) == "10,000"
    assert view_count(1234) == "1,234"


def test_the_counts_refresh_on_their_own_url(client, alice, ted, now):
    client.force_login(ted)
    before = client.get("/desk/views/counts/", {"view": "mine"}).content.decode()
    assert 'data-view-count="unsolved">0<' in before
    assert 'aria-current="page"' in before.split("My unsolved")[0].rsplit("<li>", 1)[1]
    ticket_opened(alice, now, subject="New one")
    cache.clear()  # the counts' half-minute cache
    after = client.get("/desk/views/counts/", {"view": "mine"}).content.decode()
    assert 'data-view-count="unsolved">1<' in after


def test_a_bad_date_range_says_what_to_fix(client, ted):
    client.force_login(ted)
    response = client.get("/desk/", {"created_from": "2026-11-20", "created_to": "2026-11-01"})
    assert response.status_code == 400
    assert "Pick a day on or after the first one." in response.content.decode()


def test_tags_channel_and_dates_filter(client, alice, ted, now):
    ticket_opened(alice, now, subject="Tagged hub", tags=("hub",))
    ticket_opened(alice, now, subject="By phone", channel="phone", by=ted)
    ticket_opened(alice, now - timedelta(days=10), subject="Ten days old")
    client.force_login(ted)
    assert subjects(client.get("/desk/", {"tags": "hub, other"})) == ["Tagged hub"]
    assert subjects(client.get("/desk/", {"channel": "phone"})) == ["By phone"]
    old = client.get("/desk/", {"created_to": (now - timedelta(days=5)).date().isoformat()})
    assert subjects(old) == ["Ten days old"]


def test_a_bulk_change_applies_to_the_ticked_tickets_and_returns_to_the_list(
    client, alice, ted, bob, now
):
    picked = [ticket_opened(alice, now, subject=f"Picked {i}") for i in range(3)]
    other = ticket_opened(alice, now, subject="Not picked")
    client.force_login(ted)
    response = client.post(
        "/desk/bulk/",
        {
            "ticket": [t.id for t in picked],
            "query": "view=unsolved&priority=P3",
            "priority": "P1",
            "assignee": str(bob.id),
            "add_tags": "outage",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/desk/?view=unsolved&priority=P3"
    page = client.get(response["Location"]).content.decode()
    assert "Updated 3 tickets." in page
    for ticket in Ticket.objects.filter(id__in=[t.id for t in picked]):
        assert (ticket.priority, ticket.assignee) == ("P1", bob)
        assert [t.name for t in ticket.tags.all()] == ["outage"]
    other.refresh_from_db()
    assert (other.priority, other.assignee) == ("P3", None)


def test_a_bulk_change_can_take_every_ticket_of_the_list(client, alice, charlie, ted, now):
    for i in range(55):
        ticket_opened(alice, now, subject=f"Acme {i}")
    ticket_opened(charlie, now, subject="Globex")
    client.force_login(ted)
    client.post(
        "/desk/bulk/",
        {
            "all_matching": "1",
            "query": f"view=unsolved&organization={alice.organization_id}",
            "status": "pending",
        },
    )
    statuses = dict(Ticket.objects.values_list("subject", "status"))
    assert sum(1 for s, st in statuses.items() if s.startswith("Acme") and st == "pending") == 55
    assert statuses["Globex"] == "new"


def test_a_refused_bulk_change_changes_nothing_and_says_which_ticket(client, alice, ted, now):
    fine = ticket_opened(alice, now, subject="Fine")
    done = ticket_opened(alice, now, subject="Done")
    set_status(done, Status.CLOSED, now)
    client.force_login(ted)
    response = client.post(
        "/desk/bulk/", {"ticket": [fine.id, done.id], "status": "pending"}, follow=True
    )
    page = response.content.decode()
    assert f"#{done.id}: A closed ticket cannot become pending" in page
    fine.refresh_from_db()
    assert fine.status == Status.NEW


def test_a_bulk_change_without_a_change_or_a_ticket_says_so(client, alice, ted, now):
    ticket = ticket_opened(alice, now)
    client.force_login(ted)
    nothing = client.post("/desk/bulk/", {"ticket": [ticket.id]}, follow=True)
    assert "Choose at least one change to make." in nothing.content.decode()
    bad = client.post("/desk/bulk/", {"ticket": ["x"], "priority": "P1"}, follow=True)
    assert "Select tickets from the list." in bad.content.decode()
    customer = client.post("/desk/bulk/", {"ticket": [ticket.id], "priority": "P1"})
    client.force_login(alice)
    assert client.post("/desk/bulk/", {"ticket": [ticket.id], "priority": "P1"}).status_code == 403
    ticket.refresh_from_db()
    assert ticket.priority == "P1"  # the agent's change went through; the customer's did not
    assert customer.status_code == 302


def test_the_search_box_opens_a_ticket_by_number_or_searches(client, alice, ted, now):
    ticket = ticket_opened(alice, now, subject="Hub stuck")
    client.force_login(ted)
    assert client.get("/desk/search/", {"q": f"#{ticket.id}"})["Location"] == (
        f"/desk/tickets/{ticket.id}/"
    )
    assert client.get("/desk/search/", {"q": str(ticket.id)})["Location"] == (
        f"/desk/tickets/{ticket.id}/"
    )
    searched = client.get("/desk/search/", {"q": "hub stuck"})
    assert [h.ticket.subject for h in searched.context["results"].tickets] == ["Hub stuck"]
    missing = client.get("/desk/search/", {"q": "#99999"})
    assert missing.context["results"].tickets == []
    queue = client.get("/desk/", {"view": "all", "q": "stuck"})
    assert subjects(queue) == ["Hub stuck"]  # the queue's filter goes through the same search


def test_a_row_shows_what_changed_since_i_last_opened_it(client, alice, ted, bob, now):
    quiet = ticket_opened(alice, now, subject="Quiet")
    busy = ticket_opened(alice, now, subject="Busy")
    client.force_login(ted)

    def unread() -> list[str]:
        response = client.get("/desk/", {"sort": "oldest"})
        return [
            t.subject for t in response.context["page"].items if t.id in response.context["unread"]
        ]

    assert unread() == ["Quiet", "Busy"]  # never opened
    client.get(f"/desk/tickets/{quiet.id}/")
    client.get(f"/desk/tickets/{busy.id}/")
    assert unread() == []
    with time_machine.travel(now + timedelta(minutes=5), tick=False):
        message_add(ticket=busy, author=alice, body="Still broken.", now=now + timedelta(minutes=5))
        assert unread() == ["Busy"]
        page = client.get("/desk/").content.decode()
        assert "Changed since you last opened it" in page
    # Another agent's view of the same tickets is their own.
    client.force_login(bob)
    assert unread() == ["Quiet", "Busy"]


def test_ticked_tickets_merge_into_the_one_the_agent_keeps(client, alice, carol, ted, now):
    first = ticket_opened(alice, now - timedelta(hours=1), subject="Hub down")
    dup = ticket_opened(carol, now, subject="Hub down too")
    client.force_login(ted)
    confirm = client.post("/desk/merge/", {"ticket": [dup.id, first.id], "query": "view=all"})
    page = confirm.content.decode()
    assert confirm.status_code == 200
    assert "This cannot be undone." in page
    assert confirm.context["target"] == first  # the oldest is kept unless the agent picks
    assert Ticket.objects.get(id=dup.id).status == Status.NEW  # nothing merged yet

    done = client.post(
        "/desk/merge/",
        {"ticket": [first.id, dup.id], "target": str(dup.id), "confirm": "1"},
        follow=True,
    )
    assert f"Merged #{first.id} into #{dup.id}." in done.content.decode()
    merged = Ticket.objects.get(id=first.id)
    assert (merged.status, merged.merged_into_id) == (Status.CLOSED, dup.id)


def test_merging_needs_two_tickets_and_refusals_change_nothing(client, alice, charlie, ted, now):
    acme = ticket_opened(alice, now, subject="Acme")
    globex = ticket_opened(charlie, now, subject="Globex")
    client.force_login(ted)
    one = client.post("/desk/merge/", {"ticket": [acme.id]}, follow=True)
    assert "Tick between 2 and 20 tickets to merge." in one.content.decode()
    across = client.post(
        "/desk/merge/",
        {"ticket": [acme.id, globex.id], "target": str(acme.id), "confirm": "1"},
        follow=True,
    )
    assert across.status_code == 200
    assert "to another organization than" in across.content.decode()
    assert Ticket.objects.get(id=globex.id).status == Status.NEW
    assert Ticket.objects.get(id=globex.id).merged_into_id is None


def test_the_agent_picks_the_columns_and_a_saved_view_keeps_them(client, alice, ted, now):
    ticket_opened(alice, now, subject="Hub stuck", channel="email")
    client.force_login(ted)
    usual = client.get("/desk/").content.decode()
    assert "<th>Organization</th>" in usual
    assert "<th>Requester</th>" not in usual
    picked = client.get("/desk/", {"columns": ["requester", "channel"]})
    page = picked.content.decode()
    assert "<th>Requester</th>" in page
    assert "<th>Channel</th>" in page
    assert "<th>Organization</th>" not in page
    assert 'data-label="Requester">Alice<' in page
    assert 'data-label="Channel">Email<' in page
    saved = client.post(
        "/desk/views/save/",
        {"name": "Who and how", "query": "view=unsolved&columns=requester&columns=channel"},
    )
    assert "<th>Requester</th>" in client.get(saved["Location"]).content.decode()


def test_several_assignees_or_organizations_match_any_of_them(
    client, alice, charlie, ted, bob, now
):
    mine = ticket_opened(alice, now, subject="Ted's")
    Ticket.objects.filter(id=mine.id).update(assignee=ted)
    bobs = ticket_opened(charlie, now, subject="Bob's")
    Ticket.objects.filter(id=bobs.id).update(assignee=bob)
    ticket_opened(alice, now, subject="Nobody's")
    client.force_login(ted)

    def listed(**query) -> list[str]:
        return sorted(subjects(client.get("/desk/", query)))

    assert listed(assignee=["me", str(bob.id)]) == ["Bob's", "Ted's"]
    assert listed(assignee=["none", str(bob.id)]) == ["Bob's", "Nobody's"]
    both = [str(alice.organization_id), str(charlie.organization_id)]
    assert listed(organization=both) == ["Bob's", "Nobody's", "Ted's"]
    assert listed(organization=[str(charlie.organization_id)], assignee=["me"]) == []


def _counts_run(queries) -> int:
    """How many of ``queries`` counted tickets."""
    return sum(
        1
        for q in queries
        if q["sql"].lstrip().upper().startswith("SELECT COUNT(") and "tickets_ticket" in q["sql"]
    )


def test_a_list_is_counted_once_while_the_agent_turns_its_pages(client, alice, ted, now):
    for i in range(60):
        ticket_opened(alice, now - timedelta(minutes=i), subject=f"Acme {i}", priority="P2")
    client.force_login(ted)
    with CaptureQueriesContext(connection) as first_queries:
        first = client.get("/desk/", {"priority": "P2", "sort": "newest"})
    assert "1–50 of 60" in first.content.decode()
    assert _counts_run(first_queries.captured_queries) > 0
    with CaptureQueriesContext(connection) as second_queries:
        second = client.get(f"/desk/?{first.context['links'].next}")
    assert "51–60 of 60" in second.content.decode()
    assert _counts_run(second_queries.captured_queries) == 0

    # A plain view's total is the count beside it, not a second count of the same list.
    client.get("/desk/", {"view": "all"})
    with CaptureQueriesContext(connection) as plain_queries:
        plain = client.get("/desk/", {"view": "all"})
    assert "1–50 of 60" in plain.content.decode()
    assert _counts_run(plain_queries.captured_queries) == 0


def test_the_agents_own_bulk_change_shows_in_the_counts_at_once(client, alice, ted, now):
    tickets = [ticket_opened(alice, now, subject=f"Ticket {i}", priority="P3") for i in range(3)]
    client.force_login(ted)
    counts = {v.slug: c for v, c in client.get("/desk/").context["views"]}
    assert counts["mine"] == 0
    assert "of 3" in client.get("/desk/", {"priority": "P3"}).content.decode()

    client.post(
        "/desk/bulk/",
        {
            "ticket": [t.id for t in tickets[:2]],
            "query": "",
            "assignee": str(ted.id),
            "priority": "P1",
        },
    )
    counts = {v.slug: c for v, c in client.get("/desk/").context["views"]}
    assert counts["mine"] == 2
    assert "1–1 of 1" in client.get("/desk/", {"priority": "P3"}).content.decode()


def test_a_colleagues_change_reaches_the_counts_within_their_half_minute(
    client, alice, ted, bob, now
):
    ticket = ticket_opened(alice, now, subject="Ticket")
    client.force_login(ted)
    assert {v.slug: c for v, c in client.get("/desk/").context["views"]}["unassigned"] == 1
    Ticket.objects.filter(id=ticket.id).update(assignee=bob)
    assert {v.slug: c for v, c in client.get("/desk/").context["views"]}["unassigned"] == 1
    with time_machine.travel(now + timedelta(seconds=desk_selectors.COUNT_TTL + 1), tick=False):
        later = {v.slug: c for v, c in client.get("/desk/").context["views"]}
    assert later["unassigned"] == 0


def test_the_filter_boxes_keep_what_was_ticked_inside_their_labels(client, ted):
    OrganizationFactory(name="Smith & Sons")
    client.force_login(ted)
    sent = {"view": "all", "status": ["new", "pending"], "tier": "2", "assignee": ["me", ted.id]}
    page = client.get("/desk/", sent).content.decode()

    assert '<summary>Status <span class="picked">2</span></summary>' in page
    assert '<legend class="visually-hidden">Status</legend>' in page
    box = '<label class="check"><input type="checkbox" name="status"'
    assert f'{box} value="new" id="id_status_0" checked> New</label>' in page
    assert f'{box} value="open" id="id_status_1"> Open</label>' in page
    assert f'{box} value="pending" id="id_status_2" checked> Pending customer</label>' in page
    assert 'name="tier" value="2" id="id_tier_1" checked> Standard</label>' in page
    assert 'name="assignee" value="me" id="id_assignee_0" checked> Me (assignee or owner)' in page
    assert re.search(rf'name="assignee" value="{ted.id}" id="id_assignee_\d+" checked> Ted<', page)
    assert re.search(
        r'name="organization" value="\d+" id="id_organization_0"> Smith &amp; Sons<', page
    )
    assert '<summary>Priority <span class="muted">any</span></summary>' in page
    assert '<summary>Columns <span class="muted">usual</span></summary>' in page
    assert page.count(" checked>") == 5


def test_a_refused_filter_marks_its_boxes_invalid(client, ted):
    client.force_login(ted)
    page = client.get("/desk/", {"priority": "P9"}).content.decode()
    assert (
        '<label class="check"><input type="checkbox" name="priority" value="P1"'
        ' id="id_priority_0" aria-invalid="true"> P1 · Critical</label>'
    ) in page
    assert 'name="status" value="new" id="id_status_0">' in page


def test_the_breached_count_is_the_breached_list_through_a_tickets_life(client, alice, ted, now):
    """The count reads the SLA summaries alone; the list joins the tickets. They agree because
    resolving or closing a ticket stops its breached clocks."""
    tickets = {
        name: ticket_opened(alice, now, subject=name, priority="P1")
        for name in ("stays late", "resolved late", "pending late", "closed late", "answered")
    }
    message_add(ticket=tickets["answered"], author=ted, body="On it.", now=now)
    later = now + timedelta(days=10)
    with time_machine.travel(later, tick=False):
        sla_breach_scan(now=later)
        actions = {
            "resolved late": "resolved",
            "pending late": "pending",
            "closed late": "resolved",
        }
        for name, status in actions.items():
            ticket_update(
                ticket=tickets[name], actor=ted, changes=TicketChanges(status=status), now=later
            )
        ticket_update(
            ticket=Ticket.objects.get(id=tickets["closed late"].id),
            actor=ted,
            changes=TicketChanges(status="closed"),
            now=later,
        )
        cache.clear()
        client.force_login(ted)
        response = client.get("/desk/", {"view": "breached"})
    listed = sorted(subjects(response))
    counts = {v.slug: c for v, c in response.context["views"]}
    assert {"stays late", "pending late"} <= set(listed)  # waiting on the customer is unsolved
    assert not {"resolved late", "closed late"} & set(listed)
    assert counts["breached"] == len(listed) == response.context["total"]
