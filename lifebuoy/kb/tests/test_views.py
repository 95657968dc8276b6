from __future__ import annotations

from http import HTTPStatus

import pytest

from lifebuoy.kb.drafts import draft_from_article
from lifebuoy.kb.models import Article, SuggestionRecord, TicketArticleLink
from lifebuoy.kb.services import kb_article_create, kb_article_update
from lifebuoy.kb.template import render_article
from lifebuoy.tickets.models import Ticket
from lifebuoy.tickets.services import TicketChanges, message_add, ticket_update
from lifebuoy.tickets.tests.factories import ticket_opened

from .conftest import make_draft

pytestmark = pytest.mark.django_db


def test_an_agent_writes_a_new_article_in_the_template(client, ted):
    client.force_login(ted)
    form = client.get("/desk/kb/new/")
    markdown = form.context["form"]["markdown"].value().replace("# Title", "# Hub sync lag")
    response = client.post(
        "/desk/kb/new/", {"markdown": markdown, "state": "published"}, follow=True
    )
    article = Article.objects.get(title="Hub sync lag")
    assert response.redirect_chain[-1][0] == f"/desk/kb/{article.article_id}/"
    assert (article.state, article.owner, article.visibility) == ("published", ted, "internal")


def test_template_errors_are_shown_on_the_form(client, ted):
    client.force_login(ted)
    response = client.post("/desk/kb/new/", {"markdown": "# Only a title", "state": "draft"})
    assert response.status_code == HTTPStatus.OK
    assert "missing field" in str(response.context["form"].errors["markdown"])


def test_an_agent_edits_restores_publishes_and_reviews(client, ted, public_article):
    client.force_login(ted)
    key = public_article.article_id
    text = render_article(draft_from_article(public_article)).replace("Set it.", "Set it twice.")
    client.post(f"/desk/kb/{key}/edit/", {"markdown": text, "state": "published", "note": "Twice"})
    public_article.refresh_from_db()
    assert "Set it twice." in public_article.solution

    page = client.get(f"/desk/kb/{key}/").content.decode()
    assert "Twice" in page
    assert f"/desk/kb/{key}/revisions/1/restore/" in page

    client.post(f"/desk/kb/{key}/revisions/1/restore/")
    client.post(f"/desk/kb/{key}/state/", {"state": "archived"})
    client.post(f"/desk/kb/{key}/reviewed/")
    public_article.refresh_from_db()
    assert "twice" not in public_article.solution
    assert public_article.state == "archived"
    assert public_article.reviewed_at is not None


def test_the_review_page_lists_queues_and_the_deflection_rate(client, lena):
    Article.objects.filter(number=1002).update(view_count=12)
    client.force_login(lena)
    page = client.get("/desk/kb/review/").content.decode()
    assert "most viewed" in page
    assert "Slow consolidation" in page
    assert "No portal attempts with suggestions yet." in page


def test_the_ticket_page_suggests_articles_and_links_one(client, alice, ted, now):
    ticket = ticket_opened(
        alice, now, subject="Push rejected again", description="merge conflict in the report"
    )
    client.force_login(ted)
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "KB-1004" in page
    assert f"/desk/kb/link/{ticket.id}/" in page

    client.post(f"/desk/kb/link/{ticket.id}/", {"article": "KB-1004"})
    assert TicketArticleLink.objects.get().article.number == 1004
    assert (
        "Create article from this ticket"
        not in client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    )


def test_a_resolved_ticket_without_article_offers_one_prefilled(client, alice, ted, now):
    ticket = ticket_opened(
        alice, now, subject="Widgets vanish", description="The board loses widgets on reload"
    )
    message_add(ticket=ticket, author=ted, body="Clear the widget cache, then reload.", now=now)
    ticket_update(ticket=ticket, actor=ted, changes=TicketChanges(status="resolved"), now=now)
    client.force_login(ted)
    page = client.get(f"/desk/tickets/{ticket.id}/").content.decode()
    assert "Create article from this ticket" in page

    form = client.get("/desk/kb/new/", {"ticket": ticket.id}).context["form"]
    text = form["markdown"].value()
    assert "# Widgets vanish" in text
    assert "**Issue:** The board loses widgets on reload" in text
    assert "Clear the widget cache, then reload." in text
    assert "visibility: internal" in text


def test_customers_cannot_prefill_from_a_ticket(client, alice, now):
    ticket = ticket_opened(alice, now, subject="Mine", description="mine")
    client.force_login(alice)
    assert client.get("/desk/kb/new/", {"ticket": ticket.id}).status_code == HTTPStatus.FORBIDDEN


def test_the_portal_lists_searches_and_counts_views(client, alice):
    client.force_login(alice)
    home = client.get("/portal/kb/").content.decode()
    assert "Agent not responding" in home
    found = client.get("/portal/kb/", {"q": "consolidaton"}).content.decode()
    assert "Slow consolidation" in found
    client.get("/portal/kb/KB-1002/")
    assert Article.objects.get(number=1002).view_count == 1


def test_the_new_ticket_page_ships_the_suggestion_script(client, alice):
    client.force_login(alice)
    page = client.get("/portal/tickets/new/").content.decode()
    assert 'id="kb-suggestions"' in page
    assert "/static/kb/suggest.js" in page
    assert "/api/kb/suggestions" in page


def test_this_solved_my_problem_records_a_deflection_and_opens_no_ticket(client, alice):
    client.force_login(alice)
    response = client.post(
        "/portal/kb/solved/",
        {"article": "KB-1004", "shown": "1004,1012", "subject": "push rejected"},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/portal/kb/KB-1004/"
    assert "No ticket was opened" in response.content.decode()
    record = SuggestionRecord.objects.get()
    assert (record.outcome, record.shown, record.subject) == (
        "deflected",
        [1004, 1012],
        "push rejected",
    )
    assert Ticket.objects.count() == 0


def test_submitting_anyway_records_the_suggestions_shown(client, alice):
    client.force_login(alice)
    client.post(
        "/portal/tickets/new/",
        {
            "subject": "push rejected",
            "description": "still failing",
            "priority": "P3",
            "category": "git_conflicts",
            "kb_shown": "1004,1012",
        },
    )
    ticket = Ticket.objects.get()
    record = SuggestionRecord.objects.get()
    assert (record.outcome, record.ticket, record.shown) == ("submitted", ticket, [1004, 1012])


def test_submitting_without_suggestions_records_nothing(client, alice):
    client.force_login(alice)
    client.post(
        "/portal/tickets/new/",
        {"subject": "x", "description": "y", "priority": "P3", "category": "bug"},
    )
    assert Ticket.objects.count() == 1
    assert SuggestionRecord.objects.count() == 0


def test_article_markdown_is_sanitized_and_code_blocks_are_kept(client, alice, ted, now):
    article = kb_article_create(
        actor=ted,
        draft=make_draft(
            "Escaping <b>test</b>",
            root_cause="<script>alert('x')</script> and <img src=x onerror=alert(1)>",
            solution="[click](javascript:alert(1))\n\n```bash\ngit log --format='<%an>'\n```",
        ),
        state="published",
        now=now,
    )
    kb_article_update(article=article, actor=ted, draft=draft_from_article(article), now=now)
    client.force_login(alice)
    page = client.get(f"/portal/kb/{article.article_id}/").content.decode()
    assert "<script>alert" not in page
    assert "<img src=x" not in page  # the article's image is gone
    assert 'src="x"' not in page  # (shown as text, escaped, at most)
    assert 'href="javascript' not in page
    assert "<pre><code" in page
    assert "&lt;%an&gt;" in page
    assert "Escaping &lt;b&gt;test&lt;/b&gt;" in page
