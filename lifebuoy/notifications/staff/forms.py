from __future__ import annotations

from typing import Any

from django import forms

from lifebuoy.notifications.models import EmailChoice, NotificationKind


class PreferencesForm(forms.Form):
    """One choice per kind of notification: immediately, in the hourly digest, or off."""

    def __init__(self, *args: Any, initial_choices: dict[str, str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=EmailChoice.choices,
                initial=initial_choices.get(kind.value),
                widget=forms.RadioSelect,
            )


class FollowForm(forms.Form):
    follow = forms.BooleanField(required=False)


class CcForm(forms.Form):
    email = forms.EmailField(label="Customer's email", max_length=254)
