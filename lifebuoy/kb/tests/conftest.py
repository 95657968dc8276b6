"""Articles with one rare word each, so a search for it shows exactly who can see what."""

from __future__ import annotations

from typing import Any

import pytest

from lifebuoy.kb.models import Article
from lifebuoy.kb.services import kb_article_create
from lifebuoy.kb.template import ArticleDraft

MARKER = "quokkafrost"


def make_draft(title: str, *, visibility: str = "customer", **overrides) -> ArticleDraft:
    fields: dict[str, Any] = {
        "title": title,
        "issue": f"The {MARKER} dashboard shows nothing",
        "affected_versions": ["1.0"],
        "severity": "Medium",
        "symptoms": [f"{MARKER} widgets stay empty"],
        "root_cause": "A missing setting.",
        "solution": "1. Set it.\n2. Restart.",
        "prevention": "Check the setting after upgrades.",
        "visibility": visibility,
    }
    fields.update(overrides)
    return ArticleDraft(**fields)


@pytest.fixture
def public_article(ted, now) -> Article:
    return kb_article_create(
        actor=ted, draft=make_draft("Public quokkafrost fix"), state="published", now=now
    )


@pytest.fixture
def internal_article(ted, now) -> Article:
    return kb_article_create(
        actor=ted,
        draft=make_draft("Internal quokkafrost runbook", visibility="internal"),
        state="published",
        now=now,
    )


@pytest.fixture
def draft_article(ted, now) -> Article:
    return kb_article_create(
        actor=ted, draft=make_draft("Draft quokkafrost notes"), state="draft", now=now
    )


@pytest.fixture
def archived_article(ted, now) -> Article:
    return kb_article_create(
        actor=ted, draft=make_draft("Archived quokkafrost advice"), state="archived", now=now
    )


@pytest.fixture
def articles(public_article, internal_article, draft_article, archived_article):
    return {
        "public": public_article,
        "internal": internal_article,
        "draft": draft_article,
        "archived": archived_article,
    }
