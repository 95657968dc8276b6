"""Customer communication: message templates, the outbox of deliveries, and mail bookkeeping."""

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
    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="mail_references")
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
