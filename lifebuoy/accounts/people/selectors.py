"""Reads for managing people: invitations and the people someone may manage, each behind one
gate.

Who does what:
- an organization admin (``User.administers_organization``): invites customers into their own
  organization, and manages (deactivates, reactivates, makes admin) its customers;
- agents and engineers: invite customers into any organization;
- support leads: also invite and manage staff, except administrators;
- administrators: everything.
Anyone else is refused with 403; an invitation or a person outside what someone may manage is
the same 404 as one that does not exist.
"""

from __future__ import annotations

from datetime import datetime

from django.db.models import QuerySet

from lifebuoy.accounts.models import Invitation, Role, User
from lifebuoy.accounts.tokens import link_token_hash
from lifebuoy.core.errors import NotFound, PermissionDenied

STAFF_MANAGERS = frozenset({Role.LEAD, Role.ADMIN})


def roles_invitable_by(user: User) -> list[str]:
    """The roles ``user`` may invite people to, customers first; empty if none."""
    if not user.is_active:
        return []
    if user.administers_organization:
        return [Role.CUSTOMER]
    if user.role == Role.ADMIN:
        return [Role.CUSTOMER, Role.AGENT, Role.ENGINEER, Role.LEAD, Role.ADMIN]
    if user.role == Role.LEAD:
        return [Role.CUSTOMER, Role.AGENT, Role.ENGINEER, Role.LEAD]
    if user.is_support_staff:
        return [Role.CUSTOMER]
    return []


def _refused() -> PermissionDenied:
    return PermissionDenied(
        "not_allowed", "Only organization admins and support staff manage people."
    )


def invitation_list_for_user(*, user: User) -> QuerySet[Invitation]:
    """The gate for invitations: those of roles ``user`` may invite, and for an organization
    admin only their organization's; newest first."""
    roles = roles_invitable_by(user)
    if not roles:
        raise _refused()
    invitations = Invitation.objects.select_related("organization", "invited_by").filter(
        role__in=roles
    )
    if user.is_customer:
        own = user.organization_id
        invitations = invitations.filter(organization_id=own) if own else invitations.none()
    return invitations.order_by("-id")


def invitation_get_for_user(*, user: User, invitation_id: int) -> Invitation:
    found = invitation_list_for_user(user=user).filter(id=invitation_id).first()
    if found is None:
        raise NotFound("invitation_not_found", f"Invitation {invitation_id} was not found.")
    return found


def invitation_open_list_for_user(*, user: User) -> QuerySet[Invitation]:
    """Invitations still waiting for their invitee (expired ones included: they can be sent
    again)."""
    return invitation_list_for_user(user=user).filter(
        accepted_at__isnull=True, revoked_at__isnull=True
    )


def invitation_get_by_token(*, token: str, now: datetime) -> Invitation | None:
    """The invitation a link names while it can be accepted (the token is the credential)."""
    return (
        Invitation.objects.select_related("organization", "invited_by")
        .filter(
            token_hash=link_token_hash(token),
            accepted_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=now,
        )
        .first()
    )


def person_list_for_manager(*, user: User) -> QuerySet[User]:
    """The gate for managing people: an organization admin's colleagues (customers of their
    organization, themselves included); for leads every one but administrators; for
    administrators everyone. Other staff and plain customers are refused."""
    people = User.objects.select_related("organization").order_by("full_name", "email")
    if not user.is_active:
        raise _refused()
    if user.administers_organization and user.organization_id is not None:
        return people.filter(organization_id=user.organization_id, role=Role.CUSTOMER)
    if user.role == Role.ADMIN:
        return people
    if user.role == Role.LEAD:
        return people.exclude(role=Role.ADMIN)
    raise _refused()


def person_get_for_manager(*, user: User, person_id: int) -> User:
    found = person_list_for_manager(user=user).filter(id=person_id).first()
    if found is None:
        raise NotFound("person_not_found", f"Person {person_id} was not found.")
    return found


def may_manage_people(user: User) -> bool:
    """Whether ``user`` reaches ``person_list_for_manager`` (for the pages' links)."""
    return user.is_active and (user.administers_organization or user.role in STAFF_MANAGERS)
