"""An agent times their work on a ticket and logs time by hand; a support lead narrows the
dashboard to one organization and downloads a table as CSV."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from lifebuoy.accounts.models import Queue
from lifebuoy.tickets.services import NewTicket, ticket_create
from lifebuoy.timetracking.models import TimeEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


@pytest.fixture
def seeded(db):
    """What the data migrations provide (an earlier transactional test may have flushed it)."""
    for tier in (2, 3):
        Queue.objects.get_or_create(
            slug=f"tier-{tier}", defaults={"name": f"Tier {tier}", "tier": tier}
        )


def sign_in(chromium, live_server, user):
    page = chromium.new_context(accept_downloads=True).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return page


def test_an_agent_starts_and_stops_a_timer_and_logs_time_by_hand(
    chromium, live_server, seeded, alice, bob
):
    ticket = ticket_create(
        actor=alice, now=timezone.now(), data=NewTicket(subject="C2 slow", description="Why?")
    )
    page = sign_in(chromium, live_server, bob)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    page.click("#time button:has-text('Start timer')")
    page.wait_for_selector("#time .time-running")
    page.click("#time button:has-text('Stop timer')")
    page.wait_for_selector("#time button:has-text('Start timer')")
    assert TimeEntry.objects.filter(ticket=ticket, agent=bob, stopped_at__isnull=False).count() == 1

    page.fill("#time input[name=minutes]", "30")
    page.fill("#time input[name=worked_on]", f"{timezone.now() + timedelta(days=3):%Y-%m-%d}")
    page.click("#time button:has-text('Log time')")
    page.wait_for_selector("text=The day cannot be in the future.")
    assert TimeEntry.objects.filter(ticket=ticket, kind="manual").count() == 0

    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    page.fill("#time input[name=minutes]", "25")
    page.fill("#time input[name=worked_on]", f"{timezone.now():%Y-%m-%d}")
    page.fill("#time input[name=note]", "Read the logs")
    page.click("#time button:has-text('Log time')")
    page.wait_for_selector("#time li:has-text('Read the logs')")
    assert TimeEntry.objects.get(ticket=ticket, kind="manual").seconds == 25 * 60


def test_a_lead_filters_the_dashboard_by_organization_and_downloads_csv(
    chromium, live_server, seeded, alice, charlie, lena
):
    now = timezone.now()
    ticket_create(actor=alice, now=now, data=NewTicket(subject="Acme down", description="x"))
    ticket_create(actor=charlie, now=now, data=NewTicket(subject="Globex down", description="y"))
    page = sign_in(chromium, live_server, lena)
    page.goto(f"{live_server.url}/desk/reports/dashboard/")
    page.wait_for_selector("h1:has-text('Support dashboard')")
    page.select_option("select[name=organization]", label="Globex")
    page.click("button:has-text('Show')")
    page.wait_for_url("**organization=*")
    with page.expect_download() as download:
        page.click("#open a:has-text('CSV')")
    csv_text = download.value.path().read_text()
    assert csv_text.splitlines()[0]
    assert "_org-" in download.value.suggested_filename
