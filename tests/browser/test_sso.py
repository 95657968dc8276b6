"""A new colleague at an organization with single sign-on signs in through its identity
provider (the test provider on 127.0.0.1) and lands in the portal, in an account of that
organization created on the way."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from lifebuoy.accounts.models import User
from lifebuoy.sso.services import ProviderSettings, identity_provider_save
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, oidc_provider

__all__ = ["oidc_provider"]  # the fixture

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.mark.parametrize("width", [1440, 390])
def test_a_new_colleague_signs_in_through_the_organizations_provider(
    chromium, live_server, acme, oidc_provider, width
):
    identity_provider_save(
        organization=acme,
        settings=ProviderSettings(
            issuer_url=oidc_provider.issuer,
            client_id=CLIENT_ID,
            client_secret=CLIENT_SECRET,
            domains=["acme.example"],
        ),
    )
    oidc_provider.add("dana@acme.example", "Dana Scully")
    context = chromium.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()

    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_role("link", name="Sign in with your company's single sign-on").click()
    page.get_by_label("Work email").fill("someone@globex.example")
    page.get_by_role("button", name="Continue").click()
    expect(page.locator(".errorlist")).to_contain_text("globex.example has no single sign-on")

    page.get_by_label("Work email").fill("Dana@acme.example")
    page.get_by_role("button", name="Continue").click()

    expect(page).to_have_url(f"{live_server.url}/portal/")
    expect(page.locator("a.who")).to_have_text("Dana Scully")
    dana = User.objects.get(email="dana@acme.example")
    assert dana.organization_id == acme.id
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    context.close()
