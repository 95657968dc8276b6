"""Usage records (date, model, input/output tokens, cost) from a CSV or JSON-lines file."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from lifebuoy.diagnostics.engine.snapshot import NotRead, UsageRecord
from lifebuoy.diagnostics.engine.timeutil import parse_instant

_ALIASES = {
    "date": ("date", "day", "timestamp", "time", "created_at"),
    "model": ("model", "model_name"),
    "input_tokens": ("input_tokens", "input", "prompt_tokens", "tokens_in"),
    "output_tokens": ("output_tokens", "output", "completion_tokens", "tokens_out"),
    "cost": ("cost", "cost_usd", "amount", "usd"),
}
MAX_PROBLEMS = 5


class UsageError(ValueError):
    """The usage file cannot be used at all; the message is one sentence."""


def load_usage(path: Path) -> tuple[list[UsageRecord], list[NotRead]]:
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(f"The usage file {path} cannot be read ({exc}).") from exc
    stripped = text.lstrip()
    rows: Iterable[tuple[int, Any]]
    if stripped.startswith("{"):
        rows = _json_lines(text)
    else:
        reader = csv.DictReader(text.splitlines())
        if not reader.fieldnames or _column(reader.fieldnames, "cost") is None:
            raise UsageError(
                f"The usage file {path} needs a header with at least date, model and cost."
            )
        rows = ((number + 2, row) for number, row in enumerate(reader))
    records: list[UsageRecord] = []
    problems: list[NotRead] = []
    for number, row in rows:
        record = _record(row)
        if record is None:
            if len(problems) < MAX_PROBLEMS:
                problems.append(
                    NotRead(
                        f"{path.name} line {number}", "not a usage record with date, model and cost"
                    )
                )
            continue
        records.append(record)
    return records, problems


def _json_lines(text: str) -> Iterable[tuple[int, Any]]:
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            yield number, json.loads(line)
        except json.JSONDecodeError:
            yield number, None


def _column(names: Iterable[str], field: str) -> str | None:
    lowered = {n.strip().lower(): n for n in names}
    return next((lowered[a] for a in _ALIASES[field] if a in lowered), None)


def _record(row: Any) -> UsageRecord | None:
    if not isinstance(row, Mapping):
        return None
    values = {field: row.get(_column(row.keys(), field) or "") for field in _ALIASES}
    try:
        day = parse_instant(str(values["date"]))
        cost = float(str(values["cost"]).strip().lstrip("$"))
        return UsageRecord(
            day=day,
            model=str(values["model"] or "unknown"),
            input_tokens=int(float(values["input_tokens"] or 0)),
            output_tokens=int(float(values["output_tokens"] or 0)),
            cost=cost,
        )
    except (TypeError, ValueError):
        return None
