"""An admin connects an organization's identity provider from the admin site."""

from __future__ import annotations

import pytest
from allauth.socialaccount.models import SocialApp

from lifebuoy.sso.models import IdentityProvider
from lifebuoy.sso.selectors import identity_provider_for_email

pytestmark = pytest.mark.django_db

ADD = "/admin/sso/identityprovider/add/"


def _form(acme, **changes):
    data = {
        "organization": acme.id,
        "issuer_url": "https://login.acme.example/realms/acme/",
        "client_id": "lifebuoy",
        "client_secret": "s3cret",
        "domains": "@Acme.example, acme-labs.example",
        "is_enabled": "on",
    }
    data.update(changes)
    return data


def test_an_admin_connects_a_provider_and_its_domains_route_to_it(client, ada, acme):
    client.force_login(ada)
    response = client.post(ADD, _form(acme))
    assert response.status_code == 302, response.content.decode()[:2000]

    provider = IdentityProvider.objects.get(organization=acme)
    app = SocialApp.objects.get(pk=provider.app_id)
    assert (app.provider, app.client_id, app.secret) == ("openid_connect", "lifebuoy", "s3cret")
    assert app.settings["server_url"] == "https://login.acme.example/realms/acme"
    assert identity_provider_for_email(email="Zoe@ACME-labs.example") == provider

    # Changing it without a secret keeps the secret; a dropped domain stops routing.
    change = f"/admin/sso/identityprovider/{provider.pk}/change/"
    response = client.post(change, _form(acme, client_secret="", domains="acme.example"))
    assert response.status_code == 302
    app.refresh_from_db()
    assert app.secret == "s3cret"
    assert identity_provider_for_email(email="zoe@acme-labs.example") is None
    assert identity_provider_for_email(email="zoe@acme.example") == provider


def test_bad_settings_are_named_field_by_field(client, ada, acme, globex):
    client.force_login(ada)
    client.post(ADD, _form(globex, domains="globex.example"))
    taken = client.post(ADD, _form(acme, domains="globex.example"))
    assert taken.status_code == 200
    assert "Already signs in to another organization: globex.example" in taken.content.decode()
    bad = client.post(ADD, _form(acme, domains="acme.example nodot"))
    assert "Not a domain: nodot" in bad.content.decode()
    blank = client.post(ADD, _form(acme, client_id=" ", issuer_url="not a url"))
    assert "This field is required" in blank.content.decode()
    assert "Enter a valid URL" in blank.content.decode()
    assert not IdentityProvider.objects.filter(organization=acme).exists()


def test_only_admins_reach_the_page(client, lena):
    client.force_login(lena)
    assert client.get(ADD).status_code in (302, 403)
