"""Writes for tenancy: organizations, people, API tokens, and one's own profile (name, time
zone, email choices, a password reset, a change of sign-in address)."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.urls import reverse

from lifebuoy.core.errors import InvalidState, NotFound, ValidationFailed
from lifebuoy.core.links import absolute_url

from .auth import email_normalize
from .mail import account_email_queue, account_email_render
from .models import ApiToken, EmailChange, Organization, Queue, User
from .timezones import zone_parse
from .token_lookup import api_token_by_hash
from .tokens import link_token_hash, link_token_new

LAST_USED_PRECISION = timedelta(minutes=1)
TOKEN_PREFIX = "lb_"  # noqa: S105  # a public marker, not a secret


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is shown once and never stored."""
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationFailed.for_fields({"name": "Give the token a name of 1 to 100 characters."})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:11], key_hash=_hash(secret)
    )
    return token, secret


def user_timezone_set(*, user: User, timezone: str) -> None:
    """Show ``user``'s pages in ``timezone`` from now on; "" goes back to the default (the
    organization's for customers, the browser's for staff)."""
    timezone = timezone.strip()
    if timezone and zone_parse(timezone) is None:
        message = f"“{timezone}” is not a known time zone (try Europe/Berlin)."
        raise ValidationFailed.for_fields({"timezone": message})
    user.timezone = timezone
    user.save(update_fields=["timezone"])


def api_token_authenticate(*, secret: str, now: datetime) -> User | None:
    """The active user behind ``secret``, or None. Records when the token was last used."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = api_token_by_hash(key_hash=_hash(secret))
    if token is None or not token.user.is_active:
        return None
    # Minute precision is enough, and spares a write on every request of a busy client.
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(id=token.id).update(last_used_at=now)
    return token.user


def api_token_revoke(*, user: User, token_id: int) -> None:
    deleted, _ = ApiToken.objects.filter(user=user, id=token_id).delete()
    if not deleted:
        raise NotFound("token_not_found", f"Token {token_id} was not found.")


@transaction.atomic
def organization_create(
    *, name: str, slug: str, plan: str, timezone: str, country: str = ""
) -> Organization:
    org = Organization(name=name, slug=slug, plan=plan, timezone=timezone, country=country)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise ValidationFailed.for_fields(
            {field: " ".join(msgs) for field, msgs in exc.message_dict.items()}
        ) from exc
    org.save()
    if org.support_tier >= 3:
        Queue.objects.create(
            name=f"{name} (dedicated)", slug=f"dedicated-{slug}", tier=3, organization=org
        )
    return org


COMMUNITY_SLUG = "community"


def community_organization_get_or_create() -> Organization:
    """The "no organization" bucket for people who reach us without an account (e.g. by email)."""
    org = Organization.objects.filter(slug=COMMUNITY_SLUG).first()
    if org is not None:
        return org
    return organization_create(
        name="Community (no organization)", slug=COMMUNITY_SLUG, plan="community", timezone="UTC"
    )


def customer_create(*, email: str, full_name: str, organization: Organization) -> User:
    """A customer known only by address so far: no usable password until they reset one."""
    return User.objects.create_user(
        email, None, full_name=full_name[:200], role="customer", organization=organization
    )


# The profile: name, time zone, email choices, password reset and a change of address.


@dataclass(frozen=True)
class ProfileChanges:
    full_name: str
    timezone: str
    email_ticket_updates: bool
    email_surveys: bool
    email_business_reviews: bool


def profile_update(*, user: User, changes: ProfileChanges) -> None:
    """Save what the profile page edits (the time zone as ``user_timezone_set`` checks it)."""
    full_name = changes.full_name.strip()
    if len(full_name) > 200:
        raise ValidationFailed.for_fields({"full_name": "Keep the name to 200 characters."})
    with transaction.atomic():
        user_timezone_set(user=user, timezone=changes.timezone)
        user.full_name = full_name
        user.email_ticket_updates = changes.email_ticket_updates
        user.email_surveys = changes.email_surveys
        user.email_business_reviews = changes.email_business_reviews
        user.save(
            update_fields=[
                "full_name",
                "email_ticket_updates",
                "email_surveys",
                "email_business_reviews",
            ]
        )


def password_reset_email_queue(*, user: User, link: str, now: datetime) -> None:
    """The password reset email with its link (Django's single-use, expiring token). Requests
    within the same minute queue one email, so a loop cannot flood someone's inbox."""
    hours = max(1, settings.PASSWORD_RESET_TIMEOUT // 3600)
    email = account_email_render(
        key=f"email:password-reset:{user.id}:{now:%Y%m%d%H%M}",
        to=user.email,
        subject="Reset your Lifebuoy password",
        template="password_reset",
        context={"user": user, "link": link, "hours": hours},
    )
    account_email_queue(email=email, now=now)


def address_clean(raw: str, field: str) -> str:
    address = email_normalize(raw)
    try:
        validate_email(address)
    except ValidationError:
        raise ValidationFailed.for_fields({field: "Enter a valid email address."}) from None
    if address.endswith(".invalid"):
        raise ValidationFailed.for_fields({field: "Enter an address that receives mail."})
    return address


def address_taken(address: str) -> bool:
    return User.objects.filter(email__iexact=address).exists()


@transaction.atomic
def email_change_request(*, user: User, new_email: str, now: datetime) -> EmailChange:
    """Send a confirmation link to ``new_email``; the address changes only when it is opened.
    An earlier request that was not confirmed stops working. Whether the address belongs to
    someone else is not said here (nor to the new address): the confirmation refuses it."""
    address = address_clean(new_email, "new_email")
    if address == user.email:
        raise ValidationFailed.for_fields({"new_email": "This is your address already."})
    EmailChange.objects.filter(user=user, confirmed_at__isnull=True).delete()
    token, token_hash = link_token_new()
    change = EmailChange.objects.create(
        user=user,
        new_email=address,
        token_hash=token_hash,
        created_at=now,
        expires_at=now + timedelta(hours=settings.LIFEBUOY_EMAIL_CHANGE_HOURS),
    )
    link = absolute_url(reverse("accounts:email_confirm", args=[token]))
    email = account_email_render(
        key=f"email:email-change:{change.id}",
        to=address,
        subject="Confirm your new Lifebuoy sign-in address",
        template="email_change",
        context={"user": user, "link": link, "hours": settings.LIFEBUOY_EMAIL_CHANGE_HOURS},
    )
    account_email_queue(email=email, now=now)
    return change


@transaction.atomic
def email_change_confirm(*, token: str, now: datetime) -> User:
    """Make the change the link names, once and before it expires; the old address is told."""
    changes = EmailChange.objects.filter(
        token_hash=link_token_hash(token), confirmed_at__isnull=True, expires_at__gt=now
    )
    change = changes.select_related("user").first()
    # The conditional update decides between two clicks of the same link.
    if change is None or changes.filter(id=change.id).update(confirmed_at=now) != 1:
        raise NotFound("link_not_valid", "This link has expired or was used already.")
    user = User.objects.select_for_update().get(id=change.user_id)
    if not user.is_active:
        raise NotFound("link_not_valid", "This link has expired or was used already.")
    if address_taken(change.new_email):
        message = f"{change.new_email} is the address of another account; it was not changed."
        raise InvalidState("email_taken", message)
    old = user.email
    user.email = change.new_email
    user.save(update_fields=["email"])
    notice = account_email_render(
        key=f"email:email-changed:{change.id}",
        to=old,
        subject="Your Lifebuoy sign-in address was changed",
        template="email_changed",
        context={"user": user, "old": old},
    )
    account_email_queue(email=notice, now=now)
    return user
