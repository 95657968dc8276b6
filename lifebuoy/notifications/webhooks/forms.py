"""Forms for the webhooks page. The URL rules live in the service, which the view calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from lifebuoy.accounts.models import Organization
from lifebuoy.notifications.services.webhooks import WEBHOOK_EVENTS


class WebhookEndpointForm(forms.Form):
    url = forms.CharField(
        label="Payload URL",
        max_length=500,
        widget=forms.URLInput(attrs={"placeholder": "https://example.com/lifebuoy-hook"}),
        help_text="A public https:// address; we POST each event to it as JSON.",
    )
    events = forms.MultipleChoiceField(
        choices=list(WEBHOOK_EVENTS.items()),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick none to receive every event, including ones added later.",
    )
    is_active = forms.BooleanField(label="Active", required=False, initial=True)


class WebhookEndpointCreateForm(WebhookEndpointForm):
    """Support staff also choose the organization; customers add to their own."""

    organization_id = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="Organization"
    )
    field_order = ("organization_id", "url", "events", "is_active")

    def __init__(
        self, *args: Any, organizations: QuerySet[Organization] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if organizations is None:
            del self.fields["organization_id"]
        else:
            field = self.fields["organization_id"]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # declared above
            field.queryset = organizations
