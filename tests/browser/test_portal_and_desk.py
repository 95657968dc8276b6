"""A customer and an agent, each in their own browser, working one ticket end to end."""

from __future__ import annotations

import pytest

from tests.browser.signing_in import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_customer_submits_agent_replies_customer_sees_reply_but_not_note(
    chromium, live_server, alice, ted
):
    base = live_server.url
    customer = chromium.new_context().new_page()
    agent = chromium.new_context().new_page()

    sign_in(customer, base, alice.email)
    customer.click("text=New ticket")
    customer.fill("input[name=subject]", "C3 has not validated anything today")
    customer.fill("textarea[name=description]", "Nothing new in `c3_to_c1.md` since **Monday**.")
    customer.select_option("select[name=priority]", "P2")
    customer.select_option("select[name=category]", "quality")
    customer.click("button:has-text('Submit ticket')")
    customer.wait_for_selector("text=is open. We will reply here.")
    ticket_url = customer.url
    assert "<strong>Monday</strong>" in customer.inner_html(".conversation")

    sign_in(agent, base, ted.email)
    agent.wait_for_selector("h1:has-text('All unsolved')")
    agent.click("text=C3 has not validated anything today")
    agent.fill(
        "textarea[name=body]", "Please reopen the C3 session and re-upload its instructions."
    )
    agent.click("button.send")
    agent.wait_for_selector("text=Reply sent.")
    agent.fill("textarea[name=body]", "Probably the session timed out again (third time).")
    agent.click("label:has-text('Internal note')")  # the composer's note tab
    agent.click("button.send")
    agent.wait_for_selector("text=Note added.")
    assert agent.locator(".message.internal").count() == 1

    customer.goto(ticket_url)
    conversation = customer.inner_text(".conversation")
    assert "re-upload its instructions" in conversation
    assert "timed out again" not in customer.content()
    assert customer.locator(".message.internal").count() == 0
    assert "Open" in customer.inner_text(".status")
