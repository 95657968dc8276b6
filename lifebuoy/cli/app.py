"""The ``lifebuoy`` command.

Command modules live in ``lifebuoy.cli.commands`` and expose ``register(app)``. They import
Django and services inside the command functions, so ``--help`` and ``doctor`` never load Django.
"""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="lifebuoy",
    help="Lifebuoy: the support desk for Dual Trinity deployments.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Each entry is a module in lifebuoy.cli.commands with a register(app) function.
COMMAND_MODULES: tuple[str, ...] = ("server", "doctor", "kb", "mail", "oncall", "report", "search")


def build() -> typer.Typer:
    for name in COMMAND_MODULES:
        module = importlib.import_module(f"lifebuoy.cli.commands.{name}")
        module.register(app)
    return app


def main() -> None:
    build()()
