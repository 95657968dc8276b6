"""Who may act on an invitation or a person, as a matrix over every persona: the gates in
``accounts.people.selectors`` through the pages that use them. Another organization's
invitation or person is the same 404 as one that does not exist; a role that manages nothing
gets the 403 page."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.accounts.models import Invitation, Role, User
from lifebuoy.accounts.people.services import NewInvitation, invitation_create

pytestmark = pytest.mark.django_db

DONE, NOT_FOUND, FORBIDDEN, OK = (
    HTTPStatus.FOUND,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.FORBIDDEN,
    HTTPStatus.OK,
)
PERSONAS = ["alice", "carol", "charlie", "ted", "grace", "lena", "ada"]
STAFF = ["ted", "grace", "lena", "ada"]

# invitation -> persona -> answer to revoking it
INVITATIONS = {
    "acme customer": {
        "alice": DONE,
        "carol": FORBIDDEN,
        "charlie": NOT_FOUND,
        **dict.fromkeys(STAFF, DONE),
    },
    "globex customer": {
        "alice": NOT_FOUND,
        "carol": FORBIDDEN,
        "charlie": DONE,
        **dict.fromkeys(STAFF, DONE),
    },
    "agent": {
        "alice": NOT_FOUND,
        "carol": FORBIDDEN,
        "charlie": NOT_FOUND,
        "ted": NOT_FOUND,
        "grace": NOT_FOUND,
        "lena": DONE,
        "ada": DONE,
    },
    "admin": {
        "alice": NOT_FOUND,
        "carol": FORBIDDEN,
        "charlie": NOT_FOUND,
        "ted": NOT_FOUND,
        "grace": NOT_FOUND,
        "lena": NOT_FOUND,
        "ada": DONE,
    },
}

# person -> persona -> answer to deactivating them (one's own row is left out: refused as such)
PEOPLE = {
    "carol": {
        "alice": DONE,
        "charlie": NOT_FOUND,
        "ted": FORBIDDEN,
        "grace": FORBIDDEN,
        "lena": DONE,
        "ada": DONE,
    },
    "charlie": {
        "alice": NOT_FOUND,
        "carol": FORBIDDEN,
        "ted": FORBIDDEN,
        "grace": FORBIDDEN,
        "lena": DONE,
        "ada": DONE,
    },
    "ted": {
        "alice": NOT_FOUND,
        "carol": FORBIDDEN,
        "charlie": NOT_FOUND,
        "grace": FORBIDDEN,
        "lena": DONE,
        "ada": DONE,
    },
    "ada": {
        "alice": NOT_FOUND,
        "carol": FORBIDDEN,
        "charlie": NOT_FOUND,
        "ted": FORBIDDEN,
        "grace": FORBIDDEN,
        "lena": NOT_FOUND,
    },
}

PAGES = {
    "/portal/colleagues/": {
        "alice": OK,
        "carol": FORBIDDEN,
        "charlie": OK,
        **dict.fromkeys(STAFF, FORBIDDEN),
    },
    "/desk/people/": {
        "alice": FORBIDDEN,
        "carol": FORBIDDEN,
        "charlie": FORBIDDEN,
        **dict.fromkeys(STAFF, OK),
    },
}


@pytest.fixture
def invitations(alice, charlie, lena, ada, now) -> dict[str, Invitation]:
    def make(
        actor: User, email: str, role: str = Role.CUSTOMER, tier: int | None = None
    ) -> Invitation:
        data = NewInvitation(email=email, role=role, tier=tier)
        return invitation_create(actor=actor, data=data, now=now)

    return {
        "acme customer": make(alice, "new@acme.example"),
        "globex customer": make(charlie, "new@globex.example"),
        "agent": make(lena, "agent@lifebuoy.test", role=Role.AGENT, tier=1),
        "admin": make(ada, "boss@lifebuoy.test", role=Role.ADMIN),
    }


def _client(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("which", list(INVITATIONS))
def test_revoking_an_invitation(request, invitations, which, persona):
    invitation = invitations[which]
    for person in PERSONAS:
        request.getfixturevalue(person)
    client = _client(request.getfixturevalue(persona))
    response = client.post(f"/accounts/invitations/{invitation.id}/revoke/")
    assert response.status_code == INVITATIONS[which][persona]
    invitation.refresh_from_db()
    assert (invitation.revoked_at is not None) is (response.status_code == DONE)
    missing = client.post("/accounts/invitations/999999/revoke/")
    assert missing.status_code == (FORBIDDEN if persona == "carol" else NOT_FOUND)


@pytest.mark.parametrize(("target", "persona"), [(t, p) for t, row in PEOPLE.items() for p in row])
def test_deactivating_a_person(request, target, persona):
    for person in PERSONAS:
        request.getfixturevalue(person)
    person = request.getfixturevalue(target)
    client = _client(request.getfixturevalue(persona))
    response = client.post(f"/accounts/people/{person.id}/active/", {"active": "0"})
    assert response.status_code == PEOPLE[target][persona]
    person.refresh_from_db()
    assert person.is_active is (response.status_code != DONE)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("path", list(PAGES))
def test_the_people_pages(request, path, persona):
    response = _client(request.getfixturevalue(persona)).get(path)
    assert response.status_code == PAGES[path][persona]


def test_an_organization_admin_sees_only_their_organizations_people(
    alice, carol, charlie, invitations
):
    page = _client(alice).get("/portal/colleagues/").content.decode()
    assert "carol@acme.example" in page
    assert "new@acme.example" in page
    assert "charlie@globex.example" not in page
    assert "new@globex.example" not in page
    assert "agent@lifebuoy.test" not in page


def test_agents_see_customer_invitations_only(ted, invitations):
    page = _client(ted).get("/desk/people/").content.decode()
    assert "new@acme.example" in page
    assert "agent@lifebuoy.test" not in page
    assert "boss@lifebuoy.test" not in page
