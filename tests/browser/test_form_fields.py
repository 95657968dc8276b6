"""Every field a person types into looks the same: a number, a date, a date and time or a web
address has the border, corners, padding, type and height of the text fields and selects beside
it, on the desk and in the portal, and no form is wider than a phone."""

from __future__ import annotations

import pytest
from django.utils import timezone

from lifebuoy.escalations.models.oncall import Schedule
from lifebuoy.tickets.services import NewTicket, ticket_create
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LOOK = """el => {
  const s = getComputedStyle(el);
  return {
    border: [s.borderTopWidth, s.borderTopStyle, s.borderTopColor].join(" "),
    radius: s.borderTopLeftRadius,
    padding: [s.paddingTop, s.paddingLeft].join(" "),
    font: [s.fontSize, s.fontFamily].join(" "),
    height: Math.round(el.getBoundingClientRect().height),
  };
}"""


def look(page, selector: str) -> dict[str, object]:
    return page.eval_on_selector(selector, LOOK)


def assert_alike(page, reference: str, *others: str) -> None:
    expected = look(page, reference)
    for selector in others:
        assert look(page, selector) == expected, f"{selector} looks unlike {reference}"


def assert_fits(page) -> None:
    overflow = page.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0, f"{page.url} scrolls sideways by {overflow}px"


@pytest.mark.parametrize("width", [1440, 390])
def test_number_date_and_address_fields_look_like_text_fields(
    chromium, live_server, alice, bob, lena, grace, width
):
    base = live_server.url
    ticket = ticket_create(
        actor=alice, now=timezone.now(), data=NewTicket(subject="C2 slow", description="Why?")
    )
    Schedule.objects.create(name="Primary")

    def browser_for(user):
        page = chromium.new_context(viewport={"width": width, "height": 900}).new_page()
        sign_in(page, base, user.email)
        page.wait_for_url(lambda url: "/accounts/login/" not in url)
        return page

    agent = browser_for(bob)
    agent.goto(f"{base}/desk/tickets/{ticket.id}/")
    assert_alike(
        agent, "#time input[name=note]", "#time input[name=minutes]", "#time input[name=worked_on]"
    )
    assert_fits(agent)

    engineer = browser_for(grace)
    engineer.goto(f"{base}/desk/monitoring/new/")
    assert_alike(
        engineer,
        "input[name=name]",
        "input[name=poll_interval_seconds]",
        "input[name=monthly_budget]",
        "select[name=organization_id]",
    )
    assert_fits(engineer)

    lead = browser_for(lena)
    lead.goto(f"{base}/desk/escalations/oncall/")
    assert_alike(
        lead,
        ".override-form select[name=user]",
        ".override-form input[name=starts_at]",
        ".override-form input[name=ends_at]",
    )
    assert_fits(lead)

    customer = browser_for(alice)
    customer.goto(f"{base}/portal/tickets/new/")
    text_field = look(customer, "input[name=subject]")
    customer.goto(f"{base}/portal/webhooks/new/")
    assert look(customer, "input[name=url]") == text_field
    assert_fits(customer)
