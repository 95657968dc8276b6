from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from lifebuoy.core.errors import InvalidState, NotFound, PermissionDenied
from lifebuoy.kb.models import Article, ArticleRevision, Outcome, SuggestionRecord
from lifebuoy.kb.selectors import (
    kb_article_get_for_user,
    kb_deflection_rate,
    kb_quarterly_review,
    kb_restriction_for,
    kb_search,
    kb_suggest,
    kb_weekly_review,
)
from lifebuoy.kb.services import (
    kb_article_create,
    kb_article_mark_reviewed,
    kb_article_record_view,
    kb_article_restore,
    kb_article_set_state,
    kb_article_update,
    kb_review_reminders_send,
    kb_suggestion_record,
    kb_ticket_link,
)
from lifebuoy.tickets.tests.factories import ticket_opened

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def _search(user, text):
    return [
        a.title for a in kb_search(user=user, text=text, restriction=kb_restriction_for(user=user))
    ]


def test_a_new_article_gets_the_next_number_and_a_first_revision(ted, now):
    article = kb_article_create(actor=ted, draft=make_draft("First"), now=now)

    assert article.number == Article.objects.order_by("-number").values_list("number", flat=True)[0]
    assert article.number > 1028
    assert article.article_id == f"KB-{article.number}"
    assert (article.state, article.owner, article.last_updated) == ("draft", ted, now.date())
    revision = article.revisions.get()
    assert (revision.number, revision.editor, revision.changed_fields) == (1, ted, ["created"])


def test_customers_cannot_write_articles(alice, now):
    with pytest.raises(PermissionDenied, match="Only support staff can change articles"):
        kb_article_create(actor=alice, draft=make_draft("Nope"), now=now)


def test_an_edit_records_who_changed_which_fields(ted, bob, public_article, now):
    later = now + timedelta(hours=1)
    kb_article_update(
        article=public_article,
        actor=bob,
        draft=make_draft("Public quokkafrost fix, revised", solution="1. Do the new thing."),
        now=later,
        note="New fix",
    )

    latest = public_article.revisions.first()
    assert (latest.number, latest.editor, latest.note) == (2, bob, "New fix")
    assert latest.changed_fields == ["title", "solution"]
    assert latest.created_at == later


def test_restore_brings_back_content_and_state_as_a_new_revision(ted, bob, public_article, now):
    kb_article_update(
        article=public_article,
        actor=bob,
        draft=make_draft("Rewritten", visibility="internal"),
        state="draft",
        now=now,
    )

    restored = kb_article_restore(article=public_article, actor=ted, revision_number=1, now=now)

    assert (restored.title, restored.visibility, restored.state) == (
        "Public quokkafrost fix",
        "customer",
        "published",
    )
    revision = restored.revisions.first()
    assert revision is not None
    assert revision.number == 3
    assert revision.note == "Restored revision 1"
    assert set(revision.changed_fields) == {"title", "visibility", "state"}


def test_restoring_a_missing_revision_is_not_found(ted, public_article, now):
    with pytest.raises(NotFound, match="has no revision 9"):
        kb_article_restore(article=public_article, actor=ted, revision_number=9, now=now)


def test_the_index_follows_every_save_restore_and_state_change(ted, alice, public_article, now):
    assert _search(alice, "quokkafrost") == ["Public quokkafrost fix"]
    kb_article_update(
        article=public_article,
        actor=ted,
        draft=make_draft("Zorblatt", issue="Plain words"),
        now=now,
    )
    assert _search(alice, "zorblatt") == ["Zorblatt"]
    kb_article_set_state(article=public_article, actor=ted, state="archived", now=now)
    assert _search(alice, "zorblatt") == []
    kb_article_restore(article=public_article, actor=ted, revision_number=1, now=now)
    assert _search(alice, "zorblatt") == []
    assert _search(alice, "quokkafrost") == ["Public quokkafrost fix"]


def test_a_failed_save_leaves_article_and_index_unchanged(
    ted, alice, public_article, now, monkeypatch
):
    def boom(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("lifebuoy.kb.services.index_documents", boom)
    with pytest.raises(RuntimeError, match="disk full"):
        kb_article_update(article=public_article, actor=ted, draft=make_draft("Zorblatt"), now=now)

    public_article.refresh_from_db()
    assert public_article.title == "Public quokkafrost fix"
    assert public_article.revisions.count() == 1
    assert _search(alice, "zorblatt") == []


def test_publishing_sets_the_published_time_once(ted, draft_article, now):
    kb_article_set_state(article=draft_article, actor=ted, state="published", now=now)
    kb_article_set_state(article=draft_article, actor=ted, state="draft", now=now + timedelta(1))
    kb_article_set_state(
        article=draft_article, actor=ted, state="published", now=now + timedelta(2)
    )
    draft_article.refresh_from_db()
    assert draft_article.published_at == now
    assert draft_article.revisions.count() == 4


def test_views_are_counted(public_article):
    for _ in range(3):
        kb_article_record_view(article=public_article)
    public_article.refresh_from_db()
    assert public_article.view_count == 3


def test_linking_an_article_to_a_ticket_is_recorded_once(alice, ted, public_article, now):
    ticket = ticket_opened(alice, now, subject="Dashboard empty", description="nothing")
    first = kb_ticket_link(ticket=ticket, article=public_article, actor=ted, now=now)
    again = kb_ticket_link(ticket=ticket, article=public_article, actor=ted, now=now)
    assert first == again
    assert (first.linked_by, first.created_at) == (ted, now)


def test_archived_articles_cannot_be_linked_and_customers_cannot_link(
    alice, ted, archived_article, public_article, now
):
    ticket = ticket_opened(alice, now, subject="Dashboard empty", description="nothing")
    with pytest.raises(InvalidState, match="is archived"):
        kb_ticket_link(ticket=ticket, article=archived_article, actor=ted, now=now)
    with pytest.raises(PermissionDenied, match="Only support staff can change articles"):
        kb_ticket_link(ticket=ticket, article=public_article, actor=alice, now=now)


def test_deflections_and_submissions_give_the_deflection_rate(alice, charlie, public_article, now):
    assert kb_deflection_rate().rate is None
    kb_suggestion_record(
        user=alice, outcome=Outcome.DEFLECTED, shown=[1001], article=public_article, now=now
    )
    kb_suggestion_record(user=charlie, outcome=Outcome.DEFLECTED, shown=[1002], now=now)
    ticket = ticket_opened(alice, now, subject="Still broken", description="help")
    kb_suggestion_record(
        user=alice, outcome=Outcome.SUBMITTED, shown=[1001, 1002], ticket=ticket, now=now
    )
    # No suggestion on screen: not an attempt the knowledge base could have deflected.
    assert kb_suggestion_record(user=alice, outcome=Outcome.SUBMITTED, shown=[], now=now) is None

    rate = kb_deflection_rate()
    assert (rate.deflected, rate.submitted, rate.attempts) == (2, 1, 3)
    assert rate.rate == pytest.approx(2 / 3)
    record = SuggestionRecord.objects.get(article=public_article)
    assert record.shown == [public_article.number, 1001]
    assert record.organization == alice.organization
    assert kb_deflection_rate(since=now + timedelta(seconds=1)).attempts == 0


def test_weekly_list_is_the_most_viewed_not_reviewed_this_week(lena, public_article, now):
    popular = Article.objects.get(number=1004)
    Article.objects.filter(id=popular.id).update(view_count=50)
    Article.objects.filter(id=public_article.id).update(view_count=5)
    weekly = kb_weekly_review(now=now)
    assert weekly[:2] == [popular, public_article]

    kb_article_mark_reviewed(article=popular, actor=lena, now=now - timedelta(days=2))
    assert popular not in kb_weekly_review(now=now)
    assert popular in kb_weekly_review(now=now + timedelta(days=6))


def test_quarterly_queue_holds_everything_unreviewed_for_a_quarter(lena, public_article, now):
    queue = kb_quarterly_review(now=now)
    assert public_article in queue
    assert all(a.state == "published" for a in queue)
    kb_article_mark_reviewed(article=public_article, actor=lena, now=now)
    assert public_article not in kb_quarterly_review(now=now + timedelta(days=90))
    assert public_article in kb_quarterly_review(now=now + timedelta(days=92))


def test_only_a_lead_or_the_owner_marks_an_article_reviewed(ted, bob, lena, public_article, now):
    with pytest.raises(PermissionDenied, match="Only a support lead or the owner can review"):
        kb_article_mark_reviewed(article=public_article, actor=bob, now=now)
    kb_article_mark_reviewed(article=public_article, actor=ted, now=now)  # the owner
    kb_article_mark_reviewed(article=public_article, actor=lena, now=now)


def test_owners_are_reminded_daily_until_they_review(ted, lena, public_article, now):
    Article.objects.exclude(id=public_article.id).update(owner=lena, reviewed_at=now)

    assert kb_review_reminders_send(now=now) == 1
    assert mail.outbox[-1].to == [ted.email]
    assert public_article.article_id in mail.outbox[-1].body
    assert kb_review_reminders_send(now=now + timedelta(hours=2)) == 0
    assert kb_review_reminders_send(now=now + timedelta(days=1, hours=1)) == 1

    kb_article_mark_reviewed(article=public_article, actor=ted, now=now + timedelta(days=2))
    assert kb_review_reminders_send(now=now + timedelta(days=3)) == 0


def test_the_gate_hides_missing_and_private_articles_alike(alice, internal_article):
    with pytest.raises(NotFound) as private:
        kb_article_get_for_user(user=alice, key=internal_article.article_id)
    with pytest.raises(NotFound) as missing:
        kb_article_get_for_user(user=alice, key="KB-999999")
    with pytest.raises(NotFound, match="Article nonsense was not found"):
        kb_article_get_for_user(user=alice, key="nonsense")
    assert private.value.code == missing.value.code == "article_not_found"
    assert kb_article_get_for_user(user=alice, key="kb-1001").number == 1001


def test_seed_articles_are_published_with_a_revision():
    seeds = Article.objects.filter(number__lte=1028)
    assert seeds.count() == 28
    assert set(seeds.values_list("state", flat=True)) == {"published"}
    assert ArticleRevision.objects.filter(article__in=seeds, number=1).count() == 28


def test_reindex_rebuilds_the_search_index(alice, public_article):
    from django.core.management import call_command

    from lifebuoy.kb.search import backend_for

    with connection.cursor() as cursor:
        table = "kb_article_fts" if backend_for().vendor == "sqlite" else "kb_article_search"
        cursor.execute(f"DELETE FROM {table}")  # noqa: S608  # a constant table name
    assert _search(alice, "quokkafrost") == []
    call_command("kb_reindex", stdout=StringIO())
    assert _search(alice, "quokkafrost") == ["Public quokkafrost fix"]


def test_the_reminder_task_calls_the_service(ted, public_article):
    from lifebuoy.kb.tasks import kb_review_reminders_send as task

    assert task() == 1


def test_a_tickets_suggestions_are_kept_until_an_article_changes(
    alice, ted, public_article, draft_article, now
):
    def suggested() -> list[str]:
        found = kb_suggest(user=ted, subject="quokkafrost dashboard empty", description="")
        return sorted(a.title for a in found if "quokkafrost" in a.title)

    assert suggested() == ["Public quokkafrost fix"]
    with CaptureQueriesContext(connection) as again:
        assert suggested() == ["Public quokkafrost fix"]
    # Only the articles' and the vocabulary's newest changes (one query): the ranked articles
    # come from the cache; no search, no learned words, no loading.
    assert len(again.captured_queries) == 1

    later = now + timedelta(minutes=1)
    with time_machine.travel(later, tick=False):
        kb_article_set_state(article=draft_article, actor=ted, state="published", now=later)
    assert suggested() == ["Draft quokkafrost notes", "Public quokkafrost fix"]
