from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm

from lifebuoy.accounts.timezones import zone_choices


class EmailAuthenticationForm(AuthenticationForm):
    username = forms.EmailField(label="Email", widget=forms.EmailInput(attrs={"autofocus": True}))


class ProfileForm(forms.Form):
    timezone = forms.ChoiceField(label="Time zone", required=False)

    def __init__(self, data: Any = None, *, default_label: str, current: str = "") -> None:
        """``default_label``: what an empty choice means for this person; ``current``: their
        zone now, offered even when it is an alias the list leaves out."""
        super().__init__(data, initial={"timezone": current})
        zone = self.fields["timezone"]
        assert isinstance(zone, forms.ChoiceField)  # noqa: S101  # declared above
        choices = zone_choices()
        if current and current not in dict(choices):
            choices.append((current, current))
        zone.choices = [("", default_label), *choices]
