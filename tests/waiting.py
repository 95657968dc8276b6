"""Waiting for something another process does, bounded in time."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(condition: Callable[[], bool], seconds: float, *, every: float = 0.2) -> bool:
    """Whether ``condition`` became true within ``seconds`` (checked every ``every`` s)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(every)
    return False
