"""Slack Connect as a support channel: which Slack channel belongs to which organization, who
is who on Slack, and every Slack event received, kept until it became a ticket, a message, an
event on a message, or a line with its reason (ignored, duplicate, failed)."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import Organization, User
from lifebuoy.tickets.models import Attachment, Message, Ticket

DEFAULT_RESOLVE_EMOJI = "white_check_mark"


class SlackChannel(models.Model):
    """A Slack (Connect) channel whose new conversations become the organization's tickets."""

    channel_id = models.CharField(max_length=32, unique=True, help_text="Slack's id, e.g. C0123.")
    name = models.CharField(max_length=80, blank=True, help_text="Shown on the desk only.")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="slack_channels"
    )
    resolve_emoji = models.CharField(
        max_length=64,
        default=DEFAULT_RESOLVE_EMOJI,
        help_text="The reaction (name without colons) by which the requester resolves a ticket.",
    )
    is_active = models.BooleanField(default=True)
    connected_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["organization__name", "name", "id"]

    def __str__(self) -> str:
        return f"#{self.name or self.channel_id}"


class SlackUser(models.Model):
    """A Slack user as the desk knows them: a customer, or a staff member whose link a lead
    made. Only a lead's link makes a Slack account speak for staff; an email address Slack
    reports never does."""

    slack_user_id = models.CharField(max_length=32, unique=True)
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="slack_accounts")
    email = models.CharField(max_length=320, blank=True, help_text="As Slack reported it.")
    display_name = models.CharField(max_length=200, blank=True)
    is_from_slack = models.BooleanField(
        default=False, help_text="The customer account was created for this Slack user."
    )
    linked_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.slack_user_id} → {self.user_id}"


class EventStatus(models.TextChoices):
    RECEIVED = "received", "Received, not processed yet"
    CREATED = "created", "Opened a ticket"
    ADDED = "added", "Added to a ticket"
    RECORDED = "recorded", "Recorded on a message (edit, deletion)"
    RESOLVED = "resolved", "Resolved a ticket"
    IGNORED = "ignored", "Ignored"
    FAILED = "failed", "Failed; kept for another try"


class SlackEvent(models.Model):
    """One Events API delivery, stored before Slack is answered. ``event_id`` is unique: a
    retry or a replay of the same event finds its row and changes nothing."""

    event_id = models.CharField(max_length=64, unique=True)
    event_type = models.CharField(max_length=64, blank=True)
    channel_id = models.CharField(max_length=32, blank=True)
    message_ts = models.CharField(max_length=32, blank=True, help_text="A message's own ts.")
    thread_ts = models.CharField(max_length=32, blank=True, help_text="A reply's thread.")
    payload = models.JSONField()
    status = models.CharField(
        max_length=16, choices=EventStatus.choices, default=EventStatus.RECEIVED
    )
    reason = models.CharField(max_length=300, blank=True)
    ticket = models.ForeignKey(
        Ticket, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    repeats = models.PositiveIntegerField(default=0, help_text="Retries Slack sent after it.")
    attempts = models.PositiveIntegerField(default=0)
    received_at = models.DateTimeField()
    claimed_at = models.DateTimeField(null=True, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        indexes: ClassVar = [
            models.Index(fields=["status", "received_at"], name="slack_event_status"),
            models.Index(fields=["channel_id", "message_ts"], name="slack_event_message"),
            models.Index(
                fields=["channel_id", "thread_ts"],
                condition=models.Q(status="received"),
                name="slack_event_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} ({self.status})"


class SlackThread(models.Model):
    """The Slack thread a ticket's conversation lives in (its root message opened the ticket)."""

    channel = models.ForeignKey(SlackChannel, on_delete=models.CASCADE, related_name="threads")
    thread_ts = models.CharField(max_length=32)
    ticket = models.OneToOneField(Ticket, on_delete=models.CASCADE, related_name="slack_thread")
    permalink = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["channel", "thread_ts"], name="slack_thread_once"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}/{self.thread_ts}"


class SlackMessage(models.Model):
    """A Slack message that is part of a ticket: the root (``message`` empty: the ticket's
    description), a reply, or one of our own posts. ``(channel_id, ts)`` is Slack's identity
    of a message, so the same message is never added twice."""

    channel_id = models.CharField(max_length=32)
    ts = models.CharField(max_length=32)
    thread = models.ForeignKey(SlackThread, on_delete=models.CASCADE, related_name="messages")
    message = models.ForeignKey(
        Message, null=True, blank=True, on_delete=models.CASCADE, related_name="slack_messages"
    )
    slack_user_id = models.CharField(max_length=32, blank=True)
    text = models.TextField(blank=True)
    is_ours = models.BooleanField(default=False)
    deleted_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["channel_id", "ts"], name="slack_message_once"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}/{self.ts}"


class SlackMessageChange(models.Model):
    """An edit or a deletion made in Slack, kept beside the message it changed."""

    class Kind(models.TextChoices):
        EDITED = "edited", "Edited in Slack"
        DELETED = "deleted", "Deleted in Slack"

    slack_message = models.ForeignKey(
        SlackMessage, on_delete=models.CASCADE, related_name="changes"
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    old_text = models.TextField(blank=True)
    new_text = models.TextField(blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.slack_message_id}"


class SlackFile(models.Model):
    """A file shared in a ticket's thread: Slack's link always, and the downloaded copy
    (``attachment``) when the bot may read files and it is within the size limit."""

    slack_message = models.ForeignKey(SlackMessage, on_delete=models.CASCADE, related_name="files")
    slack_file_id = models.CharField(max_length=32)
    name = models.CharField(max_length=255)
    mimetype = models.CharField(max_length=100, blank=True)
    size = models.PositiveBigIntegerField(default=0)
    permalink = models.URLField(max_length=500, blank=True)
    attachment = models.ForeignKey(
        Attachment, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    note = models.CharField(max_length=200, blank=True, help_text="Why it was not downloaded.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
