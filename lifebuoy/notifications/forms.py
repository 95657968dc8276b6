from __future__ import annotations

from django import forms

from .placeholders import PLACEHOLDERS


class TemplateForm(forms.Form):
    name = forms.CharField(max_length=100)
    subject = forms.CharField(max_length=200)
    body = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 18}),
        help_text="Placeholders: " + ", ".join("{" + name + "}" for name in PLACEHOLDERS),
    )
