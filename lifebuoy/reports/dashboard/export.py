"""One dashboard table as CSV, with the values as the page shows them.

Spreadsheets run a cell that starts with = + - @ (or a tab or carriage return) as a formula, so
such text cells are written with a leading apostrophe: an organization named ``=HYPERLINK(…)``
stays text.
"""

from __future__ import annotations

import csv
from datetime import timedelta

from django.http import HttpResponse

from .build import Cell, Dashboard, Table

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Cell) -> Cell:
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_filename(board: Dashboard, table: Table) -> str:
    last_day = board.period.end - timedelta(days=1)
    parts = ["dashboard", table.name, f"{board.period.start:%Y-%m-%d}", f"{last_day:%Y-%m-%d}"]
    if board.scope.tier is not None:
        parts.append(f"tier-{board.scope.tier}")
    if board.scope.organization_id is not None:
        parts.append(f"org-{board.scope.organization_id}")
    return "_".join(parts) + ".csv"


def csv_response(board: Dashboard, table: Table) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{csv_filename(board, table)}"'
    writer = csv.writer(response)
    writer.writerow([safe_cell(h) for h in table.headers])
    writer.writerows([safe_cell(cell) for cell in row] for row in table.rows)
    return response
