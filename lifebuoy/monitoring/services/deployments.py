"""Deployments: registration, consent, the usage token, and "run the doctor now"."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import transaction

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.accounts.selectors import organization_get_for_user
from lifebuoy.core.errors import NotFound, PermissionDenied, ValidationFailed
from lifebuoy.core.tasks import enqueue_on_commit
from lifebuoy.diagnostics.engine.profiles import ProfileError, load_profile
from lifebuoy.monitoring.mirror import check_repository, mirror_location
from lifebuoy.monitoring.models import MIN_POLL_SECONDS, Deployment

TOKEN_PREFIX = "lbd_"  # noqa: S105  # a prefix, not a secret


def monitoring_actor() -> User:
    """The desk's own identity for what monitoring writes: staff with an unusable password.

    Active, because the knowledge-base gate shows internal articles only to active staff.
    """
    email: str = getattr(settings, "LIFEBUOY_MONITORING_ACTOR_EMAIL", "monitoring@lifebuoy.invalid")
    user, created = User.objects.get_or_create(
        email=email,
        defaults={"full_name": "Lifebuoy monitoring", "role": Role.ENGINEER},
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@dataclass(frozen=True)
class NewDeployment:
    name: str
    repository: str
    owner: User
    profile: str = "dual-trinity"
    poll_interval_seconds: int = 3600
    monthly_budget: Decimal | None = None


def _validate(org: Organization, data: NewDeployment) -> None:
    errors: dict[str, str] = {}
    if not data.name.strip():
        errors["name"] = "A name is required."
    problem = check_repository(data.repository)
    if problem:
        errors["repository"] = problem
    try:
        load_profile(data.profile)
    except ProfileError as exc:
        errors["profile"] = str(exc)
    if data.poll_interval_seconds < MIN_POLL_SECONDS:
        errors["poll_interval_seconds"] = "Poll at most once a minute."
    if data.owner.role != Role.CUSTOMER or data.owner.organization_id != org.id:
        errors["owner"] = "The owner must be a customer of the organization."
    if data.monthly_budget is not None and data.monthly_budget <= 0:
        errors["monthly_budget"] = "A budget must be positive."
    if errors:
        raise ValidationFailed.for_fields(errors)


@transaction.atomic
def deployment_create(
    *, organization: Organization, data: NewDeployment, consent: bool, now: datetime
) -> Deployment:
    _validate(organization, data)
    deployment = Deployment.objects.create(
        organization=organization,
        name=data.name.strip(),
        repository=data.repository.strip(),
        profile=data.profile,
        owner=data.owner,
        has_read_consent=consent,
        consent_at=now if consent else None,
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


def deployment_create_for_user(*, actor: User, data: dict[str, Any], now: datetime) -> Deployment:
    """Staff register a customer's deployment; consent may be recorded at the same time."""
    require_staff(actor)
    org = organization_get_for_user(user=actor, organization_id=data["organization_id"])
    owner = User.objects.filter(id=data["owner_id"], organization=org).first()
    if owner is None:
        raise NotFound("user_not_found", f"No customer {data['owner_id']} in {org.name}.")
    new = NewDeployment(
        name=data["name"],
        repository=data["repository"],
        owner=owner,
        profile=data["profile"],
        poll_interval_seconds=data["poll_interval_seconds"],
        monthly_budget=data["monthly_budget"],
    )
    return deployment_create(organization=org, data=new, consent=data["consent"], now=now)


def deployment_set_consent_for_user(
    *, deployment: Deployment, actor: User, consent: bool, now: datetime
) -> Deployment:
    """The organization's customers decide; staff may record what a customer told them."""
    if actor.is_customer and actor.organization_id != deployment.organization_id:
        raise NotFound("deployment_not_found", f"Deployment {deployment.id} was not found.")
    return deployment_set_consent(deployment=deployment, consent=consent, now=now)


def deployment_set_consent(*, deployment: Deployment, consent: bool, now: datetime) -> Deployment:
    """The customer grants or withdraws read access; withdrawing stops polling at once."""
    deployment.has_read_consent = consent
    deployment.consent_at = now if consent else None
    deployment.save(update_fields=["has_read_consent", "consent_at", "updated_at"])
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


def require_consent(deployment: Deployment) -> None:
    if not deployment.has_read_consent:
        raise PermissionDenied(
            "no_consent",
            f"{deployment.name}: the customer has not allowed read access, so it is not polled.",
        )


def deployment_poll_request(*, deployment: Deployment) -> None:
    """ "Run the doctor now": queue a poll after the current transaction commits."""
    from lifebuoy.monitoring.tasks import deployment_poll as deployment_poll_task

    require_consent(deployment)
    enqueue_on_commit(deployment_poll_task, deployment.id)
