"""Customers only ever see published, customer-facing articles; staff see everything.

One test per interface, each run for every persona, all sharing the same four articles.
"""

from __future__ import annotations

import json
from http import HTTPStatus

import pytest
from typer.testing import CliRunner

from lifebuoy.cli.app import build
from lifebuoy.kb.selectors import (
    kb_article_visible,
    kb_restriction_for,
    kb_search,
    kb_suggest,
)

from .conftest import MARKER

pytestmark = pytest.mark.django_db

CUSTOMER_SEES = {"public"}
STAFF_SEES = {"public", "internal", "draft"}  # archived articles are out of search by default
PERSONAS = [("alice", CUSTOMER_SEES), ("charlie", CUSTOMER_SEES), ("ted", STAFF_SEES)]


def _names(articles, found_ids):
    return {name for name, a in articles.items() if a.article_id in found_ids}


@pytest.mark.parametrize(("persona", "expected"), PERSONAS)
def test_search_selector(request, articles, persona, expected):
    user = request.getfixturevalue(persona)
    found = kb_search(user=user, text=MARKER, restriction=kb_restriction_for(user=user))
    assert _names(articles, {a.article_id for a in found}) == expected


@pytest.mark.parametrize(("persona", "expected"), PERSONAS)
def test_suggestions(request, articles, persona, expected):
    user = request.getfixturevalue(persona)
    found = kb_suggest(user=user, subject=f"{MARKER} empty", description="", limit=10)
    assert _names(articles, {a.article_id for a in found}) == expected - {"draft"}


@pytest.mark.parametrize(
    ("persona", "expected"), [("alice", {"public"}), ("charlie", {"public"}), ("ted", {"internal"})]
)
def test_filters_narrow_for_staff_and_never_widen_for_customers(
    request, articles, persona, expected
):
    user = request.getfixturevalue(persona)
    restriction = kb_restriction_for(user=user, visibility="internal", state="published")
    found = {a.article_id for a in kb_search(user=user, text=MARKER, restriction=restriction)}
    assert _names(articles, found) == expected


@pytest.mark.parametrize(("persona", "expected"), PERSONAS)
def test_api_search_list_and_suggestions(request, api, articles, persona, expected):
    client = api(request.getfixturevalue(persona))
    for url in (f"/api/kb/search?q={MARKER}", f"/api/kb/articles?q={MARKER}"):
        found = {a["id"] for a in client.get(url).json()}
        assert _names(articles, found) == expected
    listed = {a["id"] for a in client.get("/api/kb/articles").json()}
    assert _names(articles, listed) == expected
    suggested = client.get(f"/api/kb/suggestions?subject={MARKER}").json()
    assert _names(articles, {a["id"] for a in suggested}) == expected - {"draft"}


@pytest.mark.parametrize(("persona", "expected"), PERSONAS)
def test_api_detail(request, api, articles, persona, expected):
    client = api(request.getfixturevalue(persona))
    for name, article in articles.items():
        response = client.get(f"/api/kb/articles/{article.article_id}")
        visible = name in expected or (persona == "ted" and name == "archived")
        assert response.status_code == (HTTPStatus.OK if visible else HTTPStatus.NOT_FOUND)


@pytest.mark.parametrize(("persona", "expected"), PERSONAS)
def test_portal_pages(request, client, articles, persona, expected):
    client.force_login(request.getfixturevalue(persona))
    page = client.get("/portal/kb/", {"q": MARKER}).content.decode()
    assert {name for name, a in articles.items() if a.title in page} == expected
    for name, article in articles.items():
        response = client.get(f"/portal/kb/{article.article_id}/")
        visible = name in expected or (persona == "ted" and name == "archived")
        assert response.status_code == (HTTPStatus.OK if visible else HTTPStatus.NOT_FOUND)


@pytest.mark.parametrize("persona", ["alice", "charlie"])
def test_customers_cannot_open_the_desk_editor(request, client, articles, persona):
    client.force_login(request.getfixturevalue(persona))
    for url in ("/desk/kb/", f"/desk/kb/{articles['public'].article_id}/", "/desk/kb/review/"):
        assert client.get(url).status_code == HTTPStatus.FORBIDDEN


def test_cli_searches_what_customers_see_unless_run_as_staff(articles, ted):
    runner = CliRunner()
    public = runner.invoke(build(), ["kb", "search", MARKER, "--json"])
    assert public.exit_code == 0, public.output
    assert _names(articles, {a["id"] for a in json.loads(public.output)}) == CUSTOMER_SEES
    staff = runner.invoke(build(), ["kb", "search", MARKER, "--json", "--as", ted.email])
    assert _names(articles, {a["id"] for a in json.loads(staff.output)}) == STAFF_SEES


def test_the_visible_queryset_follows_the_same_rule(articles, alice, ted):
    assert set(kb_article_visible(user=alice).filter(title__contains="quokkafrost")) == {
        articles["public"]
    }
    assert kb_article_visible(user=ted).filter(title__contains="quokkafrost").count() == 4
