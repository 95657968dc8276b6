"""An organization's identity provider and the email domains routed to it.

The OpenID Connect client itself (issuer, client id and secret) is django-allauth's
``SocialApp``; this app ties one to an organization, which is what decides where a person who
signs in for the first time belongs.
"""

from __future__ import annotations

from allauth.socialaccount.models import SocialApp
from django.db import models

from lifebuoy.accounts.models import Organization
from lifebuoy.core.models import TimeStampedModel

PROVIDER = "openid_connect"


class IdentityProvider(TimeStampedModel):
    organization = models.OneToOneField(
        Organization, on_delete=models.CASCADE, related_name="identity_provider"
    )
    app = models.OneToOneField(SocialApp, on_delete=models.PROTECT, related_name="lifebuoy_sso")
    is_enabled = models.BooleanField(
        "enabled", default=True, help_text="Off: the domains sign in with passwords again."
    )

    class Meta:
        verbose_name = "identity provider"

    def __str__(self) -> str:
        return f"{self.organization.name} ({self.app.settings.get('server_url', '')})"

    @property
    def provider_id(self) -> str:
        return self.app.provider_id


class SsoDomain(models.Model):
    """An email domain whose people sign in through ``provider`` (one provider per domain)."""

    provider = models.ForeignKey(IdentityProvider, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, unique=True)

    class Meta:
        verbose_name = "email domain"

    def __str__(self) -> str:
        return self.domain
