"""All terminal output of the CLI goes through here, so ``--json`` and tests stay simple."""

from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer
from rich.console import Console

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (no colour, no wrapping)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=str) + "\n")


def fail(message: str, code: int) -> NoReturn:
    """Print one sentence to stderr and exit with ``code``."""
    err_console.print(message, markup=False)
    raise typer.Exit(code)
