"""`lifebuoy serve` keeps its processes together: Ctrl-C stops them all with success, and one
dying stops the rest with an error."""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

from lifebuoy.cli.commands.server import _supervise

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


def test_one_process_dying_stops_the_others_with_an_error():
    previous = signal.getsignal(signal.SIGINT), signal.getsignal(signal.SIGTERM)
    try:
        started = time.monotonic()
        assert _supervise({"web": SLEEPER, "worker": DIES}) == 1
        assert time.monotonic() - started < 15
    finally:
        signal.signal(signal.SIGINT, previous[0])
        signal.signal(signal.SIGTERM, previous[1])
