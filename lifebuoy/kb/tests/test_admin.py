"""Support leads keep the vocabulary in the admin; what they change is what customers get."""

from __future__ import annotations

from http import HTTPStatus

import pytest

from lifebuoy.kb.models import VocabularyEntry
from lifebuoy.kb.selectors import kb_suggest

from .conftest import MARKER

pytestmark = pytest.mark.django_db

LIST = "/admin/kb/vocabularyentry/"
ADD = f"{LIST}add/"


@pytest.fixture
def lead(lena):
    lena.is_staff = True  # let into the admin, as an admin does for a lead; no model permissions
    lena.save(update_fields=["is_staff"])
    return lena


def _entry(phrase: str, means: str, **extra: str) -> dict[str, str]:
    return {"phrase": phrase, "means": means, "is_active": "on", "note": "", **extra}


def test_a_lead_adds_an_entry_and_customers_find_the_article_by_it(
    client, lead, alice, public_article
):
    assert public_article not in kb_suggest(user=alice, subject="zorblatt gone", description="")
    client.force_login(lead)
    assert "Vocabulary entries" in client.get("/admin/").content.decode()

    response = client.post(ADD, _entry("  Zorblatt ", MARKER))
    assert response.status_code == HTTPStatus.FOUND, response.content.decode()[:2000]
    assert VocabularyEntry.objects.get(phrase="zorblatt").means == MARKER
    assert kb_suggest(user=alice, subject="zorblatt gone", description="")[0] == public_article


def test_a_lead_changes_and_deletes_a_default_entry(client, lead):
    entry = VocabularyEntry.objects.get(phrase="builder")
    client.force_login(lead)
    assert "builder" in client.get(LIST, {"q": "builder"}).content.decode()

    change = f"{LIST}{entry.pk}/change/"
    assert client.post(change, _entry("builder", "c2 implementer")).status_code == HTTPStatus.FOUND
    entry.refresh_from_db()
    assert entry.means == "c2 implementer"

    assert client.post(f"{LIST}{entry.pk}/delete/", {"post": "yes"}).status_code == HTTPStatus.FOUND
    assert not VocabularyEntry.objects.filter(phrase="builder").exists()


def test_an_entry_of_ignored_words_is_refused_with_the_reason(client, lead):
    client.force_login(lead)
    alone = client.post(ADD, _entry("the", "c2")).content.decode()
    assert "Searches ignore a word like “the”, “not” or “down” on its own" in alone
    meaningless = client.post(ADD, _entry("kaput", "not the")).content.decode()
    assert "Searches ignore words like “the” or “not” here" in meaningless
    assert not VocabularyEntry.objects.filter(phrase__in=["the", "kaput"]).exists()
    assert client.post(ADD, _entry("goes down", "offline")).status_code == HTTPStatus.FOUND


def test_agents_in_the_admin_cannot_change_the_vocabulary(client, ted):
    ted.is_staff = True
    ted.save(update_fields=["is_staff"])
    client.force_login(ted)
    assert client.get(ADD).status_code == HTTPStatus.FORBIDDEN
    assert client.post(ADD, _entry("zorblatt", MARKER)).status_code == HTTPStatus.FORBIDDEN
    assert not VocabularyEntry.objects.filter(phrase="zorblatt").exists()


def test_customers_never_reach_the_vocabulary(client, alice):
    client.force_login(alice)
    assert client.get(LIST).status_code == HTTPStatus.FOUND  # to the admin's sign-in
