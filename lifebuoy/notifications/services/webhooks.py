"""Customers' outgoing webhook endpoints: add, change, delete, rotate the secret, send a test.

Who may call these is decided before, by the gates in ``notifications.selectors``
(``webhook_endpoint_get_for_user``, ``webhook_organization_get_for_user``).

Invariants:
- The secret is made here (``secrets.token_urlsafe``) and handed back only by create and
  rotate. It is stored as it is: every delivery is signed with it at the moment it is sent, so
  deliveries still waiting for a retry are signed with the newest secret after a rotation.
- Endpoints change only through ``save()`` and ``delete()``, never ``QuerySet.update``: the
  outbox reads endpoints from the per-process configuration cache, which those signals empty.
  The cache is emptied once more after the commit, so no look-up made while the transaction
  was still open can keep serving the old endpoints.
- Each write locks the endpoint's row first, so concurrent edits apply one after the other and
  an endpoint deleted meanwhile is a clean 404.
- A test event is an ordinary outbox delivery (event ``ping``), signed and retried like others.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.config_cache import config_cache_clear
from lifebuoy.core.errors import InvalidState, LifebuoyError, NotFound, ValidationFailed
from lifebuoy.notifications.models import Delivery, DeliveryKind, WebhookEndpoint
from lifebuoy.notifications.services.outbox import delivery_enqueue
from lifebuoy.notifications.webhook_targets import webhook_url_problem

logger = logging.getLogger(__name__)

# What the outbox sends (``_webhooks(...)`` in services/outbox.py); an endpoint subscribes to
# some of them, or to none, which means every event, including ones added later.
WEBHOOK_EVENTS: dict[str, str] = {
    "ticket.created": "A ticket was opened",
    "message.created": "A public message (not an internal note) was added to a ticket",
}
PING_EVENT = "ping"
MAX_ENDPOINTS_PER_ORGANIZATION = 10
PINGS_PER_MINUTE = 5  # enough to try a receiver; too few to aim Lifebuoy at someone else's URL


class TooManyRequests(LifebuoyError):
    http_status = 429


@dataclass(frozen=True)
class EndpointWithSecret:
    """An endpoint together with its secret, which is shown this once."""

    endpoint: WebhookEndpoint
    secret: str


def webhook_fields_validate(*, url: str | None = None, events: list[str] | None = None) -> None:
    """Raise one 422 naming every bad field; ``None`` means "not being changed"."""
    problems: dict[str, str] = {}
    if url is not None:
        problem = webhook_url_problem(url, allow_private=settings.LIFEBUOY_WEBHOOK_PRIVATE_TARGETS)
        if problem:
            problems["url"] = problem
    unknown = sorted(set(events or []) - set(WEBHOOK_EVENTS))
    if unknown:
        names = ", ".join(f"“{name}”" for name in unknown)[:200]
        problems["events"] = f"Unknown event {names}; choose from {', '.join(WEBHOOK_EVENTS)}."
    if problems:
        raise ValidationFailed.for_fields(problems)


def _events(events: list[str]) -> list[str]:
    return [name for name in WEBHOOK_EVENTS if name in events]  # known ones, in a fixed order


def _lock(endpoint: WebhookEndpoint) -> WebhookEndpoint:
    locked = WebhookEndpoint.objects.select_for_update().filter(id=endpoint.id).first()
    if locked is None:
        raise NotFound("webhook_not_found", f"Webhook endpoint {endpoint.id} was not found.")
    return locked


def _changed() -> None:
    transaction.on_commit(config_cache_clear)


@transaction.atomic
def webhook_endpoint_create(
    *, actor: User, organization: Organization, url: str, events: list[str], is_active: bool = True
) -> EndpointWithSecret:
    webhook_fields_validate(url=url, events=events)
    # Locking the organization makes the limit hold when two people add endpoints at once.
    Organization.objects.select_for_update().filter(id=organization.id).first()
    if WebhookEndpoint.objects.filter(organization=organization).count() >= (
        MAX_ENDPOINTS_PER_ORGANIZATION
    ):
        raise InvalidState(
            "webhook_limit",
            f"An organization can have at most {MAX_ENDPOINTS_PER_ORGANIZATION} webhook "
            "endpoints; delete one first.",
        )
    secret = secrets.token_urlsafe(32)
    endpoint = WebhookEndpoint.objects.create(
        organization=organization,
        url=url,
        secret=secret,
        events=_events(events),
        is_active=is_active,
    )
    _changed()
    logger.info("Webhook endpoint %s added for %s by %s", endpoint.id, organization.id, actor.id)
    return EndpointWithSecret(endpoint, secret)


@transaction.atomic
def webhook_endpoint_update(
    *,
    endpoint: WebhookEndpoint,
    actor: User,
    url: str | None = None,
    events: list[str] | None = None,
    is_active: bool | None = None,
) -> WebhookEndpoint:
    """Change what is given; fields left ``None`` stay as they are."""
    webhook_fields_validate(url=url, events=events)
    locked = _lock(endpoint)
    changed: list[str] = []
    if url is not None and url != locked.url:
        locked.url = url
        changed.append("url")
    if events is not None and _events(events) != locked.events:
        locked.events = _events(events)
        changed.append("events")
    if is_active is not None and is_active != locked.is_active:
        locked.is_active = is_active
        changed.append("is_active")
    if changed:
        locked.save(update_fields=[*changed, "updated_at"])
        _changed()
        logger.info("Webhook endpoint %s changed (%s) by %s", locked.id, changed, actor.id)
    return locked


@transaction.atomic
def webhook_endpoint_delete(*, endpoint: WebhookEndpoint, actor: User) -> None:
    """Deliveries already queued for it fail without sending (it no longer has a secret)."""
    locked = _lock(endpoint)
    endpoint_id = locked.id
    locked.delete()
    _changed()
    logger.info("Webhook endpoint %s deleted by %s", endpoint_id, actor.id)


@transaction.atomic
def webhook_endpoint_rotate_secret(*, endpoint: WebhookEndpoint, actor: User) -> EndpointWithSecret:
    locked = _lock(endpoint)
    locked.secret = secrets.token_urlsafe(32)
    locked.save(update_fields=["secret", "updated_at"])
    _changed()
    logger.info("Webhook endpoint %s secret rotated by %s", locked.id, actor.id)
    return EndpointWithSecret(locked, locked.secret)


@transaction.atomic
def webhook_endpoint_ping(*, endpoint: WebhookEndpoint, actor: User, now: datetime) -> Delivery:
    """Queue a signed ``ping`` event to the endpoint through the outbox."""
    locked = _lock(endpoint)
    if not locked.is_active:
        raise InvalidState("webhook_inactive", "Turn the endpoint on before sending a test event.")
    webhook_fields_validate(url=locked.url)  # the rules may have changed since it was added
    recent = Delivery.objects.filter(
        idempotency_key__startswith=f"webhook:{locked.id}:{PING_EVENT}:",
        created_at__gt=now - timedelta(minutes=1),
    )
    if recent.count() >= PINGS_PER_MINUTE:  # counted under the endpoint's lock
        raise TooManyRequests(
            "webhook_ping_limit",
            f"At most {PINGS_PER_MINUTE} test events a minute; try again in a minute.",
        )
    delivery = delivery_enqueue(
        kind=DeliveryKind.WEBHOOK,
        key=f"webhook:{locked.id}:{PING_EVENT}:{uuid.uuid4().hex}",
        ticket=None,
        target=locked.url,
        payload={
            "event": PING_EVENT,
            "occurred_at": now.isoformat(),
            "webhook": {"id": locked.id, "events": locked.events},
            "endpoint": locked.id,
        },
        now=now,
        fresh=True,
    )
    if delivery is None:  # only when the key was taken, which a fresh uuid rules out
        raise InvalidState("webhook_ping_failed", "The test event could not be queued.")
    logger.info("Webhook endpoint %s test event %s by %s", locked.id, delivery.id, actor.id)
    return delivery
