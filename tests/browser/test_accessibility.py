"""axe-core, run in the browser, finds no serious or critical accessibility problem on the pages
agents and customers use most."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from lifebuoy.tickets.services import message_add
from lifebuoy.tickets.tests.factories import ticket_opened
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SERIOUS = {"serious", "critical"}


def problems(page) -> list[str]:
    results = Axe().run(page)
    assert results.response["testEngine"]["name"] == "axe-core"  # it ran, on this page
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


@pytest.mark.parametrize("width", [1440, 390])
def test_desk_and_portal_pages_have_no_serious_accessibility_problems(
    chromium, live_server, alice, lena, width
):
    now = timezone.now()
    ticket = ticket_opened(alice, now, subject="C2 stopped committing", priority="P2")
    message_add(ticket=ticket, author=lena, body="Please send the session log.", now=now)
    base = live_server.url
    found: dict[str, list[str]] = {}

    staff = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(staff, base, lena.email)
    for path in (
        "/desk/",
        f"/desk/tickets/{ticket.id}/",
        "/desk/reports/dashboard/",
        "/desk/kb/",
    ):
        staff.goto(f"{base}{path}")
        found[path] = problems(staff)

    customer = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
    sign_in(customer, base, alice.email)
    for path in ("/portal/", f"/portal/tickets/{ticket.id}/", "/portal/kb/"):
        customer.goto(f"{base}{path}")
        found[path] = problems(customer)

    assert {path: issues for path, issues in found.items() if issues} == {}
