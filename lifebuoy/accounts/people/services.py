"""Writes for managing people: invitations (sent, sent again, revoked, accepted), and
deactivating, reactivating and appointing organization admins.

Invariants:
- No account is made with a password someone else chose: an invitation creates the account
  only when the invitee accepts it with the password they type.
- A link works once and until it expires: accepting, sending again and revoking are
  conditional updates on an open invitation, so two of them racing change it once.
- Callers pass an invitation or a person that came through the gates in ``selectors``; the
  services check what the actor may do with it (which roles, which organization).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from lifebuoy.accounts.mail import account_email_queue, account_email_render
from lifebuoy.accounts.models import Invitation, MemberTicketAccess, Organization, Role, User
from lifebuoy.accounts.services import address_clean, address_taken
from lifebuoy.accounts.tokens import link_token_hash, link_token_new
from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied, ValidationFailed
from lifebuoy.core.links import absolute_url

from .selectors import invitation_list_for_user, roles_invitable_by


@dataclass(frozen=True)
class NewInvitation:
    email: str
    full_name: str = ""
    role: str = Role.CUSTOMER
    tier: int | None = None
    organization: Organization | None = None
    is_organization_admin: bool = False


def _checked(actor: User, data: NewInvitation) -> NewInvitation:
    """``data`` as the actor may send it: a role they may invite, an organization for a
    customer (an organization admin's own), a tier for an agent; else field errors."""
    roles = roles_invitable_by(actor)
    if not roles:
        raise PermissionDenied("not_allowed", "Only organization admins and staff invite people.")
    problems: dict[str, str] = {}
    if data.role not in roles:
        problems["role"] = "You cannot invite people to this role."
    organization = data.organization
    if actor.is_customer:
        organization = actor.organization
    if data.role == Role.CUSTOMER and organization is None:
        problems["organization"] = "Choose the organization the customer belongs to."
    if data.role == Role.AGENT and data.tier not in (1, 2, 3):
        problems["tier"] = "Choose the agent's tier."
    if len(data.full_name.strip()) > 200:
        problems["full_name"] = "Keep the name to 200 characters."
    if problems:
        raise ValidationFailed.for_fields(problems)
    customer = data.role == Role.CUSTOMER
    return NewInvitation(
        email=data.email,
        full_name=data.full_name.strip(),
        role=data.role,
        tier=data.tier if data.role == Role.AGENT else None,
        organization=organization if customer else None,
        is_organization_admin=customer and data.is_organization_admin,
    )


def _send(invitation: Invitation, token: str, now: datetime) -> None:
    inviter = invitation.invited_by.display_name if invitation.invited_by else "Support"
    email = account_email_render(
        key=f"email:invitation:{invitation.id}:{invitation.token_hash[:16]}",
        to=invitation.email,
        subject="You are invited to Lifebuoy",
        template="invitation",
        context={
            "invitation": invitation,
            "inviter": inviter,
            "role": invitation.get_role_display().lower(),
            "link": absolute_url(reverse("accounts:invitation_accept", args=[token])),
            "expires": invitation.expires_at,
        },
    )
    account_email_queue(email=email, now=now)


def _expiry(now: datetime) -> datetime:
    return now + timedelta(days=settings.LIFEBUOY_INVITATION_DAYS)


@transaction.atomic
def invitation_create(*, actor: User, data: NewInvitation, now: datetime) -> Invitation:
    """Invite ``data.email`` and email them the link. An open invitation of the same address
    is replaced when it has expired or the actor could manage it; otherwise refused."""
    data = _checked(actor, data)
    address = address_clean(data.email, "email")
    if address_taken(address):
        raise ValidationFailed.for_fields({"email": f"{address} has an account already."})
    previous = (
        Invitation.objects.select_for_update()
        .filter(email__iexact=address, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if previous is not None:
        mine = invitation_list_for_user(user=actor).filter(id=previous.id).exists()
        if previous.expires_at > now and not mine:
            message = f"{address} has an open invitation already."
            raise ValidationFailed.for_fields({"email": message})
        Invitation.objects.filter(id=previous.id).update(revoked_at=now)
    token, token_hash = link_token_new()
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                email=address,
                full_name=data.full_name,
                role=data.role,
                tier=data.tier,
                organization=data.organization,
                is_organization_admin=data.is_organization_admin,
                invited_by=actor,
                token_hash=token_hash,
                created_at=now,
                expires_at=_expiry(now),
            )
    except IntegrityError:  # invited by someone else at this very moment
        raise ValidationFailed.for_fields(
            {"email": f"{address} has an open invitation already."}
        ) from None
    _send(invitation, token, now)
    return invitation


@transaction.atomic
def invitation_resend(*, actor: User, invitation: Invitation, now: datetime) -> Invitation:
    """A new link (the old one stops working) with a fresh expiry, emailed again."""
    token, token_hash = link_token_new()
    still_open = Invitation.objects.filter(
        id=invitation.id, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if still_open.update(token_hash=token_hash, expires_at=_expiry(now)) != 1:
        raise InvalidState("invitation_closed", "This invitation was accepted or revoked.")
    invitation.refresh_from_db()
    invitation.invited_by = actor
    _send(invitation, token, now)
    return invitation


def invitation_revoke(*, actor: User, invitation: Invitation, now: datetime) -> None:
    """The link stops working."""
    still_open = Invitation.objects.filter(
        id=invitation.id, accepted_at__isnull=True, revoked_at__isnull=True
    )
    if still_open.update(revoked_at=now) != 1:
        raise InvalidState("invitation_closed", "This invitation was accepted or revoked.")


def _password_checked(password: str, invitation: Invitation, full_name: str) -> None:
    candidate = User(email=invitation.email, full_name=full_name)
    try:
        validate_password(password, user=candidate)
    except ValidationError as exc:
        raise ValidationFailed.for_fields({"password": " ".join(exc.messages)}) from None


@transaction.atomic
def invitation_accept(*, token: str, full_name: str, password: str, now: datetime) -> User:
    """Create the invitee's account with the password they chose; the link then stops
    working. A link that expired, was used or revoked is a ``NotFound``."""
    invitations = Invitation.objects.filter(
        token_hash=link_token_hash(token),
        accepted_at__isnull=True,
        revoked_at__isnull=True,
        expires_at__gt=now,
    )
    invitation = invitations.select_related("organization").first()
    if invitation is None:
        raise NotFound("link_not_valid", "This invitation has expired or was used already.")
    full_name = (full_name.strip() or invitation.full_name)[:200]
    _password_checked(password, invitation, full_name)
    if invitations.filter(id=invitation.id).update(accepted_at=now) != 1:
        raise NotFound("link_not_valid", "This invitation has expired or was used already.")
    if address_taken(invitation.email):
        raise InvalidState("email_taken", f"{invitation.email} has an account already.")
    user = User.objects.create_user(
        invitation.email,
        password,
        full_name=full_name,
        role=invitation.role,
        tier=invitation.tier,
        organization=invitation.organization,
        is_organization_admin=invitation.is_organization_admin,
    )
    Invitation.objects.filter(id=invitation.id).update(user=user)
    return user


# People: a manager passes a person from ``person_get_for_manager``.


def _not_self(actor: User, person: User, what: str) -> None:
    if actor.id == person.id:
        raise InvalidState("not_yourself", f"You cannot {what} yourself.")


def person_deactivate(*, actor: User, person: User) -> None:
    """``person`` can no longer sign in or use their API tokens; what they wrote stays."""
    _not_self(actor, person, "deactivate")
    if User.objects.filter(id=person.id, is_active=True).update(is_active=False) != 1:
        raise InvalidState("already_inactive", f"{person.display_name} is deactivated already.")
    person.is_active = False


def person_reactivate(*, actor: User, person: User) -> None:
    if User.objects.filter(id=person.id, is_active=False).update(is_active=True) != 1:
        raise InvalidState("already_active", f"{person.display_name} is active already.")
    person.is_active = True


def person_organization_admin_set(*, actor: User, person: User, admin: bool) -> None:
    """Make a customer an admin of their organization, or a plain member again."""
    if person.role != Role.CUSTOMER:
        raise InvalidState("not_a_customer", "Only customers are organization admins.")
    if not admin:
        _not_self(actor, person, "stop being an admin")
    User.objects.filter(id=person.id).update(is_organization_admin=admin)
    person.is_organization_admin = admin


def organization_ticket_access_set(*, actor: User, organization: Organization, access: str) -> None:
    """Which tickets the organization's plain members see: its own admins and support leads
    and admins choose."""
    allowed = actor.role in (Role.LEAD, Role.ADMIN) or (
        actor.administers_organization and actor.organization_id == organization.id
    )
    if not (actor.is_active and allowed):
        raise PermissionDenied("not_allowed", "Only the organization's admins choose this.")
    if access not in MemberTicketAccess.values:
        raise ValidationFailed.for_fields({"member_ticket_access": "Choose one of the options."})
    organization.member_ticket_access = access
    organization.save(update_fields=["member_ticket_access"])
