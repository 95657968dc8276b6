"""The supervisor behind ``lifebuoy serve``, ``worker`` and ``mail``: start the desk's processes,
restart one that dies, stop them all together.

- A process that dies is started again (a Celery worker killed by the kernel, a broker outage
  that took one down), after a pause that doubles while it keeps dying soon after starting.
  One that dies ``CRASH_LOOP`` times in a row within ``HEALTHY_AFTER`` seconds of its start is
  broken rather than unlucky (a port in use, a bad setting): everything stops with an error.
- Every child is told by the kernel to stop when the supervisor dies, however it dies, so
  killing the supervisor never leaves a worker running unsupervised.
- Ctrl-C or SIGTERM stops every child and is a success.
"""

from __future__ import annotations

import ctypes
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from types import FrameType

from lifebuoy.cli.exit_status import ExitStatus
from lifebuoy.cli.output import console

CRASH_LOOP = 3
HEALTHY_AFTER = 30.0
FIRST_PAUSE = 1.0
STOP_GRACE = 15.0
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Ask the kernel (Linux) to send SIGTERM to this process when its parent dies."""
    if sys.platform.startswith("linux"):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


@dataclass
class _Child:
    name: str
    command: list[str]
    proc: subprocess.Popen[bytes] | None = None
    started: float = 0.0
    quick_deaths: int = 0
    restart_at: float | None = None

    def start(self) -> None:
        self.proc = subprocess.Popen(self.command, preexec_fn=_die_with_parent)  # noqa: PLW1509
        self.started = time.monotonic()
        self.restart_at = None

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def died(self, now: float) -> bool:
        """Note a death; False when this child keeps dying at start (give up)."""
        status = self.proc.returncode if self.proc is not None else None
        quick = now - self.started < HEALTHY_AFTER
        self.quick_deaths = self.quick_deaths + 1 if quick else 1
        if self.quick_deaths >= CRASH_LOOP:
            console.print(
                f"[red]{self.name} exited with status {status} "
                f"{self.quick_deaths} times in a row soon after starting; stopping.[/]"
            )
            return False
        pause = FIRST_PAUSE * 2 ** (self.quick_deaths - 1)
        console.print(
            f"[yellow]{self.name} exited with status {status}; starting it again in {pause:g} s.[/]"
        )
        self.restart_at = now + pause
        return True


def supervise(commands: dict[str, list[str]]) -> int:
    """Run ``commands`` (name → argv) until Ctrl-C/SIGTERM or until one of them is broken."""
    children = [_Child(name, command) for name, command in commands.items()]
    for child in children:
        child.start()
    stopping = requested = False

    def stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping, requested
        requested = requested or not stopping  # not when already stopping after a crash
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    code = ExitStatus.SUCCESS
    while not stopping:
        now = time.monotonic()
        for child in children:
            if child.restart_at is not None:
                if now >= child.restart_at:
                    child.start()
            elif not child.running() and not stopping and not child.died(now):
                stopping, code = True, ExitStatus.ERROR
        time.sleep(0.3)
    if requested:
        # Ctrl-C reaches the whole process group: the children stop on their own, and a
        # stop that was asked for is a success, whichever process noticed first.
        code = ExitStatus.SUCCESS
    _stop_all(children)
    console.print("Lifebuoy stopped.")
    return int(code)


def _stop_all(children: list[_Child]) -> None:
    for child in children:
        if child.proc is not None and child.proc.poll() is None:
            child.proc.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_GRACE
    for child in children:
        if child.proc is None:
            continue
        try:
            child.proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            child.proc.kill()
            child.proc.wait()
