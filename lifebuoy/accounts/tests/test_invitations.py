"""Invitations: who may invite whom, the emailed single-use expiring link, the invitee's own
password, and deactivating a colleague."""

from __future__ import annotations

import re
from datetime import timedelta
from http import HTTPStatus

import pytest
from django.test import Client
from django.utils import timezone

from lifebuoy.accounts.models import Invitation, Role, User
from lifebuoy.accounts.people.services import (
    NewInvitation,
    invitation_accept,
    invitation_create,
    invitation_resend,
    person_deactivate,
    person_organization_admin_set,
)
from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.notifications.models import Delivery

pytestmark = pytest.mark.django_db

LINK = re.compile(r"https?://[^/\s]+/accounts/join/([^\s/]+)/")
PASSWORD = "Chosen-by-me-42"


def _token(email: str) -> str:
    delivery = Delivery.objects.filter(target=email).order_by("-id").first()
    assert delivery is not None
    match = LINK.search(delivery.payload["text"])
    assert match is not None, delivery.payload["text"]
    return match[1]


def test_an_invitee_chooses_their_password_and_joins_once(alice, acme, now):
    invitation = invitation_create(
        actor=alice, data=NewInvitation(email=" Dana@Acme.example ", full_name="Dana"), now=now
    )
    assert invitation.email == "dana@acme.example"
    assert not User.objects.filter(email="dana@acme.example").exists()  # not before accepting
    email = Delivery.objects.get(target="dana@acme.example")
    assert "Alice invited you to Acme's support account" in email.payload["text"]
    token = _token("dana@acme.example")
    assert token not in invitation.token_hash

    dana = invitation_accept(token=token, full_name="Dana Scully", password=PASSWORD, now=now)
    assert (dana.role, dana.organization, dana.full_name) == (Role.CUSTOMER, acme, "Dana Scully")
    assert dana.check_password(PASSWORD)
    assert not dana.is_organization_admin
    with pytest.raises(NotFound):
        invitation_accept(token=token, full_name="Again", password=PASSWORD, now=now)


def test_the_link_expires(alice, now):
    invitation_create(actor=alice, data=NewInvitation(email="late@acme.example"), now=now)
    with pytest.raises(NotFound):
        invitation_accept(
            token=_token("late@acme.example"),
            full_name="Late",
            password=PASSWORD,
            now=now + timedelta(days=7, seconds=1),
        )


def test_sending_again_replaces_the_link(alice, now):
    invitation = invitation_create(actor=alice, data=NewInvitation(email="x@acme.example"), now=now)
    old = _token("x@acme.example")
    invitation_resend(actor=alice, invitation=invitation, now=now + timedelta(days=6))
    new = _token("x@acme.example")
    assert old != new
    with pytest.raises(NotFound):
        invitation_accept(token=old, full_name="X", password=PASSWORD, now=now)
    later = now + timedelta(days=12)  # the new link counts its days from being sent again
    assert invitation_accept(token=new, full_name="X", password=PASSWORD, now=later).is_active


def test_a_weak_password_is_refused_and_the_link_still_works(alice, now):
    invitation_create(actor=alice, data=NewInvitation(email="w@acme.example"), now=now)
    token = _token("w@acme.example")
    with pytest.raises(ValidationFailed) as refused:
        invitation_accept(token=token, full_name="W", password="password", now=now)
    assert "password" in refused.value.extra["fields"]
    assert invitation_accept(token=token, full_name="W", password=PASSWORD, now=now).is_active


@pytest.mark.parametrize(
    ("actor", "data", "field"),
    [
        ("ted", NewInvitation(email="a@lifebuoy.test", role=Role.AGENT, tier=1), "role"),
        ("lena", NewInvitation(email="a@lifebuoy.test", role=Role.ADMIN), "role"),
        ("lena", NewInvitation(email="a@lifebuoy.test", role=Role.AGENT), "tier"),
        ("ted", NewInvitation(email="a@x.example"), "organization"),
        ("alice", NewInvitation(email="a@x.example", role=Role.AGENT, tier=1), "role"),
        ("alice", NewInvitation(email="carol@ACME.example"), "email"),
        ("alice", NewInvitation(email="not an address"), "email"),
    ],
)
def test_what_an_inviter_may_not_send_is_a_field_error(request, carol, actor, data, field, now):
    with pytest.raises(ValidationFailed) as refused:
        invitation_create(actor=request.getfixturevalue(actor), data=data, now=now)
    assert field in refused.value.extra["fields"]
    assert not Invitation.objects.exists()


def test_plain_members_invite_nobody(carol, now):
    with pytest.raises(PermissionDenied):
        invitation_create(actor=carol, data=NewInvitation(email="z@acme.example"), now=now)


def test_an_organization_admin_invites_into_their_own_organization_only(alice, globex, now):
    data = NewInvitation(email="z@globex.example", organization=globex, is_organization_admin=True)
    invitation = invitation_create(actor=alice, data=data, now=now)
    assert invitation.organization_id == alice.organization_id
    assert invitation.is_organization_admin


def test_leads_invite_staff_who_join_with_their_role(lena, now):
    data = NewInvitation(email="new.agent@lifebuoy.test", role=Role.AGENT, tier=2)
    invitation_create(actor=lena, data=data, now=now)
    email = Delivery.objects.get(target="new.agent@lifebuoy.test")
    assert "as support agent" in email.payload["text"]
    agent = invitation_accept(
        token=_token("new.agent@lifebuoy.test"), full_name="Nia", password=PASSWORD, now=now
    )
    assert (agent.role, agent.tier, agent.organization) == (Role.AGENT, 2, None)


def test_another_organizations_open_invitation_is_not_taken_over(alice, charlie, now):
    invitation_create(actor=charlie, data=NewInvitation(email="both@x.example"), now=now)
    with pytest.raises(ValidationFailed) as refused:
        invitation_create(actor=alice, data=NewInvitation(email="both@x.example"), now=now)
    assert refused.value.extra["fields"] == {
        "email": "both@x.example has an open invitation already."
    }
    later = now + timedelta(days=8)  # once it expired, anyone may invite the address
    again = invitation_create(actor=alice, data=NewInvitation(email="both@x.example"), now=later)
    assert again.organization_id == alice.organization_id


def test_an_address_that_got_an_account_meanwhile_is_refused_at_acceptance(alice, acme, now):
    invitation_create(actor=alice, data=NewInvitation(email="twice@acme.example"), now=now)
    User.objects.create_user("twice@acme.example", None, role="customer", organization=acme)
    with pytest.raises(InvalidState):
        invitation_accept(
            token=_token("twice@acme.example"), full_name="T", password=PASSWORD, now=now
        )


def test_the_accept_page_signs_the_invitee_in(client, alice):
    now = timezone.now()  # the page reads the clock
    invitation_create(actor=alice, data=NewInvitation(email="page@acme.example"), now=now)
    path = f"/accounts/join/{_token('page@acme.example')}/"
    assert "Alice invited page@acme.example" in client.get(path).content.decode()
    mismatch = client.post(path, {"full_name": "P", "password1": PASSWORD, "password2": "x"})
    assert mismatch.status_code == HTTPStatus.OK
    assert mismatch.context["form"].errors["password2"]
    weak = client.post(path, {"full_name": "P", "password1": "abc", "password2": "abc"})
    assert weak.context["form"].errors["password1"]
    done = client.post(path, {"full_name": "P", "password1": PASSWORD, "password2": PASSWORD})
    assert done["Location"] == "/"
    assert client.get("/portal/").status_code == HTTPStatus.OK
    gone = Client().get(path)
    assert gone.status_code == HTTPStatus.NOT_FOUND
    assert "This invitation no longer works" in gone.content.decode()


def test_a_deactivated_colleague_is_signed_out_everywhere(alice, carol, api):
    token_client = api(carol)
    browser = Client()
    browser.force_login(carol)
    person_deactivate(actor=alice, person=carol)
    assert token_client.get("/api/me").status_code == HTTPStatus.UNAUTHORIZED
    assert browser.get("/portal/").status_code == HTTPStatus.FOUND  # to the sign-in page
    signed = Client().post(
        "/accounts/login/", {"username": carol.email, "password": "pw-for-tests-1"}
    )
    assert signed.status_code == HTTPStatus.OK  # the form again, not signed in


def test_an_admin_cannot_deactivate_or_demote_themselves(alice):
    with pytest.raises(InvalidState):
        person_deactivate(actor=alice, person=alice)
    with pytest.raises(InvalidState):
        person_organization_admin_set(actor=alice, person=alice, admin=False)


def test_making_a_colleague_admin_lets_them_see_all_tickets(alice, carol):
    person_organization_admin_set(actor=alice, person=carol, admin=True)
    carol.refresh_from_db()
    assert carol.administers_organization
