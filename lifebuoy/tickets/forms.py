"""The ticket forms customers and staff share: a reply and a new ticket (the desk's own forms
are in ``lifebuoy.desk.forms``)."""

from __future__ import annotations

from django import forms

from lifebuoy.core.forms import Form
from lifebuoy.core.views import MultipleFileField

from .models import Category, Priority


class ReplyForm(Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), required=False)
    attachments = MultipleFileField(label="Attachments")


class TicketCreateForm(forms.Form):
    subject = forms.CharField(max_length=200)
    description = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 8}), help_text="Markdown is supported."
    )
    priority = forms.ChoiceField(choices=Priority.choices, initial=Priority.P3)
    category = forms.ChoiceField(choices=Category.choices, initial=Category.BUG)
    deployment_url = forms.CharField(
        required=False, label="Repository we may read (optional)", max_length=500
    )
    attachments = MultipleFileField(label="Attachments")
