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


@pytest.fixture
def started(monkeypatch) -> list[dict[str, list[str]]]:
    """The processes a command would start (nothing is started)."""
    from lifebuoy.cli.commands import server

    processes: list[dict[str, list[str]]] = []

    def supervise(commands: dict[str, list[str]]) -> int:
        processes.append(commands)
        return 0

    monkeypatch.setattr(server, "_supervise", supervise)
    return processes


def test_a_worker_takes_the_queues_it_is_given(started):
    result = runner.invoke(build(), ["worker", "--queues", "celery, monitoring-0"])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    argv = started[0]["worker"]
    assert argv[argv.index("--queues") + 1] == "celery,monitoring-0"
    plain = runner.invoke(build(), ["worker"])
    assert plain.exit_code == ExitStatus.SUCCESS
    assert "--queues" not in started[1]["worker"]


def test_a_bad_queue_name_is_a_usage_error_with_a_sentence():
    result = runner.invoke(build(), ["worker", "--queues", "monitoring 0"])
    assert result.exit_code == ExitStatus.USAGE
    assert "--queues takes names" in result.output
    assert "Traceback" not in result.output


def test_serve_s_one_worker_takes_every_monitoring_partition(started, settings):
    settings.LIFEBUOY_MONITORING_PARTITIONS = 2
    assert runner.invoke(build(), ["serve"]).exit_code == ExitStatus.SUCCESS
    worker = started[0]["worker"]
    assert worker[worker.index("--queues") + 1] == "celery,monitoring-0,monitoring-1"
    settings.LIFEBUOY_MONITORING_PARTITIONS = 0
    assert runner.invoke(build(), ["serve"]).exit_code == ExitStatus.SUCCESS
    assert "--queues" not in started[1]["worker"]
