from __future__ import annotations

from django import forms

from lifebuoy.core.forms import Form

from .services import MAX_MANUAL_MINUTES, NOTE_MAX


class TimeEntryForm(Form):
    minutes = forms.IntegerField(
        min_value=1,
        max_value=MAX_MANUAL_MINUTES,
        error_messages={
            "required": "Give the minutes worked.",
            "invalid": "Give the minutes as a whole number.",
        },
    )
    worked_on = forms.DateField(
        label="Day",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": "Give the day.", "invalid": "Give the day as YYYY-MM-DD."},
    )
    note = forms.CharField(max_length=NOTE_MAX, required=False)
