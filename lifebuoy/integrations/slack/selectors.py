"""Reads for Slack Connect: the connected channels, linked staff accounts and the event log
(support leads and admins, behind one gate), and a ticket's Slack thread for its page."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Q, QuerySet

from lifebuoy.accounts.models import Organization, Role, User
from lifebuoy.core.errors import NotFound, PermissionDenied
from lifebuoy.integrations.slack.models import (
    EventStatus,
    SlackChannel,
    SlackEvent,
    SlackFile,
    SlackMessage,
    SlackMessageChange,
    SlackThread,
    SlackUser,
)
from lifebuoy.notifications.models import Delivery, DeliveryKind, DeliveryStatus
from lifebuoy.tickets.models import Ticket

MANAGERS = frozenset({Role.LEAD, Role.ADMIN})
LOG_SIZE = 50
LOGGED = (EventStatus.IGNORED, EventStatus.FAILED, EventStatus.RECEIVED)


def slack_admin_access(*, user: User) -> None:
    """The one gate for Slack's settings and log: support leads and admins."""
    if not (user.is_active and user.role in MANAGERS):
        raise PermissionDenied("not_allowed", "Slack channels are managed by support leads.")


def slack_channel_list_for_user(*, user: User) -> QuerySet[SlackChannel]:
    slack_admin_access(user=user)
    return SlackChannel.objects.select_related("organization", "connected_by")


def slack_channel_get_for_user(*, user: User, channel_pk: int) -> SlackChannel:
    found = slack_channel_list_for_user(user=user).filter(id=channel_pk).first()
    if found is None:
        raise NotFound("slack_channel_not_found", f"Slack channel {channel_pk} was not found.")
    return found


def slack_organization_choices(*, user: User) -> QuerySet[Organization]:
    slack_admin_access(user=user)
    return Organization.objects.order_by("name")


def slack_staff_link_list_for_user(*, user: User) -> QuerySet[SlackUser]:
    slack_admin_access(user=user)
    return (
        SlackUser.objects.select_related("user", "linked_by")
        .exclude(user__role=Role.CUSTOMER)
        .order_by("user__full_name", "id")
    )


def slack_staff_link_get_for_user(*, user: User, link_pk: int) -> SlackUser:
    found = slack_staff_link_list_for_user(user=user).filter(id=link_pk).first()
    if found is None:
        raise NotFound("slack_link_not_found", f"Slack link {link_pk} was not found.")
    return found


def slack_staff_choices(*, user: User) -> QuerySet[User]:
    slack_admin_access(user=user)
    return User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("full_name")


def slack_event_log_for_user(*, user: User, status: str = "") -> list[SlackEvent]:
    """The newest events that did not become a ticket, a message or a change."""
    slack_admin_access(user=user)
    rows = SlackEvent.objects.filter(status__in=LOGGED)
    if status:
        rows = rows.filter(status=status)
    return list(rows.select_related("ticket").order_by("-id")[:LOG_SIZE])


@dataclass
class ThreadView:
    """A ticket's Slack thread as its page shows it (staff only: callers are the desk)."""

    thread: SlackThread
    changes: list[SlackMessageChange] = field(default_factory=list)
    files: list[SlackFile] = field(default_factory=list)
    failed_posts: list[Delivery] = field(default_factory=list)
    pending_posts: int = 0


def slack_thread_view(*, ticket: Ticket) -> ThreadView | None:
    ids = [ticket.id] + ([ticket.follow_up_of_id] if ticket.follow_up_of_id else [])
    thread = (
        SlackThread.objects.select_related("channel").filter(ticket_id__in=ids).order_by("-id")
    ).first()
    if thread is None:
        return None
    mine = Q(slack_message__thread=thread)
    posts = Delivery.objects.filter(
        ticket=ticket, kind=DeliveryKind.SLACK, target=thread.channel.channel_id
    )
    return ThreadView(
        thread=thread,
        changes=list(
            SlackMessageChange.objects.filter(mine).select_related("slack_message").order_by("id")
        ),
        files=list(SlackFile.objects.filter(mine).order_by("id")),
        failed_posts=list(posts.filter(status=DeliveryStatus.FAILED).order_by("id")),
        pending_posts=posts.filter(
            status__in=[DeliveryStatus.PENDING, DeliveryStatus.SENDING]
        ).count(),
    )


def slack_message_ids_from_slack(*, ticket: Ticket) -> set[int]:
    """Messages of the ticket that arrived from its Slack thread (a badge on the page)."""
    return set(
        SlackMessage.objects.filter(message__ticket=ticket, is_ours=False).values_list(
            "message_id", flat=True
        )
    )
