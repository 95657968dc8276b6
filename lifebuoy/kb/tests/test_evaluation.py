"""The labelled customer questions: suggestions must keep finding their articles."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from typer.testing import CliRunner

from lifebuoy.cli.app import build
from lifebuoy.kb.evaluation import QUESTIONS_FILE, kb_evaluate, load_questions
from lifebuoy.kb.seed import seed_drafts

pytestmark = pytest.mark.django_db

REQUIRED_HIT_AT_3 = 0.95


def test_the_questions_cover_every_seed_article_several_times():
    questions = load_questions()
    assert len(questions) >= 80
    asked = {q.article for q in questions}
    seeded = {d.article_id for d in seed_drafts()}
    assert asked == seeded
    assert all(sum(q.article == a for q in questions) >= 3 for a in seeded)


def test_suggestions_put_the_answering_article_among_the_three_shown(capsys):
    report = kb_evaluate(questions=load_questions())
    with capsys.disabled():
        print(  # noqa: T201
            f"\nKB questions on {connection.vendor}: hit@1 {report.hit_at_1:.3f} "
            f"hit@3 {report.hit_at_3:.3f} MRR {report.mrr:.3f} ({len(report.answers)})"
        )
        for miss in report.misses:
            print(f"  {miss.question.article} rank {miss.rank}: {miss.question.text}")  # noqa: T201
    assert report.hit_at_3 >= REQUIRED_HIT_AT_3


def test_the_command_prints_the_figures_and_the_misses(tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text(
        "questions:\n"
        "  - {text: our monthly invoice tripled, article: KB-1005}\n"
        "  - {text: our monthly invoice tripled, article: KB-1026}\n"
    )
    result = CliRunner().invoke(
        build(), ["kb", "evaluate", "--questions", str(questions), "--json"]
    )
    assert result.exit_code == 0, result.output
    figures = json.loads(result.output)
    assert (figures["questions"], figures["hit_at_1"], figures["hit_at_3"]) == (2, 0.5, 0.5)
    assert figures["mrr"] == 0.5
    # An internal guide asked as a customer is never suggested: the question misses.
    assert [(m["article"], m["rank"]) for m in figures["misses"]] == [("KB-1026", None)]

    text = CliRunner().invoke(build(), ["kb", "evaluate", "--questions", str(questions)])
    assert "2 questions  hit@1 0.500  hit@3 0.500  MRR 0.500" in text.output
    assert "KB-1026 not found" in text.output


def test_the_command_names_a_malformed_question(tmp_path):
    questions = tmp_path / "questions.yaml"
    questions.write_text("questions:\n  - {text: no article here}\n")
    result = CliRunner().invoke(build(), ["kb", "evaluate", "--questions", str(questions)])
    assert result.exit_code == 2
    assert "Question 1 in questions.yaml needs a text and an article." in result.output


def test_the_default_questions_file_ships_with_the_package():
    assert QUESTIONS_FILE.exists()
