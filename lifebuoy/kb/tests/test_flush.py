"""Django empties its tables between transactional tests (and in `manage.py flush`) without
CASCADE; the search index table beside kb_article must not stand in the way."""

from __future__ import annotations

import pytest

from lifebuoy.kb.selectors import kb_restriction_for, kb_search
from lifebuoy.kb.services import kb_article_create

from .conftest import make_draft


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize("round_", [1, 2])
def test_articles_index_and_flush_between_transactional_tests(ted, alice, now, round_):
    kb_article_create(actor=ted, draft=make_draft(f"Flush {round_}"), state="published", now=now)
    found = kb_search(user=alice, text="quokkafrost", restriction=kb_restriction_for(user=alice))
    assert [a.title for a in found] == [f"Flush {round_}"]
