"""How files name machines: heartbeat and status files, and the paths a daemon may call its own."""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

# The keys a heartbeat or status file names its machine by, most specific first: a
# ``computer_id`` is the deployment's own name for the machine, a ``hostname`` only the
# operating system's.
NAME_KEYS = ("computer_id", "machine", "computer", "machine_id", "name", "id", "hostname", "host")
_COMPUTER_FILE = re.compile(r"(?i)computer_(\d+)")
_SEPARATORS = re.compile(r"[\s_.\-]+")


def machine_name(data: dict[str, Any], path: str) -> str:
    """The machine a heartbeat or status file speaks for: by its content, else its name."""
    for key in NAME_KEYS:
        value = data.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and str(value).strip():
            return str(value).strip()
    return machine_from_path(path)


def machine_from_path(path: str) -> str:
    stem = PurePosixPath(path).stem
    computer = _COMPUTER_FILE.match(stem)
    return f"Computer {computer.group(1)}" if computer else stem


def machine_key(name: str) -> str:
    """``"Computer 2"``, ``"computer_2"`` and ``"COMPUTER-2"`` are one machine."""
    return _SEPARATORS.sub("", name).lower()


def names_machine(path: str, machine: str) -> bool:
    """The file's name names ``machine`` as a whole word (``PC1.json``, ``computer_2_status.json``,
    ``pc1-daemon.log``; not ``PC12.json``)."""
    words = [w for w in _SEPARATORS.split(PurePosixPath(path).name.lower()) if w]
    wanted = [w for w in _SEPARATORS.split(machine.lower()) if w]
    if not wanted:
        return False
    joined = "".join(wanted)
    if joined in words:
        return True
    size = len(wanted)
    return any(words[i : i + size] == wanted for i in range(len(words) - size + 1))
