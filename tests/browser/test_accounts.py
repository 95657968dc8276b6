"""Accounts in a real browser: a password reset from the emailed link, an invitation accepted,
and an organization admin inviting and deactivating a colleague."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from lifebuoy.notifications.models import Delivery
from tests.browser.signing_in import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Blue-harbour-lantern-9"
JOIN = r"/accounts/join/\S+/"


def _emailed_path(address: str, pattern: str) -> str:
    """The path of the link in the latest email queued in the outbox for ``address``."""
    delivery = Delivery.objects.filter(target=address).order_by("-id").first()
    assert delivery is not None, f"nothing queued for {address}"
    match = re.search(rf"https?://[^/\s]+({pattern})", delivery.payload["text"])
    assert match is not None, delivery.payload["text"]
    return match[1]


def test_a_customer_resets_a_forgotten_password_from_the_email(chromium, live_server, alice):
    base = live_server.url
    page = chromium.new_context().new_page()
    page.goto(f"{base}/accounts/login/")
    page.click("text=Forgot your password?")
    page.fill("input[name=email]", "Alice@Acme.example")
    page.click("button:has-text('Email me a link')")
    expect(page.locator("h1")).to_have_text("Check your email")

    link = _emailed_path("alice@acme.example", r"/accounts/password/reset/\S+/")
    page.goto(f"{base}{link}")
    expect(page.locator("h1")).to_have_text("Choose a new password")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", "something else")
    page.click("button:has-text('Save my password')")
    expect(page.locator(".errorlist")).to_contain_text("didn’t match")
    page.fill("input[name=new_password1]", NEW_PASSWORD)
    page.fill("input[name=new_password2]", NEW_PASSWORD)
    page.click("button:has-text('Save my password')")
    expect(page.locator("h1")).to_have_text("Your password is saved")

    page.goto(f"{base}{link}")  # the link worked once
    expect(page.locator("h1")).to_have_text("This link no longer works")

    page.goto(f"{base}/accounts/login/")
    page.fill("input[name=username]", "alice@acme.example")
    page.fill("input[name=password]", PASSWORD)  # the old one no longer signs in
    page.click("button[type=submit]")
    expect(page.locator(".errorlist")).to_be_visible()
    page.fill("input[name=password]", NEW_PASSWORD)
    page.click("button[type=submit]")
    expect(page.locator("#top-nav a.who")).to_have_text("Alice")


def test_a_lead_invites_an_agent_who_joins_with_their_own_password(chromium, live_server, lena):
    base = live_server.url
    desk = chromium.new_context().new_page()
    sign_in(desk, base, lena.email)
    desk.goto(f"{base}/desk/people/")
    desk.fill("input[name=email]", "nia@lifebuoy.test")
    desk.fill("input[name=full_name]", "Nia")
    desk.select_option("select[name=role]", "agent")
    desk.click("button:has-text('Send invitation')")
    expect(desk.locator(".errorlist")).to_contain_text("Choose the agent's tier.")
    desk.select_option("select[name=tier]", "2")
    desk.click("button:has-text('Send invitation')")
    expect(desk.locator(".flash")).to_have_text("Invitation sent to nia@lifebuoy.test.")
    expect(desk.locator("table.people-table").first).to_contain_text("Support agent, tier 2")

    invitee = chromium.new_context().new_page()
    invitee.goto(base + _emailed_path("nia@lifebuoy.test", JOIN))
    expect(invitee.locator(".lede")).to_contain_text("Lena invited nia@lifebuoy.test")
    invitee.fill("input[name=password1]", NEW_PASSWORD)
    invitee.fill("input[name=password2]", NEW_PASSWORD)
    invitee.click("button:has-text('Create my account')")
    expect(invitee.locator(".flash")).to_have_text("Welcome, Nia. You are signed in.")
    expect(invitee.locator("#top-nav")).to_contain_text("Queue")  # the desk, as an agent

    desk.reload()
    expect(desk.locator("table.people-table").first).to_contain_text("No open invitations.")


def test_an_organization_admin_invites_and_deactivates_colleagues(
    chromium, live_server, alice, carol
):
    base = live_server.url
    admin = chromium.new_context().new_page()
    sign_in(admin, base, alice.email)
    admin.click("nav >> text=Colleagues")
    expect(admin.locator("h1")).to_have_text("Colleagues at Acme")

    admin.fill("input[name=email]", "not-an-address")
    admin.click("button:has-text('Send invitation')")
    expect(admin.locator(".errorlist")).to_contain_text("Enter a valid email address.")
    admin.fill("input[name=email]", "dana@acme.example")
    admin.fill("input[name=full_name]", "Dana")
    admin.click("button:has-text('Send invitation')")
    expect(admin.locator(".flash")).to_have_text("Invitation sent to dana@acme.example.")
    expect(admin.locator("table.people-table").nth(1)).to_contain_text("dana@acme.example")

    carol_row = admin.locator("tr", has_text="carol@acme.example")
    carol_row.locator("button:has-text('Deactivate')").click()
    expect(admin.locator(".flash")).to_have_text("Carol is deactivated.")
    expect(admin.locator("tr", has_text="carol@acme.example")).to_contain_text("Deactivated")

    colleague = chromium.new_context().new_page()
    colleague.goto(f"{base}/accounts/login/")
    colleague.fill("input[name=username]", carol.email)
    colleague.fill("input[name=password]", PASSWORD)
    colleague.click("button[type=submit]")
    expect(colleague.locator(".errorlist")).to_be_visible()

    invitee = chromium.new_context().new_page()
    invitee.goto(base + _emailed_path("dana@acme.example", JOIN))
    invitee.fill("input[name=password1]", NEW_PASSWORD)
    invitee.fill("input[name=password2]", NEW_PASSWORD)
    invitee.click("button:has-text('Create my account')")
    expect(invitee.locator("#top-nav")).to_contain_text("My tickets")
    expect(invitee.locator("#top-nav")).not_to_contain_text("Colleagues")  # a plain member

    admin.reload()
    expect(admin.locator("tr", has_text="dana@acme.example").first).to_contain_text("Member")
