"""Knowledge-base articles in the playbook's template, their history, and how they are used."""

from __future__ import annotations

from typing import ClassVar

from django.db import models

from lifebuoy.accounts.models import Organization, User
from lifebuoy.core.models import TimeStampedModel
from lifebuoy.tickets.models import Ticket

from . import template


class Category(models.TextChoices):
    COMMON = "common", template.CATEGORIES[0]
    CONFIGURATION = "configuration", template.CATEGORIES[1]
    INTEGRATION = "integration", template.CATEGORIES[2]
    PERFORMANCE = "performance", template.CATEGORIES[3]
    SECURITY = "security", template.CATEGORIES[4]


class Visibility(models.TextChoices):
    INTERNAL = "internal", "Internal"
    CUSTOMER = "customer", "Customer-facing"


class State(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"
    ARCHIVED = "archived", "Archived"


class Severity(models.TextChoices):
    LOW = "Low", "Low"
    MEDIUM = "Medium", "Medium"
    HIGH = "High", "High"
    CRITICAL = "Critical", "Critical"


class Article(TimeStampedModel):
    """One article. Its public ID is ``KB-<number>``; the template fields are stored as columns."""

    number = models.PositiveIntegerField(unique=True)
    title = models.CharField(max_length=300)
    issue = models.TextField()
    affected_versions = models.JSONField(default=list)
    # "|1.0|1.1|": the versions in one indexed text column, for the version filter on any database.
    versions_key = models.CharField(max_length=300, blank=True, db_index=True)
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    symptoms = models.JSONField(default=list)
    root_cause = models.TextField()
    solution = models.TextField()
    prevention = models.TextField()
    related = models.JSONField(default=list)
    category = models.CharField(max_length=20, choices=Category.choices, default=Category.COMMON)
    visibility = models.CharField(
        max_length=10, choices=Visibility.choices, default=Visibility.INTERNAL
    )
    state = models.CharField(max_length=10, choices=State.choices, default=State.DRAFT)
    tags = models.JSONField(default=list)
    owner = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="kb_articles"
    )
    body_html = models.TextField(blank=True)
    last_updated = models.DateField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    view_count = models.PositiveIntegerField(default=0)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["number"]
        indexes: ClassVar = [
            models.Index(fields=["state", "visibility", "category"], name="kb_article_filter"),
            models.Index(fields=["-view_count"], name="kb_article_views"),
        ]

    def __str__(self) -> str:
        return f"{self.article_id} {self.title}"

    @property
    def article_id(self) -> str:
        return f"KB-{self.number}"

    @property
    def is_customer_facing(self) -> bool:
        return self.state == State.PUBLISHED and self.visibility == Visibility.CUSTOMER


class ArticleRevision(models.Model):
    """A full snapshot of the article after one change, with who made it and what changed."""

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    editor = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    snapshot = models.JSONField()
    changed_fields = models.JSONField(default=list)
    note = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["-number"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["article", "number"], name="kb_revision_unique"),
        ]

    def __str__(self) -> str:
        return f"KB-{self.article_id} r{self.number}"


class TicketArticleLink(models.Model):
    """An article that answered a ticket."""

    ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="kb_links")
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="ticket_links")
    linked_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["ticket", "article"], name="kb_link_unique"),
        ]

    def __str__(self) -> str:
        return f"#{self.ticket_id} -> {self.article_id}"


class Outcome(models.TextChoices):
    DEFLECTED = "deflected", "Solved by an article"
    SUBMITTED = "submitted", "Ticket submitted anyway"


class SuggestionRecord(models.Model):
    """One ticket attempt in the portal on which articles were suggested, and how it ended."""

    user = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    organization = models.ForeignKey(
        Organization, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    shown = models.JSONField(default=list)  # article numbers, in the order shown
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.SET_NULL)
    ticket = models.ForeignKey(Ticket, null=True, blank=True, on_delete=models.SET_NULL)
    subject = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.outcome} at {self.created_at:%Y-%m-%d %H:%M}"


class SearchTerm(models.Model):
    """Every word ever indexed, for typo correction and prefix completion on any database."""

    term = models.CharField(max_length=40, unique=True)

    def __str__(self) -> str:
        return self.term
