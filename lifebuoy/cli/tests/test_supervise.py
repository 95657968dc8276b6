"""`lifebuoy serve` keeps its processes together: Ctrl-C stops them all with success, one that
dies is started again, one that keeps dying at start stops the rest with an error, and none
outlives the supervisor."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from lifebuoy.cli.supervisor import supervise as _supervise

SLEEPER = [sys.executable, "-c", "import time; time.sleep(30)"]
DIES = [sys.executable, "-c", "import sys; sys.exit(3)"]


def test_ctrl_c_stops_every_process_and_succeeds():
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)

    def press_ctrl_c() -> None:
        # Only once _supervise has its handler in place: before that, SIGINT stops pytest.
        deadline = time.monotonic() + 10
        while signal.getsignal(signal.SIGINT) is previous[0] and time.monotonic() < deadline:
            time.sleep(0.05)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=press_ctrl_c, daemon=True).start()
    try:
        started = time.monotonic()
        assert _supervise({"web": SLEEPER, "worker": SLEEPER}) == 0
        assert time.monotonic() - started < 15
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def _restore_handlers_after(run):
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        return run()
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])


def test_a_process_that_keeps_dying_at_start_stops_the_others_with_an_error():
    started = time.monotonic()
    assert _restore_handlers_after(lambda: _supervise({"web": SLEEPER, "worker": DIES})) == 1
    assert time.monotonic() - started < 15  # three tries, a pause of 1 s then 2 s between


def test_a_worker_that_dies_is_started_again(tmp_path):
    """The first run is killed as the kernel's OOM killer would; the second keeps running."""
    runs = tmp_path / "runs"
    worker = [
        sys.executable,
        "-c",
        f"import os, signal, time; p = {str(runs)!r}; "
        "open(p, 'a').write('run\\n'); "
        "n = len(open(p).read().split()); "
        "os.kill(os.getpid(), signal.SIGKILL) if n == 1 else time.sleep(30)",
    ]

    def stop_after_second_run() -> None:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if runs.exists() and len(runs.read_text().split()) >= 2:
                break
            time.sleep(0.1)
        time.sleep(0.3)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=stop_after_second_run, daemon=True).start()
    code = _restore_handlers_after(lambda: _supervise({"web": SLEEPER, "worker": worker}))
    assert runs.read_text().split() == ["run", "run"]
    assert code == 0


def test_no_child_outlives_a_supervisor_killed_outright(tmp_path):
    pid_file = tmp_path / "child.pid"
    child = f"import os, time; open({str(pid_file)!r}, 'w').write(str(os.getpid())); time.sleep(60)"
    supervisor = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys; from lifebuoy.cli.supervisor import supervise; "
            f"supervise({{'worker': [sys.executable, '-c', {child!r}]}})",
        ],
        cwd=Path(__file__).resolve().parents[3],
    )
    try:
        deadline = time.monotonic() + 20
        while not (pid_file.exists() and pid_file.read_text()) and time.monotonic() < deadline:
            time.sleep(0.1)
        child_pid = int(pid_file.read_text())
        supervisor.kill()  # SIGKILL: no chance to stop its children itself
        supervisor.wait(timeout=10)
        deadline = time.monotonic() + 10
        while _alive(child_pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _alive(child_pid), "the worker outlived its supervisor"
    finally:
        if supervisor.poll() is None:
            supervisor.kill()


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as stat:  # a zombie (not reaped yet) is gone for our purpose
        return stat.read().split(") ")[-1].split()[0] != "Z"
