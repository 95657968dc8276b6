"""Who a message says it is from and to: ``**From:**`` / ``**To:**`` lines, ``# C1 → C2``
headings and JSON messages with ``from``/``to`` keys. Shared by the check of the documents at
the tips and by the reading of channel files' history."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from lifebuoy.diagnostics.engine.findings import Evidence, file_evidence, line_evidence

PAIR_DISTANCE = 12  # lines between a From header and its To header

_ROLE = re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z]+[-_ ])?(C[1-3])(?![0-9])", re.IGNORECASE)
_FROM = re.compile(r"(?i)(?<![\w])from\**\s*:\**\s*(?P<who>[^|]*?)(?=\s*(?:\bto\**\s*:|$|\|))")
_TO = re.compile(r"(?i)(?<![\w])to\**\s*:\**\s*(?P<who>[^|]*)")
_ARROW = re.compile(r"^#{1,6}\s.*?(?P<a>\S*C[1-3])\b[^→\n]{0,20}?(?:→|->)\s*(?P<b>\S*?C[1-3])\b")
_NEXT_HEADER = re.compile(r"\s(?:\*\*)?[A-Za-z][\w ]{0,20}\**:")
_JSON_FROM = ("from", "sender", "source")
_JSON_TO = ("to", "recipient", "target")


def _role(text: str) -> str | None:
    match = _ROLE.search(text)
    return match.group(1).upper() if match else None


def _roles(text: str) -> list[str]:
    """Every role named, in order, once each: ``"C2 (builder), Cloud-C3"`` -> C2, C3. The
    addressees end where another header starts on the same line (``**Status:**``)."""
    text = _NEXT_HEADER.split(text, maxsplit=1)[0]
    return list(dict.fromkeys(m.group(1).upper() for m in _ROLE.finditer(text)))


def message_pairs(path: str, text: str) -> Iterator[tuple[tuple[str, str], Evidence]]:
    if path.lower().endswith(".json"):
        yield from _json_headers(path, text)
        return
    pending: tuple[str, int] | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        arrow = _ARROW.match(line)
        if arrow:
            a, b = _role(arrow["a"]), _role(arrow["b"])
            if a and b:
                yield (a, b), line_evidence(path, number, line.strip()[:160])
            continue
        sender = _FROM.search(line)
        if sender and _role(sender["who"]):
            pending = (_role(sender["who"]) or "", number)
        addressee = _TO.search(line[sender.end() :] if sender else line)
        if addressee and pending and number - pending[1] <= PAIR_DISTANCE:
            addressees = _roles(addressee["who"])
            for to in addressees:  # "To: C1, C3": each addressee is a pair of its own
                yield (pending[0], to), line_evidence(path, pending[1], _snippet(text, pending[1]))
            if addressees:
                pending = None


def _snippet(text: str, number: int) -> str:
    return text.splitlines()[number - 1].strip()[:160]


def _json_headers(path: str, text: str) -> Iterator[tuple[tuple[str, str], Evidence]]:
    try:
        data = json.loads(text)
    except ValueError:
        return
    for index, message in enumerate(_messages(data, depth=0)):
        lowered = {str(k).lower(): v for k, v in message.items()}
        sender = next((lowered[k] for k in _JSON_FROM if k in lowered), None)
        addressee = next((lowered[k] for k in _JSON_TO if k in lowered), None)
        a = _role(str(sender or ""))
        if a is None:
            continue
        for b in _roles(str(addressee or "")):
            yield (a, b), file_evidence(path, f"message {index + 1}: from {sender} to {addressee}")


def _messages(data: Any, depth: int) -> Iterator[dict[str, Any]]:
    if depth > 6:
        return
    if isinstance(data, dict):
        keys = {str(k).lower() for k in data}
        if keys & set(_JSON_FROM) and keys & set(_JSON_TO):
            yield data
        for value in data.values():
            yield from _messages(value, depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _messages(item, depth + 1)
