"""Deployments: registration, consent, the usage token, and "run the doctor now"."""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.accounts.selectors import organization_get_for_user
from lifebuoy.core.errors import NotFound, PermissionDenied, ValidationFailed
from lifebuoy.core.tasks import enqueue_on_commit
from lifebuoy.diagnostics.engine.profiles import (
    DEFAULT_PROFILE,
    ProfileError,
    builtin_names,
    load_profile,
)
from lifebuoy.monitoring.mirror import check_repository, local_paths_allowed, mirror_location
from lifebuoy.monitoring.models import (
    DEFAULT_POLL_SECONDS,
    MAX_POLL_SECONDS,
    MIN_POLL_SECONDS,
    Deployment,
)
from lifebuoy.monitoring.services.common import require_consent
from lifebuoy.monitoring.tasks import deployment_poll as deployment_poll_task
from lifebuoy.monitoring.tasks import mirror_discard as mirror_discard_task

TOKEN_PREFIX = "lbd_"  # noqa: S105  # a prefix, not a secret


@dataclass(frozen=True)
class NewDeployment:
    """A deployment's settings as staff give them (the owner already looked up)."""

    name: str
    repository: str
    owner: User | None
    profile: str = DEFAULT_PROFILE
    poll_interval_seconds: int = DEFAULT_POLL_SECONDS
    monthly_budget: Decimal | None = None
    branch: str = ""
    all_branches: bool = False


@dataclass(frozen=True)
class DeploymentInput:
    """What the desk form and the API send: the same settings with the owner by id."""

    name: str
    repository: str
    owner_id: int
    profile: str = DEFAULT_PROFILE
    poll_interval_seconds: int = DEFAULT_POLL_SECONDS
    monthly_budget: Decimal | None = None
    branch: str = ""
    all_branches: bool = False


CONSENT_REQUIRED = (
    "Confirm that the customer allowed Lifebuoy read-only access to this repository; "
    "without it nothing is polled."
)
# What git accepts in a branch name, minus what could be read as an option or a range.
_BRANCH = re.compile(r"^(?!-)(?!.*\.\.)(?!.*@\{)[^\x00-\x20~^:?*\[\\\x7f]+(?<![./])(?<!\.lock)$")


def _profile_problem(profile: str) -> str | None:
    """Built-in profiles by name; a YAML file on the server only where local paths are
    allowed (the same trust: staff naming files on this host)."""
    if profile in builtin_names():
        return None
    if not (local_paths_allowed() and Path(profile).is_absolute()):
        return f"Unknown profile '{profile}': choose one of {', '.join(builtin_names())}."
    try:
        load_profile(profile)
    except ProfileError as exc:
        return str(exc)
    return None


def _field_errors(org: Organization, data: NewDeployment) -> dict[str, str]:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "A name is required."
    elif len(data.name.strip()) > 200:
        errors["name"] = "Use at most 200 characters."
    problem = check_repository(data.repository)
    if problem:
        errors["repository"] = problem
    elif len(data.repository.strip()) > 500:
        errors["repository"] = "Use at most 500 characters."
    problem = _profile_problem(data.profile)
    if problem:
        errors["profile"] = problem
    branch = data.branch.strip()
    if branch and data.all_branches:
        errors["branch"] = "Name a branch or choose all branches, not both."
    elif branch and (len(branch) > 200 or not _BRANCH.match(branch)):
        errors["branch"] = "Not a valid branch name."
    if not MIN_POLL_SECONDS <= data.poll_interval_seconds <= MAX_POLL_SECONDS:
        errors["poll_interval_seconds"] = (
            f"Poll between every {MIN_POLL_SECONDS} s (a minute) and every "
            f"{MAX_POLL_SECONDS} s (a day)."
        )
    owner = data.owner
    if owner is None or owner.role != Role.CUSTOMER or owner.organization_id != org.id:
        errors["owner_id"] = f"The owner must be a customer of {org.name}."
    elif not owner.is_active:
        errors["owner_id"] = "The owner's account is deactivated."
    budget = data.monthly_budget
    if budget is not None and not (
        budget.is_finite() and Decimal("0.01") <= budget < Decimal("1e10")
    ):
        errors["monthly_budget"] = "A budget is an amount from 0.01 to 9,999,999,999.99."
    return errors


def _validate(org: Organization, data: NewDeployment) -> None:
    errors = _field_errors(org, data)
    if errors:
        raise ValidationFailed.for_fields(errors)


@transaction.atomic
def deployment_create(
    *,
    organization: Organization,
    data: NewDeployment,
    consent: bool,
    now: datetime,
    consent_by: User | None = None,
) -> Deployment:
    """Register a deployment; it is polled once it has read consent (due at once)."""
    _validate(organization, data)
    return _create(organization, data, consent=consent, consent_by=consent_by, now=now)


def _create(
    org: Organization, data: NewDeployment, *, consent: bool, consent_by: User | None, now: datetime
) -> Deployment:
    assert data.owner is not None  # noqa: S101  # validated by the caller
    deployment = Deployment.objects.create(
        organization=org,
        name=data.name.strip(),
        repository=data.repository.strip(),
        profile=data.profile,
        branch=data.branch.strip(),
        all_branches=data.all_branches,
        owner=data.owner,
        has_read_consent=consent,
        consent_at=now if consent else None,
        consent_by=consent_by if consent else None,
        poll_interval_seconds=data.poll_interval_seconds,
        monthly_budget=data.monthly_budget,
        next_poll_at=now,
        created_at=now,
    )
    deployment.mirror_path = mirror_location(deployment_id=deployment.id)
    deployment.save(update_fields=["mirror_path"])
    return deployment


def require_staff(user: User) -> None:
    if not user.is_support_staff:
        raise PermissionDenied("not_allowed", "Only support staff can do this.")


def _customer_of(org: Organization, owner_id: int) -> User | None:
    return User.objects.filter(id=owner_id, organization=org, role=Role.CUSTOMER).first()


def _resolved(org: Organization, data: DeploymentInput) -> NewDeployment:
    return NewDeployment(
        name=data.name,
        repository=data.repository,
        owner=_customer_of(org, data.owner_id),
        profile=data.profile,
        poll_interval_seconds=data.poll_interval_seconds,
        monthly_budget=data.monthly_budget,
        branch=data.branch,
        all_branches=data.all_branches,
    )


@transaction.atomic
def deployment_create_for_user(
    *, actor: User, organization_id: int, data: DeploymentInput, consent: bool, now: datetime
) -> Deployment:
    """Staff register a customer's deployment. The customer's consent is required: the member
    of staff confirms it and is recorded as the one who did, with the time."""
    require_staff(actor)
    org = organization_get_for_user(user=actor, organization_id=organization_id)
    new = _resolved(org, data)
    errors = _field_errors(org, new)
    if not consent:
        errors["consent"] = CONSENT_REQUIRED
    if errors:
        raise ValidationFailed.for_fields(errors)
    return _create(org, new, consent=True, consent_by=actor, now=now)


@transaction.atomic
def deployment_update_for_user(
    *,
    actor: User,
    deployment: Deployment,
    data: DeploymentInput,
    consent: bool | None,
    now: datetime,
) -> Deployment:
    """Staff change a deployment's settings; ``consent`` None leaves consent as it is, False
    withdraws it (polling stops at once), True records it as confirmed by ``actor`` now.

    The row is locked, so a concurrent edit or consent change is not lost. A new repository
    gets a new mirror (the old one is deleted after the commit), and any change to what is
    read makes the next poll run the doctor, due at once.
    """
    require_staff(actor)
    locked = Deployment.objects.select_for_update(of=("self",)).select_related("organization")
    row = locked.get(id=deployment.id)
    new = _resolved(row.organization, data)
    _validate(row.organization, new)
    assert new.owner is not None  # noqa: S101  # _validate checked it
    changed = _apply(row, new, now=now)
    if consent is not None and consent != row.has_read_consent:
        changed += _consent_fields(row, consent=consent, actor=actor, now=now)
    if changed:
        row.save(update_fields=[*dict.fromkeys(changed), "updated_at"])
    return row


def _apply(row: Deployment, new: NewDeployment, *, now: datetime) -> list[str]:
    """Copy the settings onto the locked row; the names of the fields that changed."""
    values: dict[str, object] = {
        "name": new.name.strip(),
        "repository": new.repository.strip(),
        "owner": new.owner,
        "profile": new.profile,
        "branch": new.branch.strip(),
        "all_branches": new.all_branches,
        "poll_interval_seconds": new.poll_interval_seconds,
        "monthly_budget": new.monthly_budget,
    }
    changed = [name for name, value in values.items() if getattr(row, name) != value]
    old_mirror = row.mirror_path
    for name in changed:
        setattr(row, name, values[name])
    if "repository" in changed:
        row.mirror_path = mirror_location(deployment_id=row.id, repository=row.repository)
        row.last_polled_commit = ""
        changed += ["mirror_path", "last_polled_commit"]
        if old_mirror and old_mirror != row.mirror_path:
            enqueue_on_commit(mirror_discard_task, old_mirror)
    if {"repository", "profile", "branch", "all_branches"} & set(changed):
        row.last_refs_digest = ""  # so the next poll runs the doctor even if no ref moved
        row.next_poll_at = now
        changed += ["last_refs_digest", "next_poll_at"]
    elif "poll_interval_seconds" in changed:
        sooner = now + timedelta(seconds=row.poll_interval_seconds)
        if row.next_poll_at is None or row.next_poll_at > sooner:
            row.next_poll_at = sooner
            changed.append("next_poll_at")
    return changed


def _consent_fields(
    row: Deployment, *, consent: bool, actor: User | None, now: datetime
) -> list[str]:
    row.has_read_consent = consent
    row.consent_at = now if consent else None
    row.consent_by = actor if consent else None
    return ["has_read_consent", "consent_at", "consent_by"]


def deployment_set_consent_for_user(
    *, deployment: Deployment, actor: User, consent: bool, now: datetime
) -> Deployment:
    """The organization's customers decide; staff may record what a customer told them."""
    if actor.is_customer and actor.organization_id != deployment.organization_id:
        raise NotFound("deployment_not_found", f"Deployment {deployment.id} was not found.")
    return deployment_set_consent(deployment=deployment, consent=consent, now=now, actor=actor)


def deployment_set_consent(
    *, deployment: Deployment, consent: bool, now: datetime, actor: User | None = None
) -> Deployment:
    """The customer grants or withdraws read access; withdrawing stops polling at once (the
    due list and the claim both require consent). Granting records who and when."""
    fields = _consent_fields(deployment, consent=consent, actor=actor, now=now)
    deployment.save(update_fields=[*fields, "updated_at"])
    return deployment


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def deployment_usage_token_create(*, deployment: Deployment) -> str:
    """A new token for posting usage (replaces the old one); only its hash is stored."""
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    deployment.usage_token_prefix = secret[:12]
    deployment.usage_token_hash = _hash(secret)
    deployment.save(update_fields=["usage_token_prefix", "usage_token_hash", "updated_at"])
    return secret


def deployment_usage_token_matches(*, deployment: Deployment, secret: str) -> bool:
    stored = deployment.usage_token_hash
    return bool(stored) and hmac.compare_digest(stored, _hash(secret))


def deployment_poll_request(*, deployment: Deployment) -> None:
    """ "Run the doctor now": queue a poll after the current transaction commits."""
    require_consent(deployment)
    enqueue_on_commit(deployment_poll_task, deployment.id)
