"""Slack Connect's settings: which channel belongs to which organization, and which Slack
accounts speak for staff. Leads and admins only (``selectors.slack_admin_access``).

Invariants: a Slack channel belongs to one organization (``channel_id`` is unique); a Slack
account is linked to staff only here, never by an address Slack reports.
"""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.integrations.slack.models import DEFAULT_RESOLVE_EMOJI, SlackChannel, SlackUser
from lifebuoy.integrations.slack.selectors import slack_admin_access

_CHANNEL_ID = re.compile(r"^[CG][A-Z0-9]{5,30}$")
_USER_ID = re.compile(r"^[UW][A-Z0-9]{5,30}$")
_EMOJI = re.compile(r"^[a-z0-9_+'-]{1,64}$")


def _emoji(value: str) -> str:
    name = value.strip().strip(":").lower() or DEFAULT_RESOLVE_EMOJI
    if not _EMOJI.match(name):
        raise ValidationFailed.for_fields(
            {"resolve_emoji": "Name the emoji as Slack does, e.g. white_check_mark."}
        )
    return name


@transaction.atomic
def slack_channel_connect(
    *,
    actor: User,
    organization: Organization,
    channel_id: str,
    name: str,
    resolve_emoji: str,
    now: datetime,
) -> SlackChannel:
    slack_admin_access(user=actor)
    channel_id = channel_id.strip().upper()
    if not _CHANNEL_ID.match(channel_id):
        raise ValidationFailed.for_fields(
            {"channel_id": "A Slack channel id starts with C or G, e.g. C0123ABCD."}
        )
    taken = SlackChannel.objects.select_for_update().filter(channel_id=channel_id).first()
    if taken is not None:
        raise ValidationFailed.for_fields(
            {"channel_id": f"This channel is connected to {taken.organization.name} already."}
        )
    return SlackChannel.objects.create(
        channel_id=channel_id,
        name=name.strip().lstrip("#")[:80],
        organization=organization,
        resolve_emoji=_emoji(resolve_emoji),
        connected_by=actor,
        created_at=now,
    )


@transaction.atomic
def slack_channel_update(
    *, actor: User, channel: SlackChannel, name: str, resolve_emoji: str, is_active: bool
) -> SlackChannel:
    slack_admin_access(user=actor)
    channel.name = name.strip().lstrip("#")[:80]
    channel.resolve_emoji = _emoji(resolve_emoji)
    channel.is_active = is_active
    channel.save(update_fields=["name", "resolve_emoji", "is_active"])
    return channel


@transaction.atomic
def slack_staff_link(*, actor: User, slack_user_id: str, user: User, now: datetime) -> SlackUser:
    """Make a Slack account speak for ``user`` (staff): its thread replies become staff replies.
    An account first seen as a customer is moved over; its earlier messages stay as they were."""
    slack_admin_access(user=actor)
    slack_user_id = slack_user_id.strip().upper()
    if not _USER_ID.match(slack_user_id):
        raise ValidationFailed.for_fields(
            {"slack_user_id": "A Slack member id starts with U or W, e.g. U0123ABCD."}
        )
    if not user.is_support_staff or not user.is_active:
        raise ValidationFailed.for_fields({"user": "Choose an active member of staff."})
    link, _ = SlackUser.objects.select_for_update().update_or_create(
        slack_user_id=slack_user_id,
        defaults={"user": user, "linked_by": actor, "is_from_slack": False},
        create_defaults={"user": user, "linked_by": actor, "created_at": now},
    )
    return link


@transaction.atomic
def slack_staff_unlink(*, actor: User, link: SlackUser) -> None:
    """Forget the link; the account's next message is looked up again, as a customer's."""
    slack_admin_access(user=actor)
    link.delete()
