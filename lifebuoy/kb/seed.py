"""The seed articles shipped in ``seed/articles`` and the default vocabulary in
``seed/vocabulary.yaml``: each loaded once, by a data migration."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from . import template
from .drafts import document_of, fields_from_draft, snapshot
from .search import index_documents

SEED_DIR = Path(__file__).resolve().parent / "seed" / "articles"
VOCABULARY_FILE = Path(__file__).resolve().parent / "seed" / "vocabulary.yaml"


def seed_drafts() -> list[template.ArticleDraft]:
    return [
        template.parse_article(path.read_text(encoding="utf-8"))
        for path in sorted(SEED_DIR.glob("KB-*.md"))
    ]


def load_seed_articles(*, article_model: Any, revision_model: Any, now: datetime) -> int:
    """Create the seed articles that are missing, published, each with a first revision.

    Takes the model classes so the data migration can pass its historical models.
    """
    created = []
    for draft in seed_drafts():
        assert draft.article_id is not None  # noqa: S101  # checked by the seed tests
        number = int(draft.article_id.removeprefix("KB-"))
        if article_model.objects.filter(number=number).exists():
            continue
        article = article_model.objects.create(
            number=number,
            state="published",
            published_at=now,
            last_updated=draft.last_updated,
            created_at=now,
            **fields_from_draft(draft),
        )
        revision_model.objects.create(
            article=article,
            number=1,
            editor=None,
            snapshot=snapshot(article),
            changed_fields=["created"],
            note="Seed article",
            created_at=now,
        )
        created.append(article)
    index_documents([document_of(a) for a in created])
    return len(created)


def seed_vocabulary() -> list[tuple[str, str]]:
    data = yaml.safe_load(VOCABULARY_FILE.read_text(encoding="utf-8"))
    return [(str(e["phrase"]).strip().lower(), str(e["means"]).strip()) for e in data["vocabulary"]]


def load_seed_vocabulary(*, entry_model: Any, now: datetime) -> int:
    """Create the default vocabulary entries whose phrase is not there yet (a lead's own
    entry for the same phrase wins). Takes the model class for the data migration."""
    existing = set(entry_model.objects.values_list("phrase", flat=True))
    new = [
        entry_model(phrase=phrase, means=means, created_at=now, note="Default vocabulary")
        for phrase, means in seed_vocabulary()
        if phrase not in existing
    ]
    entry_model.objects.bulk_create(new)
    return len(new)
