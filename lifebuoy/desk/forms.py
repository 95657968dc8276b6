"""The desk's forms: the queue's filters, a staff reply, changing a ticket, logging a call."""

from __future__ import annotations

from django import forms

from lifebuoy.accounts.selectors import staff_list
from lifebuoy.tickets.forms import ReplyForm, TicketCreateForm
from lifebuoy.tickets.models import Category, Priority, Status


class StaffReplyForm(ReplyForm):
    is_internal = forms.BooleanField(
        required=False, label="Internal note (never shown to the customer)"
    )


class TicketUpdateForm(forms.Form):
    status = forms.ChoiceField(choices=Status.choices)
    priority = forms.ChoiceField(choices=Priority.choices)
    category = forms.ChoiceField(choices=Category.choices)
    assignee = forms.ModelChoiceField(
        queryset=staff_list(), required=False, empty_label="Unassigned"
    )
    tags = forms.CharField(required=False, help_text="Comma-separated")

    def tag_list(self) -> tuple[str, ...]:
        return tuple(t for t in self.cleaned_data["tags"].split(",") if t.strip())


class QueueFilterForm(forms.Form):
    q = forms.CharField(required=False, label="Search")
    status = forms.MultipleChoiceField(choices=Status.choices, required=False)
    priority = forms.MultipleChoiceField(choices=Priority.choices, required=False)
    tier = forms.TypedMultipleChoiceField(
        choices=[(1, "Community"), (2, "Standard"), (3, "Premium"), (4, "Managed")],
        coerce=int,
        required=False,
    )
    category = forms.MultipleChoiceField(choices=Category.choices, required=False)
    assignee = forms.CharField(required=False)
    organization = forms.IntegerField(required=False)
    sla = forms.ChoiceField(
        choices=[("", "Any"), ("at_risk", "At risk"), ("breached", "Breached")],
        required=False,
        label="SLA",
    )
    sort = forms.ChoiceField(
        choices=[
            ("deadline", "Next deadline"),
            ("newest", "Newest"),
            ("oldest", "Oldest"),
            ("priority", "Priority"),
            ("activity", "Recent activity"),
        ],
        required=False,
    )
    # Read by the queue itself; here so a bad page link shows as this field's error.
    cursor = forms.CharField(required=False, strip=False)


class StaffTicketCreateForm(TicketCreateForm):
    """Staff log a ticket for a customer, e.g. after a phone call (urgent issues only)."""

    requester_email = forms.EmailField(label="Customer email")
    channel = forms.ChoiceField(
        choices=[("phone", "Phone"), ("email", "Email"), ("slack", "Slack"), ("portal", "Portal")],
        initial="phone",
    )
