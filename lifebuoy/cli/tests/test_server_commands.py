from __future__ import annotations

import pytest
from typer.testing import CliRunner

from lifebuoy.accounts.models import Organization
from lifebuoy.cli.app import build
from lifebuoy.cli.exit_status import ExitStatus
from lifebuoy.tickets.models import Ticket

pytestmark = pytest.mark.django_db
runner = CliRunner()


def test_demo_loads_once_and_then_says_it_is_already_there(settings, tmp_path):
    settings.DATA_DIR = tmp_path  # where the demo builds its monitored repositories
    first = runner.invoke(build(), ["demo", "--tickets", "5"])
    assert first.exit_code == ExitStatus.SUCCESS, first.output
    assert "5 tickets" in first.output
    assert "2 monitored deployments" in first.output
    assert "lifebuoy-demo" in first.output
    assert Ticket.objects.exclude(channel="monitoring").count() == 5
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


def _option(argv: list[str], name: str) -> str:
    return argv[argv.index(name) + 1]


def test_a_worker_takes_the_queues_it_is_given(started):
    result = runner.invoke(build(), ["worker", "--queues", "celery, monitoring-0"])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    assert list(started[0]) == ["worker"]
    assert _option(started[0]["worker"], "--queues") == "celery,monitoring-0"


def test_a_plain_worker_gives_the_scheduler_s_sweeps_a_worker_of_their_own(started):
    assert runner.invoke(build(), ["worker", "--beat", "--concurrency", "3"]).exit_code == 0
    bulk, periodic = started[0]["worker"], started[0]["periodic"]
    assert _option(bulk, "--queues") == "celery"
    assert _option(bulk, "--concurrency") == "3"
    assert "-B" not in bulk
    assert _option(periodic, "--queues") == "periodic"
    assert _option(periodic, "--concurrency") == "1"
    assert "-B" in periodic  # the scheduler runs beside the sweeps it sends
    names = {_option(bulk, "-n"), _option(periodic, "-n")}
    assert len(names) == 2
    assert all(name.endswith("@%h") and not name.startswith("celery@") for name in names)


def test_a_bad_queue_name_is_a_usage_error_with_a_sentence():
    result = runner.invoke(build(), ["worker", "--queues", "monitoring 0"])
    assert result.exit_code == ExitStatus.USAGE
    assert "--queues takes names" in result.output
    assert "Traceback" not in result.output


def test_serve_s_bulk_worker_takes_every_monitoring_partition(started, settings):
    settings.LIFEBUOY_MONITORING_PARTITIONS = 2
    assert runner.invoke(build(), ["serve"]).exit_code == ExitStatus.SUCCESS
    assert _option(started[0]["worker"], "--queues") == "celery,monitoring-0,monitoring-1"
    assert _option(started[0]["periodic"], "--queues") == "periodic"
    settings.LIFEBUOY_MONITORING_PARTITIONS = 0
    assert runner.invoke(build(), ["serve"]).exit_code == ExitStatus.SUCCESS
    assert _option(started[1]["worker"], "--queues") == "celery"
    assert set(started[1]) == {"web", "worker", "periodic"}
