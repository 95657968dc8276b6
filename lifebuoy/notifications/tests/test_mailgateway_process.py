"""`lifebuoy mailgateway` as operators run it: its own process, database and broker."""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from .loopback import free_port
from .mailmaker import mail

ROOT = Path(__file__).resolve().parents[3]


def lifebuoy(*args: str) -> list[str]:
    return [sys.executable, "-c", "from lifebuoy.cli.app import main; main()", *args]


@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="uses its own SQLite file")
@pytest.mark.parametrize("processes", [1, 2])
def test_the_gateway_process_accepts_mail_into_tickets_and_stops_cleanly(tmp_path, processes):
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "config.settings.dev",
        "SECRET_KEY": "test-only-secret-key-for-the-gateway-process",
        "LIFEBUOY_DATA_DIR": str(tmp_path),
        "LIFEBUOY_MAILGATEWAY_DOMAINS": "lifebuoy.test",
    }
    env.pop("DATABASE_URL", None)
    subprocess.run(lifebuoy("setup"), env=env, cwd=ROOT, check=True, timeout=180)
    port = free_port()
    proc = subprocess.Popen(
        lifebuoy("mailgateway", "--port", str(port), "--processes", str(processes)),
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                client = smtplib.SMTP("127.0.0.1", port, timeout=10)
                break
            except OSError:
                assert time.monotonic() < deadline, "the gateway did not start"
                assert proc.poll() is None, proc.stdout.read() if proc.stdout else ""
                time.sleep(0.2)
        client.quit()
        for n in range(6):  # separate connections, spread over the processes
            with smtplib.SMTP("127.0.0.1", port, timeout=10) as sender:
                raw, _ = mail(sender="New Person <new@person.example>", subject=f"Process {n}")
                sender.sendmail("new@person.example", ["support@lifebuoy.test"], raw)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
    db = sqlite3.connect(tmp_path / "lifebuoy.sqlite3")
    subjects = [row[0] for row in db.execute("select subject from tickets_ticket")]
    statuses = [row[0] for row in db.execute("select status from notifications_inboundemail")]
    queued = db.execute("select count(*) from notifications_delivery").fetchone()[0]
    assert sorted(subjects) == [f"Process {n}" for n in range(6)]
    assert (statuses, queued) == (["created"] * 6, 6)
