"""The desk's deployment form: parsing only. Ranges, URL schemes, profiles and who may own a
deployment are the service's rules (``services.deployments``); its per-field errors are put
back on these fields, which carry the same names as the API's."""

from __future__ import annotations

from typing import Any

from django import forms

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.accounts.selectors import organization_list_for_user
from lifebuoy.diagnostics.engine.profiles import DEFAULT_PROFILE, builtin_names

from .models import DEFAULT_POLL_SECONDS, Deployment
from .selectors import DeploymentFilters
from .services.deployments import CONSENT_REQUIRED, DeploymentInput


class OwnerChoiceField(forms.ModelChoiceField[User]):
    def label_from_instance(self, obj: User) -> str:
        org = obj.organization.name if obj.organization else "no organization"
        return f"{obj.full_name or obj.email} <{obj.email}> ({org})"


class DeploymentForm(forms.Form):
    """Register a deployment (``deployment`` None) or edit one; the organization is chosen
    only when registering."""

    organization_id = forms.ModelChoiceField(
        queryset=Organization.objects.none(), label="Organization"
    )
    name = forms.CharField(max_length=200)
    repository = forms.CharField(
        max_length=500,
        label="Repository",
        help_text="An https:// or ssh:// clone URL, or user@host:path (a local path only where "
        "this server allows it).",
    )
    branch = forms.CharField(
        max_length=200, required=False, help_text="Empty: the repository's default branch."
    )
    all_branches = forms.BooleanField(required=False, label="Analyse every branch instead")
    profile = forms.ChoiceField(label="Protocol profile", initial=DEFAULT_PROFILE)
    poll_interval_seconds = forms.IntegerField(
        label="Poll every (seconds)",
        initial=DEFAULT_POLL_SECONDS,
        help_text="From 60 (a minute) to 86,400 (a day); 3,600 is hourly.",
    )
    monthly_budget = forms.DecimalField(
        required=False, max_digits=12, decimal_places=2, help_text="Optional, per month."
    )
    owner_id = OwnerChoiceField(
        queryset=User.objects.none(),
        label="Customer contact",
        help_text="A customer of the organization; monitoring tickets are filed for them.",
    )
    consent = forms.BooleanField(
        label="The customer has allowed Lifebuoy read-only access to this repository",
        error_messages={"required": CONSENT_REQUIRED},
    )

    def __init__(
        self, *args: Any, user: User, deployment: Deployment | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        profiles = builtin_names()
        if deployment is not None and deployment.profile not in profiles:
            profiles.append(deployment.profile)  # a profile file set up by an administrator
        self.fields["profile"].choices = [(p, p) for p in profiles]  # type: ignore[attr-defined]  # a ChoiceField
        customers = User.objects.filter(role=Role.CUSTOMER, is_active=True)
        if deployment is None:
            organizations = organization_list_for_user(user=user).order_by("name")
            self.fields["organization_id"].queryset = organizations  # type: ignore[attr-defined]  # a ModelChoiceField
        else:
            del self.fields["organization_id"]
            customers = customers.filter(organization_id=deployment.organization_id)
            consent = self.fields["consent"]
            consent.required = False
            consent.help_text = "Unticking withdraws consent: polling stops at once."
        owners = customers.select_related("organization").order_by("organization__name", "email")
        self.fields["owner_id"].queryset = owners  # type: ignore[attr-defined]  # a ModelChoiceField

    def to_input(self) -> DeploymentInput:
        data = self.cleaned_data
        return DeploymentInput(
            name=data["name"],
            repository=data["repository"],
            owner_id=data["owner_id"].id,
            profile=data["profile"],
            branch=data["branch"],
            all_branches=data["all_branches"],
            poll_interval_seconds=data["poll_interval_seconds"],
            monthly_budget=data["monthly_budget"],
        )


def deployment_form_initial(deployment: Deployment) -> dict[str, object]:
    return {
        "name": deployment.name,
        "repository": deployment.repository,
        "branch": deployment.branch,
        "all_branches": deployment.all_branches,
        "profile": deployment.profile,
        "poll_interval_seconds": deployment.poll_interval_seconds,
        "monthly_budget": deployment.monthly_budget,
        "owner_id": deployment.owner_id,
        "consent": deployment.has_read_consent,
    }


class DeploymentFilterForm(forms.Form):
    """The desk list's filters (query string)."""

    q = forms.CharField(required=False, max_length=200, label="Search")
    organization = forms.ModelChoiceField(
        queryset=Organization.objects.none(), required=False, empty_label="Any organization"
    )
    attention = forms.BooleanField(required=False, label="Needs attention only")

    def __init__(self, *args: Any, user: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        organizations = organization_list_for_user(user=user).order_by("name")
        self.fields["organization"].queryset = organizations  # type: ignore[attr-defined]  # a ModelChoiceField

    def filters(self) -> DeploymentFilters:
        data = self.cleaned_data
        organization = data.get("organization")
        return DeploymentFilters(
            organization=organization.id if organization is not None else None,
            text=(data.get("q") or "").strip(),
            attention=bool(data.get("attention")),
        )
