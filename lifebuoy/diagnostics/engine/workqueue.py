"""Work orders named in text: ``WO-0042``, ``wo_42``, ``task 7``, ``work order #42``.

An order's key is its letters (lower case) and its number without leading zeros, so a file
``work_queue/pending/WO-0042.json`` and a commit that says "WO-42 complete" name one order.
"""

from __future__ import annotations

import re

_ORDER = re.compile(r"(?<![A-Za-z])([A-Za-z]{1,12})[-_ #]{0,2}0*(\d{1,6})(?!\d)")
_ALIASES = {"order": "wo", "workorder": "wo", "work_order": "wo"}
MAX_KEYS = 20


def order_keys(text: str) -> list[str]:
    """The keys of the work orders ``text`` names, in order, once each (at most 20)."""
    keys: dict[str, None] = {}
    for letters, digits in _ORDER.findall(text):
        word = letters.lower()
        keys[f"{_ALIASES.get(word, word)}{int(digits)}"] = None
        if len(keys) >= MAX_KEYS:
            break
    return list(keys)
