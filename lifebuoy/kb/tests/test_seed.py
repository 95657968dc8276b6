"""The seed knowledge base and the labelled retrieval evaluation set stay consistent."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest
import yaml

from lifebuoy.kb.template import CATEGORIES, ArticleDraft, parse_article, render_article

SEED = Path(__file__).resolve().parent.parent / "seed"
ARTICLE_FILES = sorted((SEED / "articles").glob("*.md"))
PLAYBOOK_CATEGORIES = ["KB-1001", "KB-1002", "KB-1003", "KB-1004", "KB-1005"]
CODE_BLOCK_RE = re.compile(r"^ *```.*?^ *```", re.MULTILINE | re.DOTALL)


def _articles() -> dict[str, ArticleDraft]:
    articles = {}
    for path in ARTICLE_FILES:
        draft = parse_article(path.read_text(encoding="utf-8"))
        assert draft.article_id is not None
        articles[draft.article_id] = draft
    return articles


def _tickets() -> list[dict[str, str]]:
    data = yaml.safe_load((SEED / "eval_tickets.yaml").read_text(encoding="utf-8"))
    return data["tickets"]


ARTICLES = _articles()
TICKETS = _tickets()


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.name)
def test_every_seed_article_parses_as_a_published_article(path):
    draft = parse_article(path.read_text(encoding="utf-8"))

    assert draft.article_id == path.stem
    assert draft.last_updated is not None
    assert draft.category in CATEGORIES
    assert draft.tags


@pytest.mark.parametrize("path", ARTICLE_FILES, ids=lambda p: p.name)
def test_every_seed_article_is_stored_in_rendered_form(path):
    text = path.read_text(encoding="utf-8")

    assert render_article(parse_article(text)) == text


def test_there_are_at_least_twenty_articles_with_unique_ids():
    ids = [parse_article(p.read_text(encoding="utf-8")).article_id for p in ARTICLE_FILES]

    assert len(ids) >= 20
    assert len(set(ids)) == len(ids)
    assert ids[0] == "KB-1001"


def test_related_links_point_to_other_existing_articles():
    for article_id, draft in ARTICLES.items():
        assert article_id not in draft.related, article_id
        assert len(set(draft.related)) == len(draft.related), article_id
        missing = [ref for ref in draft.related if ref not in ARTICLES]
        assert not missing, f"{article_id} links to missing {missing}"


def test_customer_articles_link_only_to_customer_articles():
    for article_id, draft in ARTICLES.items():
        if draft.visibility == "customer":
            internal = [ref for ref in draft.related if ARTICLES[ref].visibility != "customer"]
            assert not internal, f"{article_id} shows customers a link to internal {internal}"


def test_every_category_is_covered_and_most_articles_are_customer_facing():
    visibility = Counter(draft.visibility for draft in ARTICLES.values())

    assert {draft.category for draft in ARTICLES.values()} == set(CATEGORIES)
    assert visibility["internal"] >= 2
    assert visibility["customer"] > visibility["internal"]


@pytest.mark.parametrize("article_id", PLAYBOOK_CATEGORIES)
def test_the_playbook_categories_come_with_diagnosis_commands_and_timings(article_id):
    draft = ARTICLES[article_id]

    assert draft.category == "Common issues & solutions"
    assert draft.visibility == "customer"
    assert len(draft.symptoms) >= 3
    assert "```bash" in draft.solution
    assert re.search(r"\d+\s*(minutes|min|hours?)", draft.solution), "no expected time"


def test_no_diagnosis_command_filters_agents_by_git_author():
    # Agents share git identities; only the commit subject names them.
    for article_id, draft in ARTICLES.items():
        for block in CODE_BLOCK_RE.findall(f"{draft.root_cause}\n{draft.solution}"):
            assert "--author" not in block, article_id


def test_the_evaluation_set_is_large_and_spread_over_many_articles():
    expected = Counter(ticket["expected"] for ticket in TICKETS)

    assert len(TICKETS) >= 50
    assert len(expected) >= 15


@pytest.mark.parametrize("ticket", TICKETS, ids=lambda t: t["subject"][:40])
def test_every_ticket_is_labelled_with_an_existing_customer_article(ticket):
    assert set(ticket) == {"subject", "description", "expected"}
    assert ticket["subject"].strip()
    assert ticket["description"].strip()
    assert ticket["expected"] in ARTICLES
    assert ARTICLES[ticket["expected"]].visibility == "customer"


def test_tickets_do_not_reuse_article_titles():
    titles = [draft.title.lower() for draft in ARTICLES.values()]
    for ticket in TICKETS:
        text = f"{ticket['subject']} {ticket['description']}".lower()
        assert not [title for title in titles if title in text], ticket["subject"]


def test_ticket_subjects_are_unique():
    subjects = [ticket["subject"].lower() for ticket in TICKETS]

    assert len(set(subjects)) == len(subjects)
