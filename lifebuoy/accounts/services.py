"""Writes for tenancy: organizations, people and API tokens."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction

from lifebuoy.core.errors import NotFound, ValidationFailed

from .models import ApiToken, Organization, Queue, User
from .timezones import zone_parse

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
    token = (
        ApiToken.objects.select_related("user__organization").filter(key_hash=_hash(secret)).first()
    )
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
