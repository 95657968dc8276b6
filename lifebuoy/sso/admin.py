"""Admins set up an organization's identity provider here: issuer, client and email domains.
allauth's own app record is kept in step by the service; people never edit it by hand."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest

from lifebuoy.core.errors import ValidationFailed

from .models import IdentityProvider
from .services import (
    ProviderSettings,
    domains_parse,
    identity_provider_save,
    provider_settings_check,
)


class IdentityProviderForm(forms.ModelForm):  # type: ignore[type-arg]
    issuer_url = forms.URLField(
        assume_scheme="https",
        label="Issuer URL",
        help_text="The OpenID Connect issuer, e.g. https://login.example.com/realms/acme "
        "(its /.well-known/openid-configuration is read from there).",
    )
    client_id = forms.CharField(max_length=191)
    client_secret = forms.CharField(
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text="Leave empty to keep the secret already saved.",
    )
    domains = forms.CharField(
        label="Email domains",
        help_text="Comma-separated. People with these addresses sign in through this provider; "
        "a new one becomes a customer of this organization on first sign-in.",
    )

    class Meta:
        model = IdentityProvider
        fields = ("organization", "is_enabled")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            app = self.instance.app
            self.fields["organization"].disabled = True
            self.initial.update(
                issuer_url=app.settings.get("server_url", ""),
                client_id=app.client_id,
                domains=", ".join(self.instance.domains.values_list("domain", flat=True)),
            )
        else:
            self.fields["client_secret"].required = True

    def provider_settings(self) -> ProviderSettings:
        data = self.cleaned_data
        return ProviderSettings(
            issuer_url=data.get("issuer_url", ""),
            client_id=data.get("client_id", ""),
            client_secret=data.get("client_secret", ""),
            domains=domains_parse(data.get("domains", "")),
            is_enabled=data.get("is_enabled", True),
        )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        organization = data.get("organization") or getattr(self.instance, "organization", None)
        if organization is not None and not self.errors:
            try:
                provider_settings_check(
                    organization=organization, settings=self.provider_settings()
                )
            except ValidationFailed as error:
                for field, message in error.extra.get("fields", {}).items():
                    self.add_error(field if field in self.fields else None, message)
        return data


@admin.register(IdentityProvider)
class IdentityProviderAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    form = IdentityProviderForm
    list_display = ("organization", "issuer", "domain_list", "is_enabled")
    list_select_related = ("organization", "app")

    @admin.display(description="Issuer")
    def issuer(self, obj: IdentityProvider) -> str:
        return str(obj.app.settings.get("server_url", ""))

    @admin.display(description="Email domains")
    def domain_list(self, obj: IdentityProvider) -> str:
        return ", ".join(obj.domains.values_list("domain", flat=True))

    def save_model(
        self, request: HttpRequest, obj: IdentityProvider, form: Any, change: bool
    ) -> None:
        saved = identity_provider_save(
            organization=form.cleaned_data.get("organization") or obj.organization,
            settings=form.provider_settings(),
        )
        obj.pk, obj.app_id = saved.pk, saved.app_id
        obj.refresh_from_db()
