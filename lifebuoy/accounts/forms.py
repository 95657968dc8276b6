from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from lifebuoy.accounts.auth import email_normalize
from lifebuoy.accounts.models import SupportTier, User
from lifebuoy.accounts.services import password_reset_email_queue
from lifebuoy.accounts.timezones import zone_choices
from lifebuoy.core.links import absolute_url


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(
        label="Email",
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )


class ProfileForm(forms.Form):
    full_name = forms.CharField(label="Name", max_length=200, required=False)
    timezone = forms.ChoiceField(label="Time zone", required=False)
    email_ticket_updates = forms.BooleanField(
        label="Support's replies and resolutions on my tickets and those I am CC'd on",
        required=False,
    )
    email_surveys = forms.BooleanField(
        label="A short satisfaction survey after a ticket is resolved", required=False
    )
    email_business_reviews = forms.BooleanField(
        label="The quarterly business review", required=False
    )

    def __init__(self, data: Any = None, *, user: User, default_label: str) -> None:
        """``default_label``: what an empty zone means for this person. Their zone now is
        offered even when it is an alias the list leaves out. Staff choose their emails on
        the desk's notification settings, so the form asks them only name and zone; the
        business review is offered to those who can receive it."""
        initial = {
            "full_name": user.full_name,
            "timezone": user.timezone,
            "email_ticket_updates": user.email_ticket_updates,
            "email_surveys": user.email_surveys,
            "email_business_reviews": user.email_business_reviews,
        }
        super().__init__(data, initial=initial)
        zone = self.fields["timezone"]
        assert isinstance(zone, forms.ChoiceField)  # noqa: S101  # declared above
        choices = zone_choices()
        if user.timezone and user.timezone not in dict(choices):
            choices.append((user.timezone, user.timezone))
        zone.choices = [("", default_label), *choices]
        if not user.is_customer:
            for name in ("email_ticket_updates", "email_surveys", "email_business_reviews"):
                del self.fields[name]
        elif not (user.administers_organization and user_receives_reviews(user)):
            del self.fields["email_business_reviews"]

    def choice(self, name: str, current: bool) -> bool:
        """A checkbox's answer; ``current`` when the form does not ask it of this person."""
        return bool(self.cleaned_data[name]) if name in self.fields else current

    @property
    def email_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.fields if name.startswith("email_")]


def user_receives_reviews(user: User) -> bool:
    """Business reviews are made for Premium and Managed Services organizations."""
    organization = user.organization
    return organization is not None and organization.support_tier >= SupportTier.PREMIUM


class ResetRequestForm(PasswordResetForm):
    """Django's password reset, with its email queued through the outbox. Everyone active
    with the address gets a link, including people who never had a password (known to us
    only by their email): a reset is how they choose one."""

    email = forms.EmailField(
        label="Email",
        max_length=254,
        widget=forms.EmailInput(attrs={"autofocus": True, "autocomplete": "email"}),
    )

    def get_users(self, email: str) -> QuerySet[User]:
        return User.objects.filter(email__iexact=email_normalize(email), is_active=True).exclude(
            email__endswith=".invalid"
        )

    def send_mail(  # noqa: PLR0917  # Django's signature
        self,
        subject_template_name: str,
        email_template_name: str,
        context: dict[str, Any],
        from_email: str | None,
        to_email: str,
        html_email_template_name: str | None = None,
    ) -> None:
        path = reverse(
            "accounts:password_reset_confirm",
            kwargs={"uidb64": context["uid"], "token": context["token"]},
        )
        password_reset_email_queue(
            user=context["user"], link=absolute_url(path), now=timezone.now()
        )


class EmailChangeForm(forms.Form):
    new_email = forms.EmailField(label="New email address", max_length=254)
    password = forms.CharField(
        label="Your current password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, data: Any = None, *, user: User) -> None:
        super().__init__(data)
        self.user = user

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not self.user.check_password(password):
            raise forms.ValidationError("This is not your current password.")
        return password
