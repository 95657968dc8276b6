"""The macro form. Action fields are plain text with a list to pick from, so what is wrong
with a value is said by the service, one message per field (``ServiceCall``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet

from lifebuoy.accounts.models import User
from lifebuoy.accounts.selectors import staff_list
from lifebuoy.core.parsing import parse_id
from lifebuoy.notifications.models import MessageTemplate
from lifebuoy.tickets.models import Category, Priority

from .actions import MACRO_STATUSES, MacroData
from .models import Audience, Macro

APPLIER = "applier"
LEAVE = ("", "Leave as it is")


def _choices(*pairs: tuple[str, str]) -> forms.Select:
    return forms.Select(choices=pairs)


def _tags(raw: str) -> tuple[str, ...]:
    return tuple(tag for tag in raw.split(",") if tag.strip())


class MacroForm(forms.Form):
    name = forms.CharField(required=False)
    template = forms.ModelChoiceField(
        queryset=MessageTemplate.objects.none(),
        required=False,
        to_field_name="key",
        empty_label="None: write the text below",
        label="Text from a reply template",
        help_text="The macro then always uses the template's current text, as the leads keep it.",
    )
    body = forms.CharField(
        required=False,
        label="Text",
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text="Placeholders such as {customer_name} are filled in from the ticket; the "
        "list is with this form.",
    )
    audience = forms.CharField(
        required=False,
        label="Share with",
        widget=_choices(("", "Only me"), *Audience.choices),
    )
    set_status = forms.CharField(
        required=False,
        label="Set status",
        widget=_choices(LEAVE, *((s.value, str(s.label)) for s in MACRO_STATUSES)),
    )
    set_priority = forms.CharField(
        required=False, label="Set priority", widget=_choices(LEAVE, *Priority.choices)
    )
    set_category = forms.CharField(
        required=False, label="Set category", widget=_choices(LEAVE, *Category.choices)
    )
    set_assignee = forms.CharField(required=False, label="Assign to", widget=forms.Select)
    add_tags = forms.CharField(required=False, label="Add tags", help_text="Comma-separated")
    remove_tags = forms.CharField(required=False, label="Remove tags", help_text="Comma-separated")

    def __init__(
        self,
        *args: Any,
        templates: QuerySet[MessageTemplate],
        may_share: bool,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["template"].queryset = templates  # type: ignore[attr-defined]  # a ModelChoiceField
        staff = [(str(person.id), person.display_name) for person in staff_list()]
        self.fields["set_assignee"].widget.choices = [
            LEAVE,
            (APPLIER, "The agent applying it"),
            *staff,
        ]
        if not may_share:
            self.fields["audience"].widget.choices = [("", "Only me")]
            self.fields["audience"].help_text = "Support leads and admins share macros."

    @staticmethod
    def initial_for(macro: Macro) -> dict[str, object]:
        assignee = APPLIER if macro.assign_to_applier else str(macro.set_assignee_id or "")
        return {
            "name": macro.name,
            "template": macro.template.key if macro.template is not None else None,
            "body": macro.body,
            "audience": macro.audience,
            "set_status": macro.set_status,
            "set_priority": macro.set_priority,
            "set_category": macro.set_category,
            "set_assignee": assignee,
            "add_tags": ", ".join(macro.add_tags),
            "remove_tags": ", ".join(macro.remove_tags),
        }

    def clean_set_assignee(self) -> User | str | None:
        raw: str = self.cleaned_data["set_assignee"]
        if raw in ("", APPLIER):
            return raw or None
        number = parse_id(raw)
        person = staff_list().filter(id=number).first() if number is not None else None
        if person is None:
            raise forms.ValidationError("Choose a member of the support staff from the list.")
        return person

    def macro_data(self) -> MacroData:
        data = self.cleaned_data
        assignee = data["set_assignee"]
        return MacroData(
            name=data["name"],
            body=data["body"],
            template=data["template"],
            audience=data["audience"],
            set_status=data["set_status"],
            set_priority=data["set_priority"],
            set_category=data["set_category"],
            set_assignee=assignee if isinstance(assignee, User) else None,
            assign_to_applier=assignee == APPLIER,
            add_tags=_tags(data["add_tags"]),
            remove_tags=_tags(data["remove_tags"]),
        )
