"""Forms of the desk's escalation pages. Validation of substance lives in the services."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone

from lifebuoy.accounts.models import User
from lifebuoy.accounts.selectors import staff_list

from .models import CHECKLIST_ITEMS, Level, Mode


class EscalateForm(forms.Form):
    to_level = forms.TypedChoiceField(
        label="Escalate to",
        choices=[(level.value, level.label) for level in Level if level != Level.COMMUNITY],
        coerce=int,
    )
    engineer = forms.ModelChoiceField(
        queryset=User.objects.none(),
        required=False,
        label="Named engineer",
        help_text="Leave empty to assign by round robin in the level's queue.",
    )
    reason = forms.CharField(max_length=300, required=False, label="Reason (internal)")
    problem_description = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    steps_to_reproduce = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    git_commit_logs = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    error_messages = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    customer_impact = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), required=False)
    troubleshooting_attempted = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False
    )
    timeline = forms.CharField(max_length=200, required=False, label="Expected timeline (customer)")
    workaround = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 2}), required=False, label="Workaround (customer)"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        engineer = self.fields["engineer"]
        assert isinstance(engineer, forms.ModelChoiceField)  # noqa: S101  # declared above
        engineer.queryset = staff_list()
        for key, label in CHECKLIST_ITEMS.items():
            self.fields[key].label = label

    def checklist(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key) or "" for key in CHECKLIST_ITEMS}


class RuleForm(forms.Form):
    mode = forms.ChoiceField(choices=Mode.choices)
    is_active = forms.BooleanField(required=False)
    value = forms.CharField(max_length=60, required=False)
    also_tag = forms.CharField(max_length=50, required=False)


class OverrideForm(forms.Form):
    schedule = forms.IntegerField(widget=forms.HiddenInput)
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Who covers")
    starts_at = forms.DateTimeField(
        label="From", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )
    ends_at = forms.DateTimeField(
        label="Until", widget=forms.DateTimeInput(attrs={"type": "datetime-local"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Typed times are read in the viewer's zone (the one their pages show).
        zone = timezone.get_current_timezone_name()
        self.fields["starts_at"].label = f"From ({zone})"
        self.fields["ends_at"].label = f"Until ({zone})"
        user = self.fields["user"]
        assert isinstance(user, forms.ModelChoiceField)  # noqa: S101  # declared above
        user.queryset = staff_list()
