"""The portal's own small forms: searching one's tickets and CC'ing a colleague (the reply and
new-ticket forms are the tickets app's)."""

from __future__ import annotations

from django import forms

from lifebuoy.tickets.search import QUERY_MAX


class TicketSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=QUERY_MAX,
        label="Search your tickets",
        error_messages={"max_length": f"Keep the search under {QUERY_MAX} characters."},
    )
    show = forms.ChoiceField(
        required=False, choices=[("open", "Open"), ("all", "All, including closed")]
    )


class CcAddForm(forms.Form):
    email = forms.EmailField(
        label="Colleague",
        max_length=254,
        error_messages={"required": "Choose a colleague to CC.", "invalid": "Choose a colleague."},
    )
