from __future__ import annotations

from http import HTTPStatus

import pytest

from lifebuoy.kb.models import Article, SuggestionRecord, TicketArticleLink
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db

NEW_ARTICLE = {
    "title": "Webhook retries pile up",
    "issue": "Deliveries arrive late",
    "affected_versions": ["1.1"],
    "severity": "High",
    "symptoms": ["Retries in the log"],
    "root_cause": "A slow receiver.",
    "solution": "1. Speed it up.",
    "prevention": "Monitor it.",
    "category": "integration",
    "visibility": "customer",
    "state": "published",
}


def test_staff_create_read_update_and_archive_an_article(api, ted, bob):
    client = api(ted)
    created = client.post("/api/kb/articles", NEW_ARTICLE, content_type="application/json")
    assert created.status_code == HTTPStatus.CREATED, created.content
    body = created.json()
    key = body["id"]
    assert (body["category"], body["owner"], body["state"]) == ("integration", "Ted", "published")
    assert "<li>Retries in the log</li>" in body["body_html"]

    patched = client.patch(
        f"/api/kb/articles/{key}",
        {"title": "Webhook retries pile up fast", "owner_id": bob.id},
        content_type="application/json",
    )
    assert patched.status_code == HTTPStatus.OK
    assert (patched.json()["title"], patched.json()["owner"]) == (
        "Webhook retries pile up fast",
        "Bob",
    )
    revisions = client.get(f"/api/kb/articles/{key}/revisions").json()
    assert [r["number"] for r in revisions] == [2, 1]
    assert revisions[0]["changed_fields"] == ["title", "owner_id"]

    archived = client.delete(f"/api/kb/articles/{key}")
    assert archived.json()["state"] == "archived"
    restored = client.post(f"/api/kb/articles/{key}/revisions/1/restore")
    assert (restored.json()["title"], restored.json()["state"]) == (
        "Webhook retries pile up",
        "published",
    )


def test_invalid_articles_are_refused_field_by_field(api, ted):
    response = api(ted).post(
        "/api/kb/articles",
        {**NEW_ARTICLE, "symptoms": [], "category": "misc"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.UNPROCESSABLE_ENTITY
    assert "category" in response.json()["extra"]["fields"]
    response = api(ted).post(
        "/api/kb/articles", {**NEW_ARTICLE, "symptoms": []}, content_type="application/json"
    )
    assert response.json()["extra"]["fields"] == {"symptoms": "symptoms: list at least one symptom"}


@pytest.mark.parametrize("persona", ["alice", "charlie"])
def test_customers_cannot_write_or_see_staff_data(request, api, persona, public_article):
    client = api(request.getfixturevalue(persona))
    key = public_article.article_id
    assert (
        client.post("/api/kb/articles", NEW_ARTICLE, content_type="application/json").status_code
        == HTTPStatus.FORBIDDEN
    )
    assert (
        client.patch(f"/api/kb/articles/{key}", {"title": "x"}, content_type="application/json")
    ).status_code == HTTPStatus.FORBIDDEN
    assert client.delete(f"/api/kb/articles/{key}").status_code == HTTPStatus.FORBIDDEN
    for url in (f"/api/kb/articles/{key}/revisions", "/api/kb/deflection-rate", "/api/kb/review"):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN
    assert client.post(f"/api/kb/articles/{key}/reviewed").status_code == HTTPStatus.FORBIDDEN


def test_reading_an_article_counts_a_view(api, alice, public_article):
    api(alice).get(f"/api/kb/articles/{public_article.article_id}")
    public_article.refresh_from_db()
    assert public_article.view_count == 1


def test_a_customer_records_a_deflection_and_staff_read_the_rate(api, alice, lena, now):
    response = api(alice).post(
        "/api/kb/deflections",
        {"article": "KB-1004", "shown": [1004, 1012], "subject": "push rejected"},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.CREATED
    assert SuggestionRecord.objects.get().outcome == "deflected"
    rate = api(lena).get("/api/kb/deflection-rate").json()
    assert rate == {"deflected": 1, "submitted": 0, "attempts": 1, "rate": 1.0}


def test_a_deflection_needs_an_article_the_customer_may_see(api, alice, internal_article):
    response = api(alice).post(
        "/api/kb/deflections",
        {"article": internal_article.article_id, "shown": []},
        content_type="application/json",
    )
    assert response.status_code == HTTPStatus.NOT_FOUND
    assert SuggestionRecord.objects.count() == 0


def test_agents_link_articles_to_tickets_but_not_to_other_orgs_for_customers(
    api, alice, charlie, ted, now
):
    ticket = ticket_opened(alice, now, subject="Push rejected", description="again")
    linked = api(ted).post(
        f"/api/kb/tickets/{ticket.id}/articles",
        {"article": "KB-1004"},
        content_type="application/json",
    )
    assert linked.status_code == HTTPStatus.CREATED
    assert [a["id"] for a in linked.json()] == ["KB-1004"]
    assert TicketArticleLink.objects.get().linked_by == ted
    assert api(ted).get(f"/api/kb/tickets/{ticket.id}/articles").json()[0]["id"] == "KB-1004"
    assert (
        api(charlie)
        .post(
            f"/api/kb/tickets/{ticket.id}/articles",
            {"article": "KB-1004"},
            content_type="application/json",
        )
        .status_code
        == HTTPStatus.NOT_FOUND
    )
    assert (
        api(alice).get(f"/api/kb/tickets/{ticket.id}/articles").status_code == HTTPStatus.FORBIDDEN
    )


def test_search_filters_and_review_lists(api, ted, lena):
    client = api(ted)
    found = client.get("/api/kb/search", {"q": "token", "category": "security"}).json()
    assert found
    assert {a["category"] for a in found} == {"security"}
    review = api(lena).get("/api/kb/review").json()
    assert len(review["quarterly"]) == Article.objects.filter(state="published").count()
