"""The agent's ticket page: one timeline, the requester panel, times in the agent's zone."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import time_machine

from lifebuoy.desk import requester
from lifebuoy.desk.requester import requester_panel
from lifebuoy.monitoring.services.deployments import NewDeployment, deployment_create
from lifebuoy.tickets.models import Status, Ticket
from lifebuoy.tickets.services import AuditEntry, message_add, ticket_audit_record
from lifebuoy.tickets.tests.factories import TicketFactory, ticket_opened

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(alice, ted, lena, now) -> Ticket:
    ticket = ticket_opened(alice, now, subject="C2 down", description="Nothing since 9am.")
    message_add(
        ticket=ticket, author=ted, body="Restart the session.", now=now + timedelta(hours=1)
    )
    ticket_audit_record(
        entries=[
            AuditEntry(
                ticket.id,
                "sla_at_risk",
                field="next_response",
                new=(now + timedelta(hours=3)).isoformat(),
            )
        ],
        now=now + timedelta(hours=2),
    )
    message_add(
        ticket=ticket,
        author=lena,
        body="hunch: token",
        is_internal=True,
        now=now + timedelta(hours=4),
    )
    return ticket


def _page(client, ticket: Ticket) -> str:
    return client.get(f"/desk/tickets/{ticket.id}/").content.decode()


def test_one_timeline_holds_the_description_replies_notes_and_changes_in_order(client, ticket, ted):
    client.force_login(ted)
    page = _page(client, ticket)
    order = [
        "Nothing since 9am.",
        "Restart the session.",
        "flagged the next response target <em>at risk</em>",
        "hunch: token",
    ]
    positions = [page.index(text) for text in order]
    assert positions == sorted(positions)
    assert 'class="message internal"' in page
    assert "Internal note" in page
    assert "changed status from <em>New</em> to <em>Open</em>" in page
    assert "<h2>History</h2>" not in page


def test_times_show_in_the_agents_browser_zone(client, ticket, ted):
    client.force_login(ted)
    client.cookies["tz"] = "America/Los_Angeles"
    page = _page(client, ticket)
    assert "2026-11-24 02:00 PST" in page  # opened 10:00 UTC
    assert "2026-11-24 03:00 PST" in page  # Ted's reply
    assert "(due 2026-11-24 05:00 PST)" in page  # the SLA warning's target
    timeline = page.split('<ol class="timeline"')[1].split("</ol>")[0]
    assert "UTC" not in timeline


def test_without_a_known_zone_times_are_utc(client, ticket, ted):
    client.force_login(ted)
    client.cookies["tz"] = "Nowhere/Atlantis"
    assert "2026-11-24 10:00 UTC" in _page(client, ticket)


def test_the_requester_panel_lists_their_other_open_tickets_only(
    client, ticket, alice, carol, charlie, globex, ted, now
):
    ticket_opened(alice, now, subject="Invoice question")
    solved = ticket_opened(alice, now, subject="Old login trouble")
    Ticket.objects.filter(id=solved.id).update(status=Status.RESOLVED)
    ticket_opened(carol, now, subject="Carol's own")
    ticket_opened(charlie, now, subject="Globex outage")
    # Alice's name on a ticket of another organization (e.g. before she moved): not listed.
    TicketFactory(requester=alice, organization=globex, subject="Filed under Globex")
    client.force_login(ted)

    page = _page(client, ticket)

    assert "Invoice question" in page
    for other in ("Old login trouble", "Carol's own", "Globex outage", "Filed under Globex"):
        assert other not in page
    panel = requester_panel(user=ted, ticket=ticket, now=now)
    assert [t.subject for t in panel.other_open] == ["Invoice question"]


def test_past_five_other_tickets_the_panel_gives_the_count(client, ticket, alice, ted, now):
    for i in range(7):
        ticket_opened(alice, now + timedelta(minutes=i), subject=f"Other {i}")
    client.force_login(ted)
    panel = requester_panel(user=ted, ticket=ticket, now=now)
    assert len(panel.other_open) == 5
    assert (panel.other_open_count, panel.more_open) == (7, "2")
    assert "and 2 more (7 open in all)" in _page(client, ticket)


def test_a_requester_with_very_many_tickets_is_counted_only_so_far(
    client, ticket, alice, ted, now, monkeypatch
):
    monkeypatch.setattr(requester, "OTHER_TICKETS_COUNTED", 8)
    for i in range(10):
        ticket_opened(alice, now + timedelta(minutes=i), subject=f"Other {i}")
    client.force_login(ted)
    assert "and more than 3 more (more than 8 open in all)" in _page(client, ticket)


def test_the_requester_panel_shows_plan_local_time_and_deployments(
    client, ticket, alice, acme, ted, now, tmp_path: Path
):
    data = NewDeployment(
        name="Acme trinity", repository="https://git.example/acme.git", owner=alice
    )
    deployment_create(organization=acme, data=data, consent=False, now=now)
    client.force_login(ted)
    page = _page(client, ticket)
    assert "Cloud Professional · Standard support" in page
    assert "Acme trinity" in page
    assert "not monitored: no consent" in page
    panel = requester_panel(user=ted, ticket=ticket, now=now)
    assert str(panel.zone) == "Europe/Berlin"  # Acme's; Alice set none of her own
    alice.timezone = "America/New_York"
    alice.save(update_fields=["timezone"])
    ticket.refresh_from_db()
    assert str(requester_panel(user=ted, ticket=ticket, now=now).zone) == "America/New_York"


def test_the_page_keeps_its_cost_as_the_timeline_grows(
    client, ticket, ted, lena, now, django_assert_max_num_queries
):
    client.force_login(ted)
    _page(client, ticket)
    with django_assert_max_num_queries(80) as before:
        _page(client, ticket)
    for i in range(10):
        message_add(ticket=ticket, author=lena, body=f"n{i}", is_internal=True, now=now)
    with django_assert_max_num_queries(len(before.captured_queries)):
        _page(client, ticket)


def test_a_follow_up_and_the_closed_ticket_it_continues_link_to_each_other(
    client, alice, ted, now, settings
):
    from lifebuoy.tickets.services import (
        TicketChanges,
        ticket_confirm_resolved,
        ticket_reply,
        ticket_update,
    )

    settings.LIFEBUOY_REOPEN_DAYS = 14
    old = ticket_opened(alice, now, subject="C2 stopped committing")
    ticket_update(ticket=old, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    ticket_confirm_resolved(ticket=old, actor=alice, now=now + timedelta(hours=1))
    new = ticket_reply(ticket=old, author=alice, body="Back again.", now=now + timedelta(days=20))
    client.force_login(ted)

    with time_machine.travel(now + timedelta(days=20, hours=1), tick=False):
        page = client.get(f"/desk/tickets/{new.ticket.id}/").content.decode()
        assert f'Follows up on <a href="/desk/tickets/{old.id}/">#{old.id}</a>' in page
        page = client.get(f"/desk/tickets/{old.id}/").content.decode()
    assert (
        f'Continued in <a href="/desk/tickets/{new.ticket.id}/">#{new.ticket.id}</a> (new)' in page
    )
