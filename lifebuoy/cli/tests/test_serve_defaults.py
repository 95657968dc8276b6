"""``lifebuoy serve`` runs with DEBUG off unless ``--debug``, with a key of its own kept in the
data directory, its static files served and no debug pages."""

from __future__ import annotations

import os
import re
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lifebuoy.cli.app import build
from lifebuoy.cli.exit_status import ExitStatus

runner = CliRunner()
ROOT = Path(__file__).resolve().parents[3]
LIFEBUOY = Path(sys.executable).parent / "lifebuoy"


@pytest.fixture
def started(monkeypatch, tmp_path) -> list[dict[str, list[str]]]:
    """What ``serve`` would start (nothing is), in a fresh data directory and environment."""
    from lifebuoy.cli.commands import server

    processes: list[dict[str, list[str]]] = []

    def supervise(commands: dict[str, list[str]]) -> int:
        processes.append(commands)
        return 0

    monkeypatch.setattr(server, "_supervise", supervise)
    monkeypatch.setenv("LIFEBUOY_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.dev")
    monkeypatch.setenv("DEBUG", "1")  # serve decides, whatever the shell says
    monkeypatch.delenv("SECRET_KEY", raising=False)
    return processes


@pytest.mark.django_db
def test_serve_turns_debug_off_and_keeps_a_generated_key_in_the_data_directory(started, tmp_path):
    assert runner.invoke(build(), ["serve", "--web-only"]).exit_code == ExitStatus.SUCCESS
    assert os.environ["DEBUG"] == "0"
    key_file = tmp_path / "secret_key"
    key = os.environ["SECRET_KEY"]
    assert len(key) >= 50
    assert key_file.read_text().strip() == key
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    del os.environ["SECRET_KEY"]
    assert runner.invoke(build(), ["serve", "--web-only"]).exit_code == ExitStatus.SUCCESS
    assert os.environ["SECRET_KEY"] == key  # the same key on every start: sessions survive


@pytest.mark.django_db
def test_the_web_server_logs_through_the_secret_filter(started):
    assert runner.invoke(build(), ["serve", "--web-only"]).exit_code == ExitStatus.SUCCESS
    web = started[0]["web"]
    assert web[web.index("--logger-class") + 1] == "lifebuoy.core.gunicorn_logging.RedactingLogger"


@pytest.mark.django_db
def test_serve_debug_turns_debug_on(started):
    result = runner.invoke(build(), ["serve", "--web-only", "--debug"])
    assert result.exit_code == ExitStatus.SUCCESS, result.output
    assert os.environ["DEBUG"] == "1"


@pytest.mark.django_db
def test_a_key_from_the_environment_or_production_settings_is_left_alone(
    started, monkeypatch, tmp_path
):
    monkeypatch.setenv("SECRET_KEY", "k" * 50)
    assert runner.invoke(build(), ["serve", "--web-only"]).exit_code == ExitStatus.SUCCESS
    assert os.environ["SECRET_KEY"] == "k" * 50
    monkeypatch.delenv("SECRET_KEY")
    monkeypatch.setenv("DJANGO_SETTINGS_MODULE", "config.settings.prod")
    assert runner.invoke(build(), ["serve", "--web-only"]).exit_code == ExitStatus.SUCCESS
    assert "SECRET_KEY" not in os.environ  # production refuses to start without its own
    assert not (tmp_path / "secret_key").exists()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str, host: str | None = None) -> tuple[int, str, str]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=10) as response:  # noqa: S310
            body = response.read().decode()
            return response.status, response.headers.get("Content-Type", ""), body
    except urllib.error.HTTPError as error:
        return error.code, error.headers.get("Content-Type", ""), error.read().decode()


def _wait_for(url: str, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert proc.poll() is None, "lifebuoy serve stopped"
        try:
            _get(url)
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"{url} did not answer")


def test_the_served_desk_has_no_debug_pages_and_serves_its_static_files(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "DJANGO_SETTINGS_MODULE", "DATABASE_URL"}
        and not k.startswith(("CELERY_", "ALLOWED_HOSTS"))
    }
    env["LIFEBUOY_DATA_DIR"] = str(tmp_path)
    setup = subprocess.run(
        [str(LIFEBUOY), "setup"], cwd=ROOT, env=env, capture_output=True, timeout=180, check=False
    )
    assert setup.returncode == 0, setup.stderr
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        [str(LIFEBUOY), "serve", "--web-only", "--workers", "1", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(f"{base}/healthz", proc)
        status, _, page = _get(f"{base}/accounts/login/")
        assert status == 200
        stylesheet = re.search(r'href="(/static/lifebuoy/app\.[0-9a-f]+\.css)"', page)
        assert stylesheet, "the stylesheet is not served under its hashed name"
        status, content_type, _ = _get(base + stylesheet.group(1))
        assert (status, content_type.split(";")[0]) == (200, "text/css")
        status, _, page = _get(f"{base}/no/such/page/")
        assert status == 404
        assert "Page not found" in page
        assert "URLconf" not in page
        assert "accounts/" not in page
        assert _get(f"{base}/accounts/login/", host=f"localhost:{port}")[0] == 200
        assert _get(f"{base}/accounts/login/", host="evil.example")[0] == 400
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=30)
    assert (tmp_path / "secret_key").exists()
