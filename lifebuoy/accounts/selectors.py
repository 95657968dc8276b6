"""Reads for tenancy: which organizations and people a user may see."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Q, QuerySet

from lifebuoy.core.errors import NotFound

from .models import (
    PLANS_SHARING_TICKETS,
    EmailChange,
    MemberTicketAccess,
    Organization,
    Role,
    User,
)
from .tokens import link_token_hash


def organization_shares_tickets(*, prefix: str = "") -> Q:
    """Organizations whose plain members see all of their tickets, as a condition on a query
    (``prefix``: the path to the organization, e.g. ``"organization__"``). The same rule as
    ``Organization.members_see_all_tickets``."""
    access = f"{prefix}member_ticket_access"
    return Q(**{access: MemberTicketAccess.ORGANIZATION}) | Q(
        **{access: MemberTicketAccess.PLAN, f"{prefix}plan__in": sorted(PLANS_SHARING_TICKETS)}
    )


def organization_list_for_user(*, user: User) -> QuerySet[Organization]:
    """Staff see every customer organization; a customer sees only their own."""
    if user.is_support_staff:
        return Organization.objects.all()
    if user.organization_id is None:
        return Organization.objects.none()
    return Organization.objects.filter(id=user.organization_id)


def organization_search_for_user(*, user: User, text: str, limit: int = 10) -> list[Organization]:
    """The organizations ``user`` may see whose name or slug holds ``text``, by name."""
    text = text.strip()
    if not text:
        return []
    found = organization_list_for_user(user=user).filter(
        Q(name__icontains=text) | Q(slug__icontains=text)
    )
    return list(found.order_by("name", "id")[:limit])


def person_search_for_user(*, user: User, text: str, limit: int = 10) -> list[User]:
    """For staff: the active people whose name or email address holds ``text``, by name.
    Customers find nobody here (their colleagues are on the portal's own page)."""
    text = text.strip()
    if not text or not user.is_support_staff:
        return []
    found = User.objects.filter(is_active=True).filter(
        Q(full_name__icontains=text) | Q(email__icontains=text)
    )
    return list(found.select_related("organization").order_by("full_name", "email")[:limit])


def organization_get_for_user(*, user: User, organization_id: int) -> Organization:
    """The gate for organizations: missing and not-yours are the same 404."""
    org = organization_list_for_user(user=user).filter(id=organization_id).first()
    if org is None:
        raise NotFound("organization_not_found", f"Organization {organization_id} was not found.")
    return org


def customer_get(*, user_id: int | None = None, email: str | None = None) -> User:
    """The customer a member of staff files a ticket for, by id or by email address."""
    people = User.objects.filter(role=Role.CUSTOMER, is_active=True)
    found = (
        people.filter(id=user_id).first()
        if user_id is not None
        else people.filter(email__iexact=email or "").first()
    )
    if found is None:
        raise NotFound("customer_not_found", "No customer has this id or email address.")
    return found


def staff_list() -> QuerySet[User]:
    """People a ticket can be assigned to."""
    return User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("full_name")


def staff_get(*, user_id: int) -> User:
    staff = staff_list().filter(id=user_id).first()
    if staff is None:
        raise NotFound("user_not_found", f"No support staff member with id {user_id}.")
    return staff


def email_change_pending(*, user: User, now: datetime) -> EmailChange | None:
    """The change of address ``user`` asked for and has not confirmed yet, if it still can be."""
    return (
        EmailChange.objects.filter(user=user, confirmed_at__isnull=True, expires_at__gt=now)
        .order_by("-id")
        .first()
    )


def email_change_get_by_token(*, token: str, now: datetime) -> EmailChange | None:
    """The change a confirmation link names, while it can still be made (the token is the
    credential: whoever holds the link may confirm it)."""
    return (
        EmailChange.objects.select_related("user")
        .filter(
            token_hash=link_token_hash(token),
            confirmed_at__isnull=True,
            expires_at__gt=now,
            user__is_active=True,
        )
        .first()
    )
