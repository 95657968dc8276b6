"""The domain vocabulary widens a customer's words with the articles' words for them."""

from __future__ import annotations

import pytest

from lifebuoy.kb.models import VocabularyEntry
from lifebuoy.kb.search import Vocabulary, vocabulary_current
from lifebuoy.kb.search.terms import TermGroup
from lifebuoy.kb.search.text import words
from lifebuoy.kb.search.vocabulary import MAX_EXTRA, forms
from lifebuoy.kb.selectors import kb_restriction_for, kb_search, kb_suggest

from .conftest import MARKER


def _widened(
    vocabulary: Vocabulary, text: str, *, add_groups: bool = True
) -> dict[str, tuple[str, ...]]:
    groups = [TermGroup(word=w, alternatives=(w,)) for w in dict.fromkeys(words(text))]
    widened = vocabulary.widen(text, groups, add_groups=add_groups)
    return {g.word: g.alternatives for g in widened}


def test_a_customers_word_also_matches_the_articles_words():
    vocabulary = Vocabulary.from_pairs([("builder", "c2"), ("bill", "cost, spend")])
    widened = _widened(vocabulary, "Our builder sent a huge bill")
    assert widened["builder"] == ("builder", "c2")
    assert widened["bill"] == ("bill", "cost", "spend")
    assert widened["huge"] == ("huge",)


@pytest.mark.parametrize(
    ("phrase", "typed"),
    [
        ("bill", "bills"),
        ("bill", "billed"),
        ("stop", "stopped"),
        ("freeze", "freezing"),
        ("reply", "replies"),
        ("push", "pushes"),
    ],
)
def test_phrases_match_the_usual_forms_of_their_words(phrase, typed):
    assert typed in forms(phrase)
    assert _widened(Vocabulary.from_pairs([(phrase, "meaning")]), typed)[typed][-1] == "meaning"


def test_a_phrase_of_several_words_matches_only_when_they_come_together():
    vocabulary = Vocabulary.from_pairs([("timed out", "session expired")])
    assert _widened(vocabulary, "the chat timed out")["timed"] == ("timed", "session", "expired")
    assert _widened(vocabulary, "timed the run, out of ideas")["timed"] == ("timed",)


def test_stop_words_mean_nothing_alone_but_count_inside_a_phrase():
    vocabulary = Vocabulary.from_pairs(
        [("dead", "not responding"), ("the", "anything"), ("hasn't push", "silent")]
    )
    assert len(vocabulary.entries) == 2  # "the" alone is no phrase
    assert _widened(vocabulary, "the agent is dead")["dead"] == ("dead", "responding")
    assert _widened(vocabulary, "C2 hasn’t pushed today")["pushed"] == ("pushed", "silent")
    assert _widened(vocabulary, "C2 pushed today")["pushed"] == ("pushed",)


def test_a_phrase_of_small_words_adds_a_group_only_where_every_word_need_not_match():
    vocabulary = Vocabulary.from_pairs([("is down", "offline")])
    assert _widened(vocabulary, "C3 is down")["is down"] == ("offline",)
    assert "is down" not in _widened(vocabulary, "C3 is down", add_groups=False)


def test_one_entry_adds_a_bounded_number_of_words():
    many = " ".join(f"word{n}" for n in range(30))
    widened = _widened(Vocabulary.from_pairs([("broken", many)]), "broken")
    assert len(widened["broken"]) == 1 + MAX_EXTRA


@pytest.mark.django_db
def test_the_default_vocabulary_knows_the_role_names():
    means = dict(VocabularyEntry.objects.values_list("phrase", "means"))
    assert means["builder"] == "c2"
    assert means["validator"] == "c3"
    assert means["coordinator"] == "c1"
    assert "cost" in means["bill"].split()


@pytest.mark.django_db
def test_a_new_entry_changes_what_customers_find_at_once(alice, public_article):
    restriction = kb_restriction_for(user=alice)
    assert kb_search(user=alice, text="zorblatt", restriction=restriction) == []
    before = kb_suggest(user=alice, subject="zorblatt", description="")
    assert public_article not in before

    entry = VocabularyEntry.objects.create(phrase="zorblatt", means=MARKER)
    assert kb_search(user=alice, text="zorblatt", restriction=restriction) == [public_article]
    assert kb_suggest(user=alice, subject="zorblatt", description="")[0] == public_article

    entry.is_active = False
    entry.save(update_fields=["is_active", "updated_at"])
    assert kb_search(user=alice, text="zorblatt", restriction=restriction) == []


@pytest.mark.django_db
def test_the_vocabulary_is_read_again_only_after_a_change(django_assert_num_queries):
    vocabulary_current()
    with django_assert_num_queries(1):  # the stamp only
        unchanged = vocabulary_current()
    VocabularyEntry.objects.create(phrase="kaput", means="broken")
    with django_assert_num_queries(2):
        changed = vocabulary_current()
    assert changed is not unchanged
    assert len(changed.entries) == len(unchanged.entries) + 1


@pytest.mark.django_db
def test_role_names_find_articles_that_only_say_c2(alice):
    # The seed articles call the builder "C2" throughout; "c2" is shorter than the words the
    # typo table keeps, and is still matched as typed.
    found = kb_suggest(user=alice, subject="our builder stopped", description="", limit=5)
    assert "KB-1001" in [a.article_id for a in found]
