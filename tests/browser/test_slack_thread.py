"""An agent reads a conversation that began in a Slack Connect channel on the ticket page and
answers it; the answer goes into the Slack thread. The lead's Slack page connects channels."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from lifebuoy.integrations.slack.services import slack_channel_connect
from lifebuoy.integrations.tests.fake_slack import EventSender, fake_slack
from lifebuoy.integrations.tests.slack_helpers import (
    CHANNEL,
    SECRET,
    deliver_slack,
    process_events,
)
from lifebuoy.tickets.models import Ticket
from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def slack(settings):
    with fake_slack() as fake:
        settings.LIFEBUOY_SLACK_API_URL = fake.api_url
        settings.LIFEBUOY_SLACK_BOT_TOKEN = "xoxb-test-token"
        settings.LIFEBUOY_SLACK_SIGNING_SECRET = SECRET
        yield fake


def _sender() -> EventSender:
    client = Client()

    def post(path: str, body: bytes, headers: dict[str, str]):
        return client.post(path, body, content_type="application/json", headers=headers)

    return EventSender(post, SECRET)


def test_the_ticket_page_shows_the_slack_thread_and_posts_the_reply_into_it(
    chromium, live_server, slack, acme, alice, bob, lena
):
    slack_channel_connect(
        actor=lena,
        organization=acme,
        channel_id=CHANNEL,
        name="acme-support",
        resolve_emoji="white_check_mark",
        now=timezone.now(),
    )
    slack.add_user("UALICE001", "Alice Example", "alice@acme.example")
    sender = _sender()
    opening = sender.message(CHANNEL, "UALICE001", "C2 stopped pushing since 9:00")
    root_ts = opening["event"]["ts"]
    sender.send(opening)
    sender.send(sender.message(CHANNEL, "UALICE001", "It says 401 in the log", thread_ts=root_ts))
    process_events()
    process_events()
    deliver_slack()
    ticket = Ticket.objects.get()

    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server.url, bob.email)
    page.goto(f"{live_server.url}/desk/tickets/{ticket.id}/")
    assert "C2 stopped pushing since 9:00" in page.inner_text("#description")
    reply = page.locator(".timeline .message", has_text="It says 401 in the log")
    assert "Alice" in reply.inner_text()
    panel = page.locator(".slack-panel")
    assert "#acme-support" in panel.inner_text()
    assert "internal notes never are" in panel.inner_text()

    page.fill("textarea[name=body]", "Your token expired; please rotate it.")
    page.click("button.send")
    page.wait_for_selector(".timeline .message:has-text('Your token expired')")
    deliver_slack()
    posted = [p for p in slack.posts if p.get("thread_ts") == root_ts]
    assert posted[-1]["channel"] == CHANNEL
    assert posted[-1]["text"] == "*Bob* · support: Your token expired; please rotate it."
    page.close()


def test_a_lead_connects_a_channel_on_the_slack_page(chromium, live_server, acme, lena):
    page = chromium.new_page(viewport={"width": 1440, "height": 900})
    sign_in(page, live_server.url, lena.email)
    page.click("nav >> summary:has-text('Settings')")
    page.click("nav >> text=Slack")
    page.select_option("select[name=organization]", label="Acme")
    page.fill("input[name=channel_id]", "C0ACME777")
    page.fill("input[name=name]", "acme-support")
    page.click("button:has-text('Connect channel')")
    page.wait_for_selector("text=Connected #acme-support to Acme.")
    row = page.locator("table.queue tbody tr", has_text="acme-support")
    assert "Acme" in row.inner_text()
    assert ":white_check_mark:" in row.inner_text()
    page.close()
