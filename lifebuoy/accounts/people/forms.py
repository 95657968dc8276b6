from typing import Any

from django import forms
from django.contrib.auth.password_validation import (
    password_validators_help_text_html,
    validate_password,
)

from lifebuoy.accounts.models import Invitation, MemberTicketAccess, Organization, Role, User

from .selectors import roles_invitable_by


class InviteForm(forms.Form):
    """An invitation. Staff choose the role (those they may invite), a tier for an agent and
    the organization for a customer; an organization admin invites into their own."""

    email = forms.EmailField(label="Email address", max_length=254)
    full_name = forms.CharField(label="Name", max_length=200, required=False)
    role = forms.ChoiceField(label="Role")
    tier = forms.TypedChoiceField(
        label="Tier (agents)",
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", "—"), (1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")],
    )
    organization = forms.ModelChoiceField(
        label="Organization (customers)", queryset=Organization.objects.none(), required=False
    )
    is_organization_admin = forms.BooleanField(
        label="Organization admin: sees all of the organization's tickets and manages its "
        "colleagues, webhooks and business reviews",
        required=False,
    )

    def __init__(self, data: Any = None, *, actor: User, prefix: str | None = None) -> None:
        super().__init__(data, prefix=prefix)
        roles = roles_invitable_by(actor)
        role = self.fields["role"]
        assert isinstance(role, forms.ChoiceField)  # noqa: S101  # declared above
        role.choices = [(r, Role(r).label) for r in roles]
        if actor.is_customer:
            for name in ("role", "tier", "organization"):
                del self.fields[name]
            return
        organization = self.fields["organization"]
        assert isinstance(organization, forms.ModelChoiceField)  # noqa: S101  # declared above
        organization.queryset = Organization.objects.order_by("name")
        if roles == [Role.CUSTOMER]:
            del self.fields["tier"]

    def value(self, name: str, default: Any = None) -> Any:
        return self.cleaned_data.get(name, default) if name in self.fields else default


class AcceptForm(forms.Form):
    full_name = forms.CharField(label="Your name", max_length=200)
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label="The same password again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        first, second = data.get("password1"), data.get("password2")
        if first and second and first != second:
            self.add_error("password2", "The two passwords differ.")
        return data

    def __init__(self, data: Any = None, *, invitation: Invitation, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.invitation = invitation

    def clean_password1(self) -> str:
        """The validators' verdict on the box it concerns (the service checks it again)."""
        password: str = self.cleaned_data["password1"]
        candidate = User(email=self.invitation.email, full_name=self.data.get("full_name", ""))
        validate_password(password, user=candidate)
        return password


class TicketAccessForm(forms.Form):
    member_ticket_access = forms.ChoiceField(
        label="Members see", choices=MemberTicketAccess.choices
    )
