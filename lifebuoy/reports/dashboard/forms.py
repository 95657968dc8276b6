"""The dashboard's filters: a period (a preset or two dates), a support tier, an organization."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from django import forms

from lifebuoy.accounts.models import Organization, SupportTier, User
from lifebuoy.accounts.selectors import organization_list_for_user
from lifebuoy.core.periods import Period
from lifebuoy.reports.selectors.common import Scope

PRESETS = [
    ("today", "Today"),
    ("7d", "Last 7 days"),
    ("30d", "Last 30 days"),
    ("quarter", "This quarter"),
    ("custom", "From … to …"),
]
MAX_DAYS = 366


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC)


def day_period(first: date, last: date, label: str) -> Period:
    """Whole UTC days ``first`` to ``last``, both included."""
    return Period(start=_midnight(first), end=_midnight(last + timedelta(days=1)), label=label)


def preset_period(name: str, today: date) -> Period:
    if name == "7d":
        return day_period(today - timedelta(days=6), today, "last 7 days")
    if name == "30d":
        return day_period(today - timedelta(days=29), today, "last 30 days")
    if name == "quarter":
        first = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
        quarter = (today.month - 1) // 3 + 1
        return day_period(first, today, f"{today.year}-Q{quarter} to date")
    return day_period(today, today, "today")


class DashboardFilterForm(forms.Form):
    period = forms.ChoiceField(choices=PRESETS, required=False)
    start = forms.DateField(
        required=False,
        label="From",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Write the first day as YYYY-MM-DD."},
    )
    end = forms.DateField(
        required=False,
        label="To",
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Write the last day as YYYY-MM-DD."},
    )
    tier = forms.TypedChoiceField(
        choices=[("", "All tiers"), *SupportTier.choices],
        coerce=int,
        empty_value=None,
        required=False,
        label="Support tier",
    )
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(),
        required=False,
        empty_label="All organizations",
        error_messages={"invalid_choice": "No such organization."},
    )

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = self.fields["organization"]
        assert isinstance(organizations, forms.ModelChoiceField)  # noqa: S101  # declared above
        organizations.queryset = organization_list_for_user(user=user).order_by("name")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if (start or end) and not data.get("period"):
            data["period"] = "custom"  # dates alone mean a custom period
        if data.get("period") != "custom":
            return data
        if start is None and "start" not in self.errors:
            self.add_error("start", "Give the first day of the period.")
        if end is None and "end" not in self.errors:
            self.add_error("end", "Give the last day of the period.")
        if start and end and start > end:
            self.add_error("end", "The last day cannot be before the first.")
        elif start and end and (end - start).days + 1 > MAX_DAYS:
            self.add_error("end", f"A period is at most {MAX_DAYS} days.")
        return data

    def period_for(self, today: date) -> Period:
        data = self.cleaned_data
        if data.get("period") == "custom":
            start, end = data["start"], data["end"]
            return day_period(start, end, f"{start:%Y-%m-%d} to {end:%Y-%m-%d}")
        return preset_period(data.get("period") or "today", today)

    def scope(self) -> Scope:
        organization = self.cleaned_data.get("organization")
        return Scope(
            tier=self.cleaned_data.get("tier"),
            organization_id=organization.id if organization is not None else None,
        )
