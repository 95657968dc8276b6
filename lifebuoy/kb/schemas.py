from __future__ import annotations

from datetime import date, datetime

from django.urls import reverse
from ninja import Field, Schema

from .models import Article, ArticleRevision


class ArticleSummaryOut(Schema):
    id: str = Field(..., alias="article_id")
    number: int
    title: str
    issue: str
    category: str
    visibility: str
    state: str
    affected_versions: list[str]
    url: str

    @staticmethod
    def resolve_url(obj: Article) -> str:
        return reverse("kb_portal:article", args=[obj.article_id])


class ArticleOut(ArticleSummaryOut):
    severity: str
    symptoms: list[str]
    root_cause: str
    solution: str
    prevention: str
    related: list[str]
    tags: list[str]
    body_html: str
    owner: str | None
    view_count: int
    last_updated: date | None
    reviewed_at: datetime | None
    created_at: datetime
    updated_at: datetime

    @staticmethod
    def resolve_owner(obj: Article) -> str | None:
        return obj.owner.display_name if obj.owner else None


class ArticleIn(Schema):
    title: str
    issue: str
    affected_versions: list[str]
    severity: str = "Medium"
    symptoms: list[str]
    root_cause: str
    solution: str
    prevention: str
    related: list[str] = []
    category: str = Field("common", description="common, configuration, integration, …")
    visibility: str = "internal"
    tags: list[str] = []
    state: str = "draft"
    owner_id: int | None = None


class ArticlePatchIn(Schema):
    title: str | None = None
    issue: str | None = None
    affected_versions: list[str] | None = None
    severity: str | None = None
    symptoms: list[str] | None = None
    root_cause: str | None = None
    solution: str | None = None
    prevention: str | None = None
    related: list[str] | None = None
    category: str | None = None
    visibility: str | None = None
    tags: list[str] | None = None
    state: str | None = None
    owner_id: int | None = None


class RevisionOut(Schema):
    number: int
    editor: str | None
    changed_fields: list[str]
    note: str
    created_at: datetime

    @staticmethod
    def resolve_editor(obj: ArticleRevision) -> str | None:
        return obj.editor.display_name if obj.editor else None


# An article's key as people write it: KB-1001, kb-1001 or 1001 (ASCII digits only).
ARTICLE_KEY_PATTERN = r"^(?:[Kk][Bb]-)?[0-9]{1,9}$"


class DeflectionIn(Schema):
    article: str = Field(
        ...,
        pattern=ARTICLE_KEY_PATTERN,
        description="The article that solved the problem, e.g. KB-1001.",
    )
    shown: list[int] = Field([], description="Numbers of every article that was suggested.")
    subject: str = ""


class SuggestionRecordOut(Schema):
    id: int
    outcome: str
    shown: list[int]
    created_at: datetime


class DeflectionRateOut(Schema):
    deflected: int
    submitted: int
    attempts: int
    rate: float | None


class LinkIn(Schema):
    article: str = Field(..., pattern=ARTICLE_KEY_PATTERN, description="e.g. KB-1001.")


class ReviewOut(Schema):
    weekly: list[ArticleSummaryOut]
    quarterly: list[ArticleSummaryOut]
