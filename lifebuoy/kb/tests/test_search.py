from __future__ import annotations

import pytest

from lifebuoy.kb.search.terms import expand
from lifebuoy.kb.search.text import words
from lifebuoy.kb.selectors import kb_restriction_for, kb_search
from lifebuoy.kb.services import kb_article_create

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def _ids(user, text, **filters):
    restriction = kb_restriction_for(user=user, **filters)
    return [a.article_id for a in kb_search(user=user, text=text, restriction=restriction)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("slow consolidation", "KB-1002"),
        ("consolidaton", "KB-1002"),  # a letter missing
        ("consolidtaion", "KB-1002"),  # two letters swapped
        ("consol", "KB-1002"),  # still typing
        ("merge conflcit", "KB-1004"),
        ("git conf", "KB-1004"),
        ("cost overrun", "KB-1005"),
    ],
)
def test_typos_and_unfinished_words_still_find_the_article(alice, text, expected):
    assert expected in _ids(alice, text)[:3]


def test_short_words_are_not_guessed_at(db):
    groups = expand(["gti"], complete_last=False)
    assert groups[0].alternatives == ()


def test_stop_words_are_ignored():
    assert words("How do I fix THE merge-conflict?") == ["fix", "merge", "conflict"]


def test_a_title_match_outranks_a_body_match(ted, alice, now):
    in_body = kb_article_create(
        actor=ted,
        draft=make_draft("Unrelated heading", solution="Mention of plinthwork in passing."),
        state="published",
        now=now,
    )
    in_title = kb_article_create(
        actor=ted, draft=make_draft("Plinthwork guide"), state="published", now=now
    )
    in_symptoms = kb_article_create(
        actor=ted,
        draft=make_draft("Another heading", symptoms=["The plinthwork light blinks"]),
        state="published",
        now=now,
    )
    assert _ids(alice, "plinthwork") == [
        in_title.article_id,
        in_symptoms.article_id,
        in_body.article_id,
    ]


def test_filters_by_category_and_version(ted, alice, now):
    kb_article_create(
        actor=ted,
        draft=make_draft("Vexillum on 2.0", affected_versions=["2.0", "2.1"]),
        state="published",
        now=now,
    )
    kb_article_create(
        actor=ted,
        draft=make_draft("Vexillum security", category="Security best practices"),
        state="published",
        now=now,
    )
    titles = lambda **f: {  # noqa: E731
        a.title
        for a in kb_search(
            user=alice, text="vexillum", restriction=kb_restriction_for(user=alice, **f)
        )
    }
    assert titles() == {"Vexillum on 2.0", "Vexillum security"}
    assert titles(version="2.1") == {"Vexillum on 2.0"}
    assert titles(version="2") == set()
    assert titles(category="security") == {"Vexillum security"}


def test_all_words_must_match_before_any_word_may(alice):
    both = _ids(alice, "heartbeat commits")
    assert both
    assert _ids(alice, "heartbeat xylophonequartz")  # falls back to any word


def test_nothing_is_found_for_nothing(alice):
    assert _ids(alice, "") == []
    assert _ids(alice, "the and of") == []
