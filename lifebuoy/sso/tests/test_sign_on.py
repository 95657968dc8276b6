"""Single sign-on through an organization's OpenID Connect provider, end to end against the
test identity provider: who gets in, into which account, and who is refused."""

from __future__ import annotations

import html
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
from django.test import Client

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.sso.models import SsoDomain
from lifebuoy.sso.services import ProviderSettings, identity_provider_save
from tests.oidc_provider import CLIENT_ID, CLIENT_SECRET, Person, Provider, oidc_provider

__all__ = ["oidc_provider"]  # the fixture

pytestmark = pytest.mark.django_db


def _settings(idp: Provider, *domains: str, enabled: bool = True) -> ProviderSettings:
    return ProviderSettings(
        issuer_url=idp.issuer,
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        domains=list(domains),
        is_enabled=enabled,
    )


@pytest.fixture
def acme_sso(acme, oidc_provider):
    return identity_provider_save(
        organization=acme, settings=_settings(oidc_provider, "acme.example")
    )


def sign_on(client: Client, email: str, next_url: str = "") -> Any:
    """The browser's trip: the sign-in form, the identity provider, back to the callback."""
    at_idp = requests.get(_to_provider(client, email, next_url), allow_redirects=False, timeout=5)
    assert at_idp.status_code == 302
    back = urlsplit(at_idp.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def _to_provider(client: Client, email: str, next_url: str = "") -> str:
    """The address the start page sends the browser to (a link its script follows)."""
    started = client.post("/sso/start/", {"email": email, "next": next_url})
    assert started.status_code == 200, started.content
    found = re.search(r'href="([^"]+)" data-sso-continue', started.content.decode())
    assert found is not None
    return html.unescape(found.group(1))


def signed_in_as(client: Client) -> User | None:
    user = client.get("/accounts/profile/").wsgi_request.user
    return user if user.is_authenticated else None


def test_a_first_sign_in_creates_a_customer_of_that_organization(
    client, acme, acme_sso, oidc_provider
):
    oidc_provider.add("Dana@Acme.example", "Dana Scully")
    response = sign_on(client, "dana@acme.example", next_url="/portal/")

    assert response.status_code == 302
    assert response["Location"] == "/portal/"
    dana = User.objects.get(email="dana@acme.example")
    assert (dana.role, dana.organization, dana.full_name) == (Role.CUSTOMER, acme, "Dana Scully")
    assert not dana.is_organization_admin
    assert not dana.has_usable_password()  # nobody typed a password for her
    assert signed_in_as(client) == dana


def test_signing_in_again_reaches_the_same_account(client, acme_sso, oidc_provider):
    oidc_provider.add("dana@acme.example", "Dana Scully")
    sign_on(client, "dana@acme.example")
    client.logout()
    sign_on(client, "dana@acme.example")
    assert User.objects.filter(email="dana@acme.example").count() == 1
    user = signed_in_as(client)
    assert user is not None
    assert user.email == "dana@acme.example"


def test_an_existing_customer_of_the_organization_keeps_their_account(
    client, carol, acme_sso, oidc_provider
):
    oidc_provider.add("carol@acme.example", "Carol from the IdP")
    sign_on(client, "carol@acme.example")
    assert signed_in_as(client) == carol
    assert User.objects.filter(email__iexact="carol@acme.example").count() == 1


def test_an_address_outside_the_organizations_domains_is_refused(client, acme_sso, oidc_provider):
    # The provider vouches for an address of another company: nobody is created or signed in.
    oidc_provider.people["mallory@acme.example"] = Person("mallory@elsewhere.example", "M")
    response = sign_on(client, "mallory@acme.example")
    assert response.status_code == 403
    assert "not elsewhere.example" in response.content.decode()
    assert not User.objects.filter(email="mallory@elsewhere.example").exists()
    assert signed_in_as(client) is None


@pytest.mark.parametrize("who", ["charlie", "ted"])
def test_an_account_of_another_organization_or_staff_is_never_taken_over(
    request, client, acme, oidc_provider, who
):
    person = request.getfixturevalue(who)
    domain = person.email.split("@")[1]
    identity_provider_save(organization=acme, settings=_settings(oidc_provider, domain))
    oidc_provider.add(person.email, "Impostor")
    response = sign_on(client, person.email)
    assert response.status_code == 403
    assert "does not belong to Acme" in response.content.decode()
    assert signed_in_as(client) is None
    person.refresh_from_db()
    assert person.organization_id != acme.id or person.role != Role.CUSTOMER


def test_an_unverified_address_is_refused(client, acme_sso, oidc_provider):
    oidc_provider.add("dana@acme.example", "Dana", email_verified=False)
    response = sign_on(client, "dana@acme.example")
    assert response.status_code == 403
    assert "not verified" in response.content.decode()
    assert not User.objects.filter(email="dana@acme.example").exists()


def test_a_deactivated_colleague_stays_out(client, carol, acme_sso, oidc_provider):
    carol.is_active = False
    carol.save(update_fields=["is_active"])
    oidc_provider.add("carol@acme.example", "Carol")
    response = sign_on(client, "carol@acme.example")
    assert response.status_code == 403
    assert "deactivated" in response.content.decode()
    assert signed_in_as(client) is None


def test_a_domain_without_single_sign_on_is_told_to_use_its_password(client, acme_sso):
    response = client.post("/sso/start/", {"email": "someone@globex.example"})
    assert response.status_code == 400
    assert "globex.example has no single sign-on here" in response.content.decode()
    bad = client.post("/sso/start/", {"email": "not an address"})
    assert bad.status_code == 400
    assert "Enter a valid email address" in bad.content.decode()


def test_a_switched_off_provider_no_longer_routes_its_domain(client, acme, oidc_provider):
    identity_provider_save(
        organization=acme, settings=_settings(oidc_provider, "acme.example", enabled=False)
    )
    response = client.post("/sso/start/", {"email": "dana@acme.example"})
    assert response.status_code == 400


def test_a_domain_routes_to_one_organization_only(acme, globex, acme_sso, oidc_provider):
    with pytest.raises(ValidationFailed) as refused:
        identity_provider_save(
            organization=globex, settings=_settings(oidc_provider, "globex.example", "acme.example")
        )
    assert "acme.example" in refused.value.extra["fields"]["domains"]
    assert not SsoDomain.objects.filter(domain="globex.example").exists()  # all or nothing


def test_a_forged_or_replayed_answer_signs_nobody_in(client, acme_sso, oidc_provider):
    oidc_provider.add("dana@acme.example", "Dana")
    at_idp = requests.get(
        _to_provider(client, "dana@acme.example"), allow_redirects=False, timeout=5
    )
    back = urlsplit(at_idp.headers["Location"])
    forged = client.get(f"{back.path}?code=made-up&state=made-up")
    assert forged.status_code < 500
    assert "did not complete" in forged.content.decode()
    assert signed_in_as(client) is None
    client.get(f"{back.path}?{back.query}")  # the real answer still works, once
    assert signed_in_as(client) is not None
    client.logout()
    replayed = client.get(f"{back.path}?{back.query}")
    assert replayed.status_code < 500
    assert signed_in_as(client) is None


def test_allauths_own_sign_in_page_leads_to_lifebuoys(client):
    response = client.get("/sso/auth/login/")
    assert response.status_code in (301, 302)
    assert response["Location"] == "/accounts/login/"
