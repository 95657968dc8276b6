from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lifebuoy.accounts.models import Organization
from lifebuoy.cli.app import build
from lifebuoy.cli.exit_status import ExitStatus
from lifebuoy.tickets.models import Ticket

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_demo_loads_once_and_then_says_it_is_already_there():
    first = runner.invoke(build(), ["demo", "--tickets", "5"])
    assert first.exit_code == ExitStatus.SUCCESS, first.output
    assert "5 tickets" in first.output
    assert "lifebuoy-demo" in first.output
    assert Ticket.objects.count() == 5
    second = runner.invoke(build(), ["demo", "--tickets", "5"])
    assert second.exit_code == ExitStatus.ERROR
    assert "already loaded" in second.output
    assert Organization.objects.count() == 7


def test_a_bad_option_is_a_usage_error_with_a_sentence():
    result = runner.invoke(build(), ["demo", "--tickets", "-3"])
    assert result.exit_code == ExitStatus.USAGE
    assert "Traceback" not in result.output
