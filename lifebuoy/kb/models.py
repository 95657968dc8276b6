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
            # The suggestions' cache key holds the newest change: read from this index.
            models.Index(fields=["updated_at"], name="kb_article_updated"),
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


class VocabularyEntry(TimeStampedModel):
    """Words customers use and the words the articles use for the same thing.

    A question containing ``phrase`` (any of its usual word forms) is also searched for the
    words of ``means``: "builder" for "c2", "bill" for "cost". Support leads edit these in the
    admin; a default set is loaded by a data migration.
    """

    phrase = models.CharField(
        max_length=80, unique=True, help_text="A customer's word or short phrase, e.g. 'bill'."
    )
    means = models.CharField(
        max_length=300, help_text="The articles' words for it, separated by spaces or commas."
    )
    is_active = models.BooleanField(default=True)
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["phrase"]
        verbose_name_plural = "vocabulary entries"

    def __str__(self) -> str:
        return f"{self.phrase} → {self.means}"


class LearnedTerm(models.Model):
    """How often one organization's word led to an article that answered it.

    Learned from that organization's "this solved my problem" clicks and from articles staff
    linked to its tickets. Rows belong to one organization: ranking reads an organization's own
    rows, and other organizations' only through words that several organizations taught the
    same article (see ``lifebuoy.kb.learning``).
    """

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    term = models.CharField(max_length=40)
    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="+")
    count = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["organization", "term", "article"], name="kb_learned_term_unique"
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["term"], name="kb_learned_term")]

    def __str__(self) -> str:
        return f"{self.term} -> {self.article_id} ×{self.count}"
