"""Knowledge-base suggestions in the portal's new-ticket form, in a real browser."""

from __future__ import annotations

import pytest

from lifebuoy.kb.models import SuggestionRecord
from lifebuoy.kb.services import kb_article_create
from lifebuoy.kb.template import ArticleDraft
from lifebuoy.tickets.models import Ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pw-for-tests-1"


def _article(ted, now):
    draft = ArticleDraft(
        title="Zeppelin sync stalls after the nightly job",
        issue="The zeppelin sync never finishes",
        affected_versions=["1.0"],
        severity="High",
        symptoms=["Zeppelin sync shows 'waiting' for hours"],
        root_cause="A stale lock file.",
        solution="1. Delete the lock file.\n2. Start the sync again.",
        prevention="Let the nightly job clean up its lock.",
        visibility="customer",
    )
    return kb_article_create(actor=ted, draft=draft, state="published", now=now)


def _new_ticket_with_suggestions(page, base: str) -> None:
    page.goto(f"{base}/portal/tickets/new/")
    page.fill("input[name=subject]", "zeppelin sync stuck")
    page.fill("textarea[name=description]", "The sync has been waiting since last night.")
    page.wait_for_selector("#kb-suggestions:not([hidden]) >> text=Zeppelin sync stalls")


def test_a_suggestion_solves_the_problem_or_the_ticket_goes_in_anyway(
    chromium, live_server, alice, ted, now
):
    article = _article(ted, now)
    page = chromium.new_context().new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", alice.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")

    _new_ticket_with_suggestions(page, live_server.url)
    page.click("button:has-text('This solved my problem')")
    page.wait_for_selector("text=No ticket was opened")
    assert page.url.endswith(f"/portal/kb/{article.article_id}/")
    assert Ticket.objects.count() == 0

    _new_ticket_with_suggestions(page, live_server.url)
    page.click("button:has-text('Submit ticket')")
    page.wait_for_selector("text=is open. We will reply here.")
    deflected = SuggestionRecord.objects.get(outcome="deflected")
    submitted = SuggestionRecord.objects.get(outcome="submitted")
    assert deflected.article == article
    assert article.number in deflected.shown
    assert submitted.ticket == Ticket.objects.get()
    assert article.number in submitted.shown
