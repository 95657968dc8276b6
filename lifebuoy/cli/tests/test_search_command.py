"""``lifebuoy search reindex``: the tickets' index filled from the stored tickets."""

from __future__ import annotations

import json

import pytest
from django.db import connection
from typer.testing import CliRunner

from lifebuoy.cli.app import build
from lifebuoy.cli.exit_status import ExitStatus
from lifebuoy.tickets.search import backend_for
from lifebuoy.tickets.search.selectors import ticket_search_for_user
from lifebuoy.tickets.tests.factories import ticket_opened

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_reindex_fills_an_emptied_index_and_reports_how_many(alice, ted, now):
    for n in range(3):
        ticket_opened(alice, now, subject=f"Capybara sighting {n}")
    with connection.cursor() as cursor:  # as if the tickets came before the index
        backend_for().drop_schema(cursor)
        backend_for().create_schema(cursor)
    assert ticket_search_for_user(user=ted, text="capybara") == []

    result = runner.invoke(build(), ["search", "reindex", "--batch", "2", "--json"])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    assert json.loads(result.output)["indexed"] == 3
    assert len(ticket_search_for_user(user=ted, text="capybara")) == 3

    shown = runner.invoke(build(), ["search", "reindex"])
    assert shown.exit_code == ExitStatus.SUCCESS, shown.output
    assert "Indexed 3 tickets" in shown.output


def test_a_bad_batch_size_is_a_usage_error():
    result = runner.invoke(build(), ["search", "reindex", "--batch", "0"])
    assert result.exit_code == ExitStatus.USAGE
    assert "Traceback" not in result.output
