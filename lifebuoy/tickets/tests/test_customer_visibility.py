"""Which customers see a ticket, by role, organization setting and plan: one matrix over the
gate (``ticket_visible``), and the same answers through the API and the portal."""

from __future__ import annotations

from http import HTTPStatus

import pytest
from django.test import Client

from lifebuoy.accounts.models import MemberTicketAccess, Organization, Role, User
from lifebuoy.accounts.services import organization_create
from lifebuoy.notifications.staff.following import ticket_cc_add
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.selectors import TicketFilters, ticket_list_for_user, ticket_visible

from .factories import ticket_opened

pytestmark = pytest.mark.django_db

# (plan, the organization's choice) -> whether a plain member sees a colleague's ticket
SETTINGS = {
    ("cloud_starter", MemberTicketAccess.PLAN): False,
    ("cloud_professional", MemberTicketAccess.PLAN): False,
    ("community", MemberTicketAccess.PLAN): False,
    ("enterprise", MemberTicketAccess.PLAN): True,
    ("managed", MemberTicketAccess.PLAN): True,
    ("cloud_starter", MemberTicketAccess.ORGANIZATION): True,
    ("enterprise", MemberTicketAccess.OWN): False,
}


def _person(email: str, org: Organization, *, admin: bool = False) -> User:
    return User.objects.create_user(
        email, "pw-for-tests-1", role=Role.CUSTOMER, organization=org, is_organization_admin=admin
    )


def _org(plan: str, access: str) -> Organization:
    org = organization_create(name="Initech", slug="initech", plan=plan, timezone="UTC")
    org.member_ticket_access = access
    org.save(update_fields=["member_ticket_access"])
    return org


@pytest.mark.parametrize(("plan", "access"), list(SETTINGS))
def test_who_sees_a_colleagues_ticket(plan, access, charlie, ted, now):
    org = _org(plan, access)
    requester = _person("req@initech.example", org)
    colleague = _person("colleague@initech.example", org)
    copied = _person("copied@initech.example", org)
    admin = _person("admin@initech.example", org, admin=True)
    gone = _person("gone@initech.example", org, admin=True)
    ticket = ticket_opened(requester, now, subject="TPS reports")
    ticket_cc_add(ticket=ticket, actor=ted, email=copied.email, now=now)
    gone.is_active = False
    gone.save(update_fields=["is_active"])

    def sees(user: User) -> bool:
        return ticket_visible(user=user).filter(id=ticket.id).exists()

    assert sees(requester)
    assert sees(admin)
    assert sees(copied)
    assert sees(ted)
    assert sees(colleague) is SETTINGS[(plan, access)]
    assert org.members_see_all_tickets is SETTINGS[(plan, access)]
    assert not sees(charlie)  # another organization, even Premium
    assert not sees(gone)  # deactivated


def test_a_ticket_with_several_ccs_is_listed_once(ted, now):
    org = _org("cloud_starter", MemberTicketAccess.PLAN)
    requester = _person("req@initech.example", org)
    for name in ("a", "b", "c"):
        ccd = _person(f"{name}@initech.example", org)
        ticket = ticket_opened(requester, now, subject="Shared")
        ticket_cc_add(ticket=ticket, actor=ted, email=ccd.email, now=now)
    ticket_cc_add(ticket=ticket, actor=ted, email="a@initech.example", now=now)
    page = ticket_list_for_user(user=requester, filters=TicketFilters(), cursor=None)
    assert len(page.items) == Ticket.objects.count() == 3
    shared = User.objects.get(email="a@initech.example")
    assert len(ticket_list_for_user(user=shared, filters=TicketFilters(), cursor=None).items) == 2


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("requester", HTTPStatus.OK),
        ("admin", HTTPStatus.OK),
        ("colleague", HTTPStatus.NOT_FOUND),
        ("charlie", HTTPStatus.NOT_FOUND),
    ],
)
def test_the_api_and_the_portal_answer_as_the_gate(who, status, api, charlie, now):
    org = _org("cloud_starter", MemberTicketAccess.PLAN)
    people = {
        "requester": _person("req@initech.example", org),
        "admin": _person("admin@initech.example", org, admin=True),
        "colleague": _person("colleague@initech.example", org),
        "charlie": charlie,
    }
    ticket = ticket_opened(people["requester"], now, subject="TPS reports")
    assert api(people[who]).get(f"/api/tickets/{ticket.id}").status_code == status
    browser = Client()
    browser.force_login(people[who])
    assert browser.get(f"/portal/tickets/{ticket.id}/").status_code == status
    listed = "TPS reports" in browser.get("/portal/").content.decode()
    assert listed is (status == HTTPStatus.OK)
