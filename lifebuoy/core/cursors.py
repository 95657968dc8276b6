"""Keyset pagination cursors: opaque to clients, checked strictly when they come back.

A cursor is URL-safe base64 (unpadded) of the JSON list ``[sort, key, id]``. Whatever a client
sends back is untrusted, so ``cursor_decode`` accepts only what ``cursor_encode`` could have made
for the same sort order: ASCII base64, a JSON list of exactly three items, the same sort, a key
its parser accepts and a positive 64-bit id. Anything else is ``ValidationFailed`` naming the
``cursor`` parameter, never a server error further down.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lifebuoy.core.errors import ValidationFailed

MAX_LENGTH = 512
MAX_ID = 2**63 - 1
INVALID = "The cursor parameter is not a page of this list; start again from the first page."

_BASE64URL = re.compile(r"[A-Za-z0-9_-]+", re.ASCII)
_ISO_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?[+-]\d{2}:\d{2}", re.ASCII
)

KeyParser = Callable[[object], Any]
"""Turns a decoded key back into its value; raises ``ValueError`` for anything else."""


@dataclass(frozen=True)
class Cursor:
    key: Any
    id: int


def cursor_encode(*, sort: str, key: Any, row_id: int) -> str:
    raw = json.dumps([sort, key, row_id], separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def cursor_decode(raw: str, *, sort: str, parse_key: KeyParser) -> Cursor:
    """The cursor ``cursor_encode`` made for ``sort``, or ``ValidationFailed`` on ``cursor``."""
    try:
        return _decode(raw, sort=sort, parse_key=parse_key)
    except (ValueError, TypeError, binascii.Error, RecursionError) as exc:
        raise ValidationFailed.for_fields({"cursor": INVALID}) from exc


def _decode(raw: str, *, sort: str, parse_key: KeyParser) -> Cursor:
    if len(raw) > MAX_LENGTH or not _BASE64URL.fullmatch(raw):
        raise ValueError("not unpadded base64url")
    data = base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4))
    values = json.loads(data.decode("utf-8"), parse_constant=_no_constants)
    if not isinstance(values, list) or len(values) != 3 or values[0] != sort:
        raise ValueError("not a cursor of this sort order")
    return Cursor(key=parse_key(values[1]), id=_row_id(values[2]))


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not a number")


def _row_id(value: object) -> int:
    if type(value) is not int or not 1 <= value <= MAX_ID:
        raise ValueError("not a row id")
    return value


def key_none(value: object) -> None:
    """Sorts by id alone carry no key."""
    if value is not None:
        raise ValueError("unexpected key")


def key_choice(choices: Collection[str]) -> KeyParser:
    def parse(value: object) -> str:
        if not isinstance(value, str) or value not in choices:
            raise ValueError("not one of the choices")
        return value

    return parse


def key_datetime(value: object) -> datetime:
    """An aware ISO 8601 timestamp as ``datetime.isoformat()`` writes it, ASCII digits only."""
    if not isinstance(value, str) or not _ISO_DATETIME.fullmatch(value):
        raise ValueError("not an ISO 8601 timestamp")
    return datetime.fromisoformat(value)


def key_optional(parse: KeyParser) -> KeyParser:
    def parse_optional(value: object) -> Any:
        return None if value is None else parse(value)

    return parse_optional
