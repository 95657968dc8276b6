"""What every monitoring service shares: the desk's own identity for what monitoring writes,
and the rule that a deployment without the customer's consent is never read."""

from __future__ import annotations

from django.conf import settings

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import PermissionDenied
from lifebuoy.monitoring.models import Deployment


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


def require_consent(deployment: Deployment) -> None:
    if not deployment.has_read_consent:
        raise PermissionDenied(
            "no_consent",
            f"{deployment.name}: the customer has not allowed read access, so it is not polled.",
        )
