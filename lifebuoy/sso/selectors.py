"""Reads for single sign-on: which identity provider an email address signs in through."""

from __future__ import annotations

from lifebuoy.accounts.auth import email_normalize

from .models import IdentityProvider, SsoDomain


def email_domain(email: str) -> str:
    """The part after the last ``@``, lower-cased ("" when there is none)."""
    _, at, domain = email_normalize(email).rpartition("@")
    return domain if at else ""


def identity_provider_for_email(*, email: str) -> IdentityProvider | None:
    """The enabled identity provider of the address's domain, if its organization has one."""
    domain = email_domain(email)
    if not domain:
        return None
    row = (
        SsoDomain.objects.select_related("provider__app", "provider__organization")
        .filter(domain=domain, provider__is_enabled=True)
        .first()
    )
    return row.provider if row is not None else None


def identity_provider_for_app(*, provider_id: str) -> IdentityProvider | None:
    """The identity provider behind one of allauth's OpenID Connect apps."""
    return (
        IdentityProvider.objects.select_related("app", "organization")
        .filter(app__provider_id=provider_id)
        .first()
    )
