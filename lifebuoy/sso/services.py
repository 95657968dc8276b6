"""Writes and decisions for single sign-on.

``identity_provider_save`` keeps an organization's provider, its allauth app and its domains in
step. ``sso_account_for`` decides, when an identity provider vouches for an address, which
account that is: an existing customer of the provider's organization, or a new one created in
that organization only. Anything else is refused with a sentence the person can act on.
"""

from __future__ import annotations

from dataclasses import dataclass

from allauth.socialaccount.models import SocialApp
from django.db import IntegrityError, transaction

from lifebuoy.accounts.auth import email_normalize
from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.core.errors import PermissionDenied, ValidationFailed

from .models import PROVIDER, IdentityProvider, SsoDomain
from .selectors import email_domain


@dataclass(frozen=True)
class ProviderSettings:
    issuer_url: str
    client_id: str
    client_secret: str
    domains: list[str]
    is_enabled: bool = True


def domains_parse(text: str) -> list[str]:
    """Domains as people type them: commas or spaces between, an optional leading ``@``."""
    parts = text.replace(",", " ").split()
    return sorted({p.strip().lower().lstrip("@").rstrip(".") for p in parts if p.strip("@. ")})


def provider_settings_check(*, organization: Organization, settings: ProviderSettings) -> None:
    """Raise ``ValidationFailed`` naming each field that cannot be saved as given."""
    errors = {}
    if not settings.issuer_url.startswith(("https://", "http://")):
        errors["issuer_url"] = "Give the issuer's URL, starting with https://."
    if not settings.client_id.strip():
        errors["client_id"] = "Give the client id the identity provider issued."
    if not settings.domains:
        errors["domains"] = "Name at least one email domain, such as example.com."
    bad = [d for d in settings.domains if "." not in d or "@" in d or " " in d]
    if bad:
        errors["domains"] = f"Not a domain: {', '.join(bad)}."
    taken = sorted(
        SsoDomain.objects.filter(domain__in=settings.domains)
        .exclude(provider__organization=organization)
        .values_list("domain", flat=True)
    )
    if taken and "domains" not in errors:
        errors["domains"] = f"Already signs in to another organization: {', '.join(taken)}."
    if errors:
        raise ValidationFailed.for_fields(errors)


@transaction.atomic
def identity_provider_save(
    *, organization: Organization, settings: ProviderSettings
) -> IdentityProvider:
    """Create or change ``organization``'s identity provider. A domain already routed to
    another organization is refused; the organization's other domains stop routing to it."""
    provider_settings_check(organization=organization, settings=settings)
    provider = (
        IdentityProvider.objects.select_for_update()
        .select_related("app")
        .filter(organization=organization)
        .first()
    )
    app = provider.app if provider is not None else SocialApp(provider=PROVIDER)
    app.provider_id = f"org-{organization.pk}"
    app.name = organization.name
    app.client_id = settings.client_id.strip()
    if settings.client_secret:  # empty keeps the secret already stored
        app.secret = settings.client_secret
    app.settings = {
        "server_url": settings.issuer_url.rstrip("/"),
        "oauth_pkce_enabled": True,
        "fetch_userinfo": True,
    }
    app.save()
    if provider is None:
        provider = IdentityProvider.objects.create(organization=organization, app=app)
    provider.is_enabled = settings.is_enabled
    provider.save(update_fields=["is_enabled", "updated_at"])
    provider.domains.exclude(domain__in=settings.domains).delete()
    have = set(provider.domains.values_list("domain", flat=True))
    try:
        with transaction.atomic():
            SsoDomain.objects.bulk_create(
                [SsoDomain(provider=provider, domain=d) for d in settings.domains if d not in have]
            )
    except IntegrityError as error:  # another organization claimed one at the same moment
        raise ValidationFailed.for_fields(
            {"domains": "One of these domains was just claimed by another organization."}
        ) from error
    return provider


def _refused(message: str) -> PermissionDenied:
    return PermissionDenied("sso_refused", message)


def sso_account_for(
    *, provider: IdentityProvider, email: str, email_verified: bool | None
) -> User | None:
    """The account an identity provider's sign-in for ``email`` belongs to: an existing
    customer of its organization, or None for a new one to be created there. Raises
    ``PermissionDenied`` with the reason otherwise."""
    organization = provider.organization
    address = email_normalize(email)
    if not provider.is_enabled:
        raise _refused(f"Single sign-on for {organization.name} is switched off.")
    if not address:
        raise _refused("Your identity provider did not share your email address.")
    if email_verified is False:
        raise _refused("Your identity provider has not verified your email address.")
    domain = email_domain(address)
    if not provider.domains.filter(domain=domain).exists():
        raise _refused(f"{organization.name}'s sign-in is for its own email domains, not {domain}.")
    user = User.objects.filter(email=address).first()
    if user is None:
        return None
    if user.role != Role.CUSTOMER or user.organization_id != organization.pk:
        raise _refused(
            f"The account {address} does not belong to {organization.name}; "
            "sign in with its password or ask support."
        )
    if not user.is_active:
        raise _refused(f"The account {address} has been deactivated by {organization.name}.")
    return user


def sso_user_populate(*, user: User, provider: IdentityProvider, email: str, name: str) -> User:
    """What a new account created by single sign-on holds: a customer of the provider's
    organization with no password of its own."""
    user.email = email_normalize(email)
    user.full_name = name.strip()[:200]
    user.role = Role.CUSTOMER
    user.organization = provider.organization
    user.is_organization_admin = False
    user.set_unusable_password()
    return user
