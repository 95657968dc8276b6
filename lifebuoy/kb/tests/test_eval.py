"""Retrieval evaluation: the suggestion engine against the labelled customer tickets.

Runs on whichever database the suite uses (SQLite FTS5 by default, PostgreSQL full-text search
with DATABASE_URL), over the seed articles loaded by the data migration.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.db import connection

from lifebuoy.kb.selectors import kb_suggest

pytestmark = pytest.mark.django_db

EVAL_FILE = Path(__file__).resolve().parent.parent / "seed" / "eval_tickets.yaml"
REQUIRED_HIT_AT_3 = 0.85


def test_suggestions_put_the_answering_article_in_the_top_three(alice, capsys):
    tickets = yaml.safe_load(EVAL_FILE.read_text(encoding="utf-8"))["tickets"]
    misses = []
    for ticket in tickets:
        suggested = kb_suggest(
            user=alice, subject=ticket["subject"], description=ticket["description"], limit=3
        )
        ids = [article.article_id for article in suggested]
        if ticket["expected"] not in ids:
            misses.append(f"{ticket['expected']} not in {ids}: {ticket['subject']}")
    hit_at_3 = 1 - len(misses) / len(tickets)

    with capsys.disabled():
        summary = f"{hit_at_3:.3f} ({len(tickets)} tickets)"
        print(f"\nKB suggestions hit@3 on {connection.vendor}: {summary}")  # noqa: T201
        for miss in misses:
            print(f"  miss: {miss}")  # noqa: T201
    assert len(tickets) >= 40
    assert hit_at_3 >= REQUIRED_HIT_AT_3
