"""Between the template (``ArticleDraft``) and the stored article, in both directions."""

from __future__ import annotations

from typing import Any, cast

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.markdown import render_markdown

from . import template
from .models import Article, Category
from .search import Document, document_for

CATEGORY_BY_LABEL: dict[str, str] = {label: value for value, label in Category.choices}
# The labels are exactly template.CATEGORIES.
LABEL_BY_CATEGORY = cast(dict[str, template.Category], dict(Category.choices))
# The template fields a revision snapshot holds, besides state and owner.
DRAFT_FIELDS = (
    "title",
    "issue",
    "affected_versions",
    "severity",
    "symptoms",
    "root_cause",
    "solution",
    "prevention",
    "related",
    "category",
    "visibility",
    "tags",
)


def versions_key(versions: list[str]) -> str:
    return "|" + "|".join(versions) + "|" if versions else ""


def body_markdown(*, symptoms: list[str], root_cause: str, solution: str, prevention: str) -> str:
    bullets = "\n".join(f"- {symptom}" for symptom in symptoms)
    return (
        f"## Symptoms\n{bullets}\n\n## Root Cause\n{root_cause}\n\n"
        f"## Solution\n{solution}\n\n## Prevention\n{prevention}\n"
    )


def fields_from_draft(draft: template.ArticleDraft) -> dict[str, Any]:
    """Model field values for ``draft`` (the article ID and last-updated date are not taken)."""
    return {
        "title": draft.title,
        "issue": draft.issue,
        "affected_versions": list(draft.affected_versions),
        "versions_key": versions_key(draft.affected_versions),
        "severity": draft.severity,
        "symptoms": list(draft.symptoms),
        "root_cause": draft.root_cause,
        "solution": draft.solution,
        "prevention": draft.prevention,
        "related": list(draft.related),
        "category": CATEGORY_BY_LABEL[draft.category],
        "visibility": draft.visibility,
        "tags": list(draft.tags),
        "body_html": render_markdown(
            body_markdown(
                symptoms=draft.symptoms,
                root_cause=draft.root_cause,
                solution=draft.solution,
                prevention=draft.prevention,
            )
        ),
    }


def draft_from_article(article: Article) -> template.ArticleDraft:
    return template.ArticleDraft(
        title=article.title,
        issue=article.issue,
        affected_versions=list(article.affected_versions),
        severity=article.severity,  # type: ignore[arg-type]  # constrained by the choices
        symptoms=list(article.symptoms),
        root_cause=article.root_cause,
        solution=article.solution,
        prevention=article.prevention,
        related=list(article.related),
        last_updated=article.last_updated,
        article_id=article.article_id,
        category=LABEL_BY_CATEGORY[article.category],
        visibility=article.visibility,  # type: ignore[arg-type]  # constrained by the choices
        tags=list(article.tags),
    )


def snapshot(article: Article) -> dict[str, Any]:
    """What a revision stores: every template field, the state and the owner."""
    data = {name: getattr(article, name) for name in DRAFT_FIELDS}
    data["state"] = article.state
    data["owner_id"] = article.owner_id
    return data


def document_of(article: Article) -> Document:
    return document_for(
        article_id=article.id,
        title=article.title,
        tags=list(article.tags),
        issue=article.issue,
        symptoms=list(article.symptoms),
        root_cause=article.root_cause,
        solution=article.solution,
        prevention=article.prevention,
    )


def draft_or_error(**fields: Any) -> template.ArticleDraft:
    """Build a draft, turning the template's ``ValueError`` into a field error."""
    try:
        return template.ArticleDraft(**fields)
    except ValueError as exc:
        raise _invalid(exc) from exc


def parse_or_error(markdown_text: str) -> template.ArticleDraft:
    """Parse an article in template form, turning a ``ValueError`` into a field error."""
    try:
        return template.parse_article(markdown_text)
    except ValueError as exc:
        raise ValidationFailed.for_fields({"markdown": str(exc)}) from exc


def _invalid(exc: ValueError) -> ValidationFailed:
    message = str(exc)
    name = message.split(":", 1)[0].strip().replace(" ", "_")
    field = name if name.rstrip("s") in _FIELD_STEMS else "article"
    return ValidationFailed.for_fields({field: message})


_FIELD_STEMS = {n.rstrip("s") for n in DRAFT_FIELDS} | {"affected_version", "related_article"}


def draft_from_values(values: dict[str, Any]) -> template.ArticleDraft:
    """A draft from stored-style values (category as its short name, e.g. ``common``)."""
    data = {name: values[name] for name in DRAFT_FIELDS if name in values}
    category = data.get("category", Category.COMMON.value)
    if category not in LABEL_BY_CATEGORY:
        choices = ", ".join(LABEL_BY_CATEGORY)
        raise ValidationFailed.for_fields({"category": f"Choose one of: {choices}."})
    data["category"] = LABEL_BY_CATEGORY[category]
    return draft_or_error(**data)


def draft_with_changes(article: Article, changes: dict[str, Any]) -> template.ArticleDraft:
    """The article's draft with the given (not None) template fields replaced."""
    values = snapshot(article)
    values.update({k: v for k, v in changes.items() if k in DRAFT_FIELDS and v is not None})
    return draft_from_values(values)
