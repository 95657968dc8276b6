"""The desk's forms: the queue's filters, a staff reply, changing a ticket, logging a call."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

from django import forms
from django.utils import timezone

from lifebuoy.accounts.models import Organization
from lifebuoy.accounts.selectors import staff_list
from lifebuoy.core.forms import Form
from lifebuoy.notifications.placeholders import unfilled_placeholders
from lifebuoy.tickets.forms import ReplyForm, TicketCreateForm
from lifebuoy.tickets.models import Category, Channel, Priority, Status
from lifebuoy.tickets.search import QUERY_MAX
from lifebuoy.tickets.selectors import TicketFilters
from lifebuoy.tickets.services import BulkChanges, TicketChanges

from .models import Audience
from .selectors import DEFAULT_VIEW, VIEWS

Choice = tuple[str, str]


def staff_choices() -> list[Choice]:
    """Everyone a ticket can be assigned to, as (id, name) choices."""
    return [(str(u.id), u.display_name) for u in staff_list()]


class StaffReplyForm(ReplyForm):
    is_internal = forms.BooleanField(
        required=False, label="Internal note (never shown to the customer)"
    )
    # "Send and set status": the composer's second and third buttons.
    then_status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Keep the status"),
            (Status.PENDING, "Pending"),
            (Status.RESOLVED, "Resolved"),
        ],
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("is_internal"):
            left = unfilled_placeholders(data.get("body") or "")
            if left:
                marks = ", ".join(f"[{name}]" for name in left)
                self.add_error(
                    "body", f"Fill in or remove {marks} before sending this to the customer."
                )
        return data


class TicketUpdateForm(Form):
    status = forms.ChoiceField(choices=Status.choices)
    priority = forms.ChoiceField(choices=Priority.choices)
    category = forms.ChoiceField(choices=Category.choices)
    assignee = forms.ModelChoiceField(
        queryset=staff_list(), required=False, empty_label="Unassigned"
    )
    tags = forms.CharField(required=False, help_text="Comma-separated")
    # What the agent saw when the page loaded: only the fields they change are sent on.
    seen_status = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_priority = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_category = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_assignee = forms.CharField(required=False, widget=forms.HiddenInput)
    seen_tags = forms.CharField(required=False, widget=forms.HiddenInput)

    SEEN = ("status", "priority", "category", "assignee", "tags")

    @classmethod
    def for_ticket(cls, values: dict[str, str]) -> TicketUpdateForm:
        """The form as the ticket is now (``ticket_field_values``), remembering it as seen."""
        initial: dict[str, object] = {**values, "tags": values["tags"].replace(",", ", ")}
        initial.update({f"seen_{name}": value for name, value in values.items()})
        return cls(initial=initial)

    def tag_list(self) -> tuple[str, ...]:
        return tuple(t for t in self.cleaned_data["tags"].split(",") if t.strip())

    def seen(self) -> dict[str, str] | None:
        """What the agent saw, or None from a form that did not send it."""
        if f"seen_{self.SEEN[0]}" not in self.data:
            return None
        return {name: self.cleaned_data[f"seen_{name}"] for name in self.SEEN}

    def changes(self) -> TicketChanges:
        """Only the fields the agent changed from what they saw (all of them without ``seen``):
        a field they left alone is never written back over someone else's change."""
        data = self.cleaned_data
        assignee = data["assignee"]
        wanted = {
            "status": data["status"],
            "priority": data["priority"],
            "category": data["category"],
            "assignee": str(assignee.id) if assignee else "",
            "tags": ",".join(sorted({t.strip().lower()[:50] for t in self.tag_list()})),
        }
        seen = self.seen()
        changed = {k for k, v in wanted.items() if seen is None or seen[k] != v}
        return TicketChanges(
            status=data["status"] if "status" in changed else None,
            priority=data["priority"] if "priority" in changed else None,
            category=data["category"] if "category" in changed else None,
            assignee_id=assignee.id if assignee and "assignee" in changed else None,
            unassign=assignee is None and "assignee" in changed,
            tags=self.tag_list() if "tags" in changed else None,
        )


class _Choices(forms.MultipleChoiceField):
    """Ticked boxes; an empty value (an "Any" option of an older link) means no constraint."""

    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        return [v for v in super().to_python(value) if v != ""]


class _IntChoices(forms.TypedMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def to_python(self, value: Any) -> list[str]:
        return [v for v in super().to_python(value) if v != ""]


class _Day(forms.DateField):
    widget = forms.DateInput(attrs={"type": "date"})

    def __init__(self, label: str) -> None:
        super().__init__(required=False, label=label)


# The queue's optional columns, in the order they show; the ticket number and subject always do.
COLUMNS = [
    ("requester", "Requester"),
    ("organization", "Organization"),
    ("priority", "Priority"),
    ("status", "Status"),
    ("category", "Category"),
    ("channel", "Channel"),
    ("assignee", "Assignee"),
    ("created", "Created"),
    ("activity", "Activity"),
    ("deadline", "Next deadline"),
]
DEFAULT_COLUMNS = (
    "organization",
    "priority",
    "status",
    "category",
    "assignee",
    "activity",
    "deadline",
)

SORTS = [
    ("deadline", "Next deadline"),
    ("newest", "Newest"),
    ("oldest", "Oldest"),
    ("priority", "Priority"),
    ("activity", "Recent activity"),
]


class QueueFilterForm(forms.Form):
    """The queue's filters. Every field may be left out; a view narrows first, these after."""

    view = forms.ChoiceField(
        choices=[(v.slug, v.label) for v in VIEWS], required=False, initial=DEFAULT_VIEW
    )
    q = forms.CharField(required=False, label="Search", max_length=200)
    status = _Choices(choices=Status.choices, required=False)
    priority = _Choices(choices=Priority.choices, required=False)
    tier = _IntChoices(
        choices=[(1, "Community"), (2, "Standard"), (3, "Premium"), (4, "Managed")],
        coerce=int,
        required=False,
    )
    category = _Choices(choices=Category.choices, required=False)
    channel = _Choices(choices=Channel.choices, required=False)
    assignee = _Choices(required=False)
    organization = _IntChoices(coerce=int, required=False)
    tags = forms.CharField(required=False, max_length=500, help_text="Comma-separated; any of them")
    sla = forms.ChoiceField(
        choices=[
            ("", "Any"),
            ("due_1h", "Due within 1 hour"),
            ("at_risk", "At risk"),
            ("breached", "Breached"),
        ],
        required=False,
        label="SLA",
    )
    created_from = _Day("Created from")
    created_to = _Day("Created to")
    updated_from = _Day("Updated from")
    updated_to = _Day("Updated to")
    sort = forms.ChoiceField(choices=[("", "View's order"), *SORTS], required=False)
    columns = _Choices(choices=COLUMNS, required=False)
    # Read by the queue itself; here so a bad page link shows as this field's error.
    cursor = forms.CharField(required=False, strip=False)
    trail = forms.CharField(required=False, strip=False, max_length=20_000)

    def __init__(self, *args: Any, people: list[Choice] | None = None, **kwargs: Any) -> None:
        """``people``: ``staff_choices()``, when the page already has them; read here if not.
        The page's other forms may take them from ``self.people``."""
        super().__init__(*args, **kwargs)
        self.people = staff_choices() if people is None else people
        assignee = self.fields["assignee"]
        organization = self.fields["organization"]
        assert isinstance(assignee, forms.ChoiceField)  # noqa: S101  # declared above
        assert isinstance(organization, forms.ChoiceField)  # noqa: S101
        assignee.choices = [("me", "Me (assignee or owner)"), ("none", "Unassigned"), *self.people]
        # The queue is staff-only, and staff see every organization.
        organization.choices = [(o.id, o.name) for o in Organization.objects.order_by("name")]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for low, high in (("created_from", "created_to"), ("updated_from", "updated_to")):
            if data.get(low) and data.get(high) and data[low] > data[high]:
                self.add_error(high, "Pick a day on or after the first one.")
        return data

    def shown_columns(self) -> tuple[str, ...]:
        """The columns picked, in the table's order; the usual ones when none are."""
        picked = set(self.cleaned_data.get("columns") or ()) if self.is_valid() else set()
        return tuple(c for c, _ in COLUMNS if c in picked) or DEFAULT_COLUMNS

    def ticket_filters(self) -> TicketFilters:
        """The filters as the ticket list reads them; only valid fields count."""
        data = self.cleaned_data if self.is_valid() else {}
        return TicketFilters(
            status=tuple(data.get("status") or ()),
            priority=tuple(data.get("priority") or ()),
            tier=tuple(data.get("tier") or ()),
            category=tuple(data.get("category") or ()),
            channel=tuple(data.get("channel") or ()),
            tags=_tag_list(data.get("tags")),
            assignee_any=tuple(data.get("assignee") or ()),
            organizations=tuple(data.get("organization") or ()),
            created_from=_start_of(data.get("created_from")),
            created_before=_start_of(data.get("created_to"), days_after=1),
            updated_from=_start_of(data.get("updated_from")),
            updated_before=_start_of(data.get("updated_to"), days_after=1),
            text=data.get("q") or "",
            extra={"sla": data.get("sla") or ""},
            sort=data.get("sort") or "",
        )


def _start_of(day: date | None, days_after: int = 0) -> datetime | None:
    """Midnight starting ``day`` (plus ``days_after``) in the desk's time zone."""
    if day is None:
        return None
    midnight = datetime.combine(day + timedelta(days=days_after), time())
    return timezone.make_aware(midnight, timezone.get_current_timezone())


class _Ids(forms.Field):
    """Ticket ids from ticked boxes. Any number passes here; the service checks that each
    ticket exists and may be seen."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        values = value if isinstance(value, list | tuple) else ([value] if value else [])
        if not all(str(v).isdigit() for v in values):
            raise forms.ValidationError("Select tickets from the list.")
        return [int(v) for v in values]


class BulkForm(forms.Form):
    """One change for the selected tickets, or for every ticket the queue's ``query`` lists."""

    ticket = _Ids(required=False)
    all_matching = forms.BooleanField(required=False)
    query = forms.CharField(required=False, strip=False, max_length=20_000)
    status = forms.ChoiceField(choices=[("", "Keep status"), *Status.choices], required=False)
    priority = forms.ChoiceField(choices=[("", "Keep priority"), *Priority.choices], required=False)
    category = forms.ChoiceField(choices=[("", "Keep category"), *Category.choices], required=False)
    assignee = forms.ChoiceField(required=False)
    add_tags = forms.CharField(required=False, max_length=500, label="Add tags")
    remove_tags = forms.CharField(required=False, max_length=500, label="Remove tags")

    def __init__(self, *args: Any, people: list[Choice] | None = None, **kwargs: Any) -> None:
        """``people``: ``staff_choices()``, when the page already has them; read here if not."""
        super().__init__(*args, **kwargs)
        assignee = self.fields["assignee"]
        assert isinstance(assignee, forms.ChoiceField)  # noqa: S101  # declared above
        people = staff_choices() if people is None else people
        assignee.choices = [("", "Keep assignee"), ("none", "Unassign"), *people]

    def changes(self) -> BulkChanges:
        data = self.cleaned_data
        assignee = data.get("assignee") or ""
        return BulkChanges(
            status=data.get("status") or None,
            priority=data.get("priority") or None,
            category=data.get("category") or None,
            assignee_id=int(assignee) if assignee.isdigit() else None,
            unassign=assignee == "none",
            add_tags=_tag_list(data.get("add_tags")),
            remove_tags=_tag_list(data.get("remove_tags")),
        )


def _tag_list(text: str | None) -> tuple[str, ...]:
    return tuple(t.strip() for t in (text or "").split(",") if t.strip())


class StaffTicketCreateForm(TicketCreateForm):
    """Staff log a ticket for a customer, e.g. after a phone call (urgent issues only)."""

    requester_email = forms.EmailField(label="Customer email")
    channel = forms.ChoiceField(
        choices=[("phone", "Phone"), ("email", "Email"), ("slack", "Slack"), ("portal", "Portal")],
        initial="phone",
    )


class SaveViewForm(forms.Form):
    """Save the queue as it is now (its filters and order) under a name."""

    name = forms.CharField(max_length=80, label="Name")
    audience = forms.ChoiceField(
        choices=Audience.choices, initial=Audience.PRIVATE, label="Share", required=False
    )
    query = forms.CharField(required=False, strip=False, max_length=4_000, widget=forms.HiddenInput)


class SavedViewEditForm(forms.Form):
    name = forms.CharField(max_length=80, label="Name")
    audience = forms.ChoiceField(choices=Audience.choices, label="Share")


class DeskSearchForm(forms.Form):
    q = forms.CharField(
        required=False,
        max_length=QUERY_MAX,
        label="Search",
        error_messages={"max_length": f"Keep the search under {QUERY_MAX} characters."},
    )
