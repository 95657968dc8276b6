"""Reading numbers out of untrusted text.

``str.isdigit()`` is true for "²", "٣" and "１", which ``int()`` then refuses (a server error)
or reads as a number the person never typed. Ids, ratings and keys are ASCII digits only.
"""

from __future__ import annotations

import re

MAX_ID = 2**63 - 1
_ASCII_DIGITS = re.compile(r"[0-9]+")


def is_ascii_digits(text: str) -> bool:
    """True for a non-empty run of 0-9 and nothing else."""
    return _ASCII_DIGITS.fullmatch(text) is not None


def parse_id(raw: str | None, *, max_value: int = MAX_ID) -> int | None:
    """A positive id from ``raw`` (surrounding spaces allowed), or None for anything else."""
    text = (raw or "").strip()
    if not is_ascii_digits(text) or len(text) > len(str(max_value)):
        return None
    value = int(text)
    return value if 1 <= value <= max_value else None
