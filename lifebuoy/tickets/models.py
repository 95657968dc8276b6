"""Tickets, their conversation, attachments and audit trail."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import Organization, Queue, User
from lifebuoy.core.models import TimeStampedModel


class Priority(models.TextChoices):
    P1 = "P1", "P1 · Critical"
    P2 = "P2", "P2 · High"
    P3 = "P3", "P3 · Medium"
    P4 = "P4", "P4 · Low"


class Category(models.TextChoices):
    # The playbook's common issues
    AGENT_NOT_RESPONDING = "agent_not_responding", "Agent not responding"
    SLOW_CONSOLIDATION = "slow_consolidation", "Slow consolidation"
    QUALITY = "quality", "Quality issues"
    GIT_CONFLICTS = "git_conflicts", "Git conflicts"
    COST_OVERRUNS = "cost_overruns", "Cost overruns"
    # The support scope
    INSTALLATION = "installation", "Installation and deployment"
    CONFIGURATION = "configuration", "Configuration and tuning"
    INTEGRATION = "integration", "Integration"
    PERFORMANCE = "performance", "Performance"
    BUG = "bug", "Bug"
    FEATURE_REQUEST = "feature_request", "Feature request"
    # Out of scope
    CUSTOM_DEVELOPMENT = "custom_development", "Out of scope: custom development"
    THIRD_PARTY = "third_party", "Out of scope: third-party software"
    TRAINING = "training", "Out of scope: training"
    NON_TECHNICAL = "non_technical", "Out of scope: non-technical"


OUT_OF_SCOPE = frozenset(
    {Category.CUSTOM_DEVELOPMENT, Category.THIRD_PARTY, Category.TRAINING, Category.NON_TECHNICAL}
)


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    PORTAL = "portal", "Portal"
    PHONE = "phone", "Phone"
    GITHUB = "github", "GitHub"
    SLACK = "slack", "Slack"
    COMMUNITY = "community", "Community forum"
    MONITORING = "monitoring", "Monitoring"


class Status(models.TextChoices):
    NEW = "new", "New"
    OPEN = "open", "Open"
    PENDING = "pending", "Pending customer"
    ESCALATED = "escalated", "Escalated"
    RESOLVED = "resolved", "Resolved"
    CLOSED = "closed", "Closed"


OPEN_STATUSES = frozenset({Status.NEW, Status.OPEN, Status.PENDING, Status.ESCALATED})
# The same, in a fixed order for index conditions.
_UNSOLVED = [Status.NEW, Status.OPEN, Status.PENDING, Status.ESCALATED]


class Tag(models.Model):
    name = models.SlugField(max_length=50, unique=True)

    def __str__(self) -> str:
        return self.name


class Ticket(TimeStampedModel):
    """A customer's request. Its number is its id, shown as ``#12345``."""

    subject = models.CharField(max_length=200)
    description = models.TextField()
    description_html = models.TextField(blank=True)
    # Indexed by ticket_requester_created (requester, created_at).
    requester = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="requested_tickets", db_index=False
    )
    # Indexed by ticket_org_id (organization, -id), whose first column serves every look-up by
    # organization: a second index of the column alone only cost each write.
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    priority = models.CharField(max_length=2, choices=Priority.choices, default=Priority.P3)
    category = models.CharField(max_length=32, choices=Category.choices, default=Category.BUG)
    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.PORTAL)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.NEW)
    # Not indexed: no read looks tickets up by queue, and deleting a queue (the one statement
    # that would) is rare enough to read the table for it, where every ticket written would pay.
    queue = models.ForeignKey(
        Queue, null=True, blank=True, on_delete=models.SET_NULL, db_index=False
    )
    assignee = models.ForeignKey(  # indexed by ticket_assignee_id (assignee, -id)
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    owner = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_tickets",
        db_index=False,  # indexed where set: ticket_owner
        help_text="The agent who keeps the ticket until it is resolved, even when escalated.",
    )
    tags = models.ManyToManyField(Tag, blank=True, related_name="tickets")
    deployment_url = models.CharField(
        max_length=500,
        blank=True,
        help_text="The customer's repository, when they allowed read access to it.",
    )
    first_response_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reopen_count = models.PositiveIntegerField(default=0)
    last_activity_at = (
        models.DateTimeField()
    )  # indexed by ticket_activity_id (-last_activity_at, -id)
    waiting_on_us = models.BooleanField(
        default=False,
        help_text="The newest public message is the customer's: the desk owes a reply.",
    )
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="merged_from",
        db_index=False,  # indexed where set: ticket_merged_into
        help_text="The ticket this one was merged into; it was closed then, and continues there.",
    )
    follow_up_of = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="follow_ups",
        db_index=False,  # indexed where set: ticket_follow_up_of
        help_text="The closed ticket a customer answered after the reopening window, which "
        "opened this one.",
    )

    class Meta:
        ordering = ["-id"]
        indexes: ClassVar = [
            models.Index(fields=["status", "-id"], name="ticket_status_id"),
            models.Index(
                fields=["status", "-id"],
                condition=models.Q(waiting_on_us=True),
                name="ticket_waiting_on_us",
            ),
            models.Index(fields=["organization", "-id"], name="ticket_org_id"),
            models.Index(fields=["priority", "-id"], name="ticket_priority_id"),
            models.Index(fields=["assignee", "-id"], name="ticket_assignee_id"),
            # The desk's "My unsolved" and "Unassigned" views, counted from the index alone.
            models.Index(
                fields=["assignee", "id"],
                condition=models.Q(status__in=_UNSOLVED),
                name="ticket_unsolved_assignee",
            ),
            models.Index(
                fields=["owner", "assignee", "id"],
                condition=models.Q(status__in=_UNSOLVED),
                name="ticket_unsolved_owner",
            ),
            # "Unassigned" (nobody assigned, nobody owns it, unsolved) is counted and listed along
            # ticket_unsolved_owner's (owner NULL, assignee NULL) entries: no index of its own.
            models.Index(fields=["-last_activity_at", "-id"], name="ticket_activity_id"),
            # The portal lists one organization's tickets by recent activity.
            models.Index(
                fields=["organization", "-last_activity_at", "-id"], name="ticket_org_activity_id"
            ),
            # Metrics take the tickets first answered or resolved in a period; the dashboard
            # counts open tickets per priority (and those opened today) from the index alone.
            # Both are empty on a new ticket, and a period's range implies a value: only tickets
            # with one are indexed, so creating a ticket writes neither index.
            models.Index(
                fields=["first_response_at"],
                condition=models.Q(first_response_at__isnull=False),
                name="ticket_first_response_at",
            ),
            models.Index(
                fields=["resolved_at"],
                condition=models.Q(resolved_at__isnull=False),
                name="ticket_resolved_at",
            ),
            models.Index(
                fields=["status", "priority", "created_at"], name="ticket_status_priority"
            ),
            # A requester's tickets; bounds the inbound mail's per-sender count of the past hour
            # and the NPS survey's "opened a ticket in the period".
            models.Index(fields=["requester", "created_at"], name="ticket_requester_created"),
            # Foreign keys empty on most tickets (and on a new one, but for the named engineer as
            # owner): indexed where set, which every look-up by them (owner = x, the follow-ups
            # of a ticket, the tickets merged into it, and deleting the one they point to) is.
            models.Index(
                fields=["owner"], condition=models.Q(owner__isnull=False), name="ticket_owner"
            ),
            models.Index(
                fields=["merged_into"],
                condition=models.Q(merged_into__isnull=False),
                name="ticket_merged_into",
            ),
            models.Index(
                fields=["follow_up_of"],
                condition=models.Q(follow_up_of__isnull=False),
                name="ticket_follow_up_of",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.id} {self.subject}"

    @property
    def number(self) -> str:
        return f"#{self.id}"

    @property
    def subject_token(self) -> str:
        return f"[Ticket #{self.id}]"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Message(models.Model):
    """One entry in a ticket's conversation: a public reply or an internal note."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(User, on_delete=models.PROTECT, related_name="messages")
    body = models.TextField(blank=True)
    body_html = models.TextField(blank=True)
    is_internal = models.BooleanField(default=False)
    unverified = models.BooleanField(
        default=False,
        help_text="Came by mail that did not prove its sender; it changed nothing on the ticket.",
    )
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes: ClassVar = [models.Index(fields=["ticket", "created_at"], name="message_ticket")]

    def __str__(self) -> str:
        kind = "note" if self.is_internal else "reply"
        return f"{kind} on #{self.ticket_id} by {self.author_id}"


def attachment_path(instance: Attachment, filename: str) -> str:
    return f"attachments/{instance.message.ticket_id}/{instance.message_id}/{filename}"


class Attachment(models.Model):
    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=attachment_path, max_length=500)
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()

    def __str__(self) -> str:
        return self.filename


class TicketEvent(models.Model):
    """The audit trail: who changed what on a ticket, from which value to which, and when."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=40)
    field = models.CharField(max_length=40, blank=True)
    old_value = models.CharField(max_length=300, blank=True)
    new_value = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"#{self.ticket_id} {self.action} {self.field}"
