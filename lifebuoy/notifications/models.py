"""Customer communication: message templates, the outbox of deliveries, and mail bookkeeping;
notifications for staff, who follows a ticket and which customers are CC'd on it."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.models import TimeStampedModel
from lifebuoy.tickets.models import Ticket


class TemplateKey(models.TextChoices):
    INITIAL_RESPONSE = "initial_response", "Initial response"
    STATUS_UPDATE = "status_update", "Status update"
    RESOLUTION = "resolution", "Resolution"
    ESCALATION_NOTICE = "escalation_notice", "Escalation notice"
    OUT_OF_SCOPE = "out_of_scope", "Out-of-scope handoff"


class MessageTemplate(TimeStampedModel):
    """A reply an agent starts from. Text uses ``{placeholder}`` names from placeholders.py."""

    key = models.SlugField(max_length=50, unique=True)
    name = models.CharField(max_length=100)
    subject = models.CharField(max_length=200)
    body = models.TextField()
    updated_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


class DeliveryKind(models.TextChoices):
    EMAIL = "email", "Email"
    SLACK = "slack", "Slack"
    WEBHOOK = "webhook", "Webhook"
    GITHUB = "github", "GitHub comment"


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"  # waiting for its next attempt (first or retry)
    SENDING = "sending", "Sending"  # claimed by one worker
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"  # gave up after the last attempt; an operator may retry it


class Delivery(models.Model):
    """One outgoing notification, written in the transaction of the event that caused it.

    ``payload`` is a snapshot taken at that moment, so later edits never change what is sent.
    For email, ``message_id`` is chosen at the same moment and reused by every attempt.
    """

    kind = models.CharField(max_length=16, choices=DeliveryKind.choices)
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    idempotency_key = models.CharField(max_length=200, unique=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="deliveries"
    )
    target = models.CharField(max_length=500, help_text="Email address, channel or URL.")
    payload = models.JSONField(default=dict)
    message_id = models.CharField(max_length=300, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["id"]
        verbose_name_plural = "deliveries"
        indexes: ClassVar = [
            models.Index(fields=["status", "next_attempt_at"], name="delivery_due"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.idempotency_key} ({self.status})"


class MailReference(models.Model):
    """A Message-ID known to belong to a ticket's thread, in either direction."""

    class Direction(models.TextChoices):
        INBOUND = "in", "Received"
        OUTBOUND = "out", "Sent"

    message_id = models.CharField(max_length=300, unique=True)
    ticket = models.ForeignKey(  # indexed by mailref_ticket (ticket, id)
        Ticket, on_delete=models.CASCADE, related_name="mail_references", db_index=False
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes: ClassVar = [models.Index(fields=["ticket", "id"], name="mailref_ticket")]

    def __str__(self) -> str:
        return self.message_id


class InboundStatus(models.TextChoices):
    RECEIVED = "received", "Received, not processed yet"
    CREATED = "created", "Opened a ticket"
    ATTACHED = "attached", "Added to a ticket"
    IGNORED = "ignored", "Ignored (automatic mail, loop or rate limit)"
    REJECTED = "rejected", "Rejected"
    DUPLICATE = "duplicate", "Duplicate of a message already received"
    FAILED = "failed", "Failed; kept for another try"


class InboundEmail(models.Model):
    """Every message the gateway accepted, stored raw before it is answered with 250.

    A message is a duplicate when the same sender sent the same Message-ID before: a Message-ID
    alone is chosen by whoever writes the mail, so it cannot be the key. Duplicates are kept
    too (status ``duplicate``), so the inbound log accounts for every message. The raw bytes
    make reprocessing possible and are downloadable from the log.
    """

    message_id = models.CharField(max_length=300, db_index=True)
    sender = models.CharField(max_length=320, blank=True)  # the From address; "" if unusable
    subject = models.CharField(max_length=200, blank=True)
    raw = models.BinaryField()
    raw_sha256 = models.CharField(max_length=64, blank=True)
    envelope_from = models.CharField(max_length=320, blank=True)
    status = models.CharField(
        max_length=16, choices=InboundStatus.choices, default=InboundStatus.RECEIVED
    )
    reason = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="inbound_emails"
    )
    received_at = models.DateTimeField(db_index=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["message_id", "sender"],
                condition=~models.Q(status="duplicate"),
                name="inbound_email_once_per_sender",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["status", "received_at"], name="inbound_email_status"),
        ]

    def __str__(self) -> str:
        return f"{self.message_id} ({self.status})"


class WebhookEndpoint(TimeStampedModel):
    """A customer's own tooling: ticket events POSTed as JSON, signed with HMAC-SHA256."""

    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="webhook_endpoints"
    )
    url = models.URLField(max_length=500)
    secret = models.CharField(max_length=200)
    events = models.JSONField(default=list, help_text="Event names; empty means every event.")
    is_active = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.url

    def wants(self, event: str) -> bool:
        return self.is_active and (not self.events or event in self.events)


class ExternalThread(models.Model):
    """A conversation elsewhere (a GitHub issue, a forum topic) that a ticket mirrors."""

    source = models.CharField(max_length=20)  # "github", "discourse"
    key = models.CharField(max_length=300)  # "owner/repo#12", "forum.example.com/t/345"
    url = models.URLField(max_length=500, blank=True)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="external_threads")
    created_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["source", "key"], name="external_thread_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.key}"


class InboundEvent(models.Model):
    """A webhook delivery already handled: providers redeliver, we act once."""

    source = models.CharField(max_length=20)
    delivery_id = models.CharField(max_length=200)
    outcome = models.CharField(max_length=200, blank=True)
    received_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["source", "delivery_id"], name="inbound_event_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.delivery_id}"


# Notifications for staff: what happened on tickets they care about, in the desk and by email.


class NotificationKind(models.TextChoices):
    CUSTOMER_REPLIED = "customer_replied", "A customer replied on a ticket I own, work or follow"
    ASSIGNED = "assigned", "A ticket was assigned to me"
    MENTIONED = "mentioned", "I was mentioned in an internal note"
    SLA = "sla", "An SLA target is at risk or breached on my ticket"
    ESCALATION = "escalation", "An escalation was assigned to me"


# How the notifications page names each kind, beside the notification's own sentence.
KIND_LABELS: dict[str, str] = {
    NotificationKind.CUSTOMER_REPLIED: "Customer reply",
    NotificationKind.ASSIGNED: "Assignment",
    NotificationKind.MENTIONED: "Mention",
    NotificationKind.SLA: "SLA",
    NotificationKind.ESCALATION: "Escalation",
}


class EmailChoice(models.TextChoices):
    """How a person wants one kind of notification. "Off" means not even in the desk."""

    IMMEDIATELY = "immediately", "Immediately"
    DIGEST = "digest", "Hourly digest"
    OFF = "off", "Off"


class EmailState(models.TextChoices):
    NONE = "none", "Not emailed"  # the person gets this kind in the desk only
    PENDING = "pending", "Waiting for the hourly digest"
    QUEUED = "queued", "Handed to the outbox"
    SKIPPED = "skipped", "Read in the desk before the digest went out"


class Notification(models.Model):
    """One thing a member of staff is told about a ticket.

    ``key`` names the cause (e.g. ``mentioned:<message id>:<user id>``), so an event delivered
    twice notifies once. ``email_state`` moves from ``pending`` only by a conditional update,
    so two digest runs never email the same notification.
    """

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="+")
    actor = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.CharField(max_length=300)
    excerpt = models.CharField(max_length=300, blank=True)
    key = models.CharField(max_length=200, unique=True)
    email_state = models.CharField(
        max_length=10, choices=EmailState.choices, default=EmailState.NONE
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes: ClassVar = [
            models.Index(fields=["recipient", "-id"], name="notification_recipient"),
            models.Index(
                fields=["recipient"],
                condition=models.Q(read_at__isnull=True),
                name="notification_unread",
            ),
            models.Index(
                fields=["recipient", "id"],
                condition=models.Q(email_state="pending"),
                name="notification_digest_due",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id} on #{self.ticket_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None

    @property
    def kind_label(self) -> str:
        return KIND_LABELS.get(self.kind, self.kind)


class NotificationPreference(models.Model):
    """A person's choice for one kind; without a row, the kind is emailed immediately."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    kind = models.CharField(max_length=20, choices=NotificationKind.choices)
    email = models.CharField(
        max_length=12, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATELY
    )

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: {self.email}"


class TicketFollower(models.Model):
    """A member of staff who hears about a ticket's customer replies without owning it."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="followers")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="followed_tickets")
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticket_follower_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} follows #{self.ticket_id}"


class TicketCc(models.Model):
    """A customer of the ticket's organization who gets its public replies by email."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="ccs")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="cc_tickets")
    added_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        verbose_name = "ticket CC"
        verbose_name_plural = "ticket CCs"
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "user"], name="ticket_cc_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user_id} CC on #{self.ticket_id}"
