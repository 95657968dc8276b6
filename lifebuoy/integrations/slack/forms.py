"""Forms for the desk's Slack page. The rules live in the services the view calls."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from lifebuoy.accounts.models import Organization, User
from lifebuoy.integrations.slack.models import DEFAULT_RESOLVE_EMOJI


class SlackChannelForm(forms.Form):
    name = forms.CharField(
        label="Channel name", max_length=80, required=False, help_text="Shown on the desk only."
    )
    resolve_emoji = forms.CharField(
        label="Resolve reaction",
        max_length=64,
        initial=DEFAULT_RESOLVE_EMOJI,
        help_text="The requester's reaction that resolves a ticket, named as in Slack "
        "(white_check_mark is the green tick).",
    )


class SlackChannelEditForm(SlackChannelForm):
    is_active = forms.BooleanField(
        label="Connected", required=False, help_text="Untick to stop taking new messages."
    )


class SlackChannelConnectForm(SlackChannelForm):
    organization = forms.ModelChoiceField(queryset=Organization.objects.none())
    channel_id = forms.CharField(
        label="Channel id",
        max_length=32,
        help_text="In Slack: the channel's name → About → Channel ID (C0123ABCD).",
    )
    field_order = ("organization", "channel_id", "name", "resolve_emoji")

    def __init__(self, *args: Any, organizations: QuerySet[Organization], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["organization"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # declared above
        field.queryset = organizations


class SlackStaffLinkForm(forms.Form):
    slack_user_id = forms.CharField(
        label="Slack member id",
        max_length=32,
        help_text="In Slack: the person's profile → ⋮ → Copy member ID (U0123ABCD).",
    )
    user = forms.ModelChoiceField(queryset=User.objects.none(), label="Staff member")

    def __init__(self, *args: Any, staff: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["user"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101  # declared above
        field.queryset = staff
