"""``lifebuoy doctor PATH``: diagnose a Dual Trinity repository without touching it.

Imports inside the command function are deliberate: ``lifebuoy --help`` stays fast.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.progress import Progress, SpinnerColumn, TaskID, TextColumn, TimeElapsedColumn

from lifebuoy.cli import output
from lifebuoy.cli.exit_status import ExitStatus

if TYPE_CHECKING:
    from lifebuoy.diagnostics.engine.runner import Report

LARGE_REPOSITORY = 20_000  # commits; below this no progress bar is drawn


class OutputFormat(StrEnum):
    TEXT = "text"
    JSON = "json"


def register(app: typer.Typer) -> None:
    app.command("doctor")(doctor)


def doctor(
    path: Annotated[Path, typer.Argument(help="The repository to diagnose (read-only).")],
    *,
    now: Annotated[
        str | None,
        typer.Option(help="Reference time (ISO-8601); later commits are ignored. Default: now."),
    ] = None,
    profile: Annotated[
        str | None, typer.Option(help="Built-in profile name or a YAML profile file.")
    ] = None,
    branch: Annotated[str | None, typer.Option(help="Analyse this branch only.")] = None,
    all_branches: Annotated[
        bool, typer.Option("--all-branches", help="Analyse every local and remote branch.")
    ] = False,
    output_format: Annotated[
        OutputFormat, typer.Option("--format", help="text for people, json for scripts.")
    ] = OutputFormat.TEXT,
    usage: Annotated[
        Path | None, typer.Option(help="Usage records (CSV or JSON lines) for cost checks.")
    ] = None,
) -> None:
    """Diagnose a Dual Trinity deployment from its git repository."""
    from lifebuoy.diagnostics.engine.build import Scope, UnknownBranchError
    from lifebuoy.diagnostics.engine.git_types import GitError
    from lifebuoy.diagnostics.engine.profiles import ProfileError, load_profile
    from lifebuoy.diagnostics.engine.report import render_text, to_json
    from lifebuoy.diagnostics.engine.runner import diagnose
    from lifebuoy.diagnostics.engine.timeutil import parse_instant
    from lifebuoy.diagnostics.engine.usage import UsageError, load_usage

    if branch and all_branches:
        output.fail("Use either --branch or --all-branches, not both.", ExitStatus.USAGE)
    try:
        reference = parse_instant(now) if now else datetime.now(tz=UTC).replace(microsecond=0)
    except ValueError:
        output.fail(
            f"--now must be an ISO-8601 time such as 2025-06-01T12:00:00Z, not '{now}'.",
            ExitStatus.USAGE,
        )
    try:
        chosen = load_profile(profile)
        records, problems = load_usage(usage) if usage else (None, [])
        scope = Scope(branch=branch, all_branches=True if all_branches else None)
        with _progress_bar(enabled=output.console.is_terminal) as bar:
            sink = bar if bar.enabled else None
            report = diagnose(
                path,
                now=reference,
                profile=chosen,
                scope=scope,
                usage=records,
                not_read=problems,
                progress=sink,
            )
    except (ProfileError, UsageError, UnknownBranchError) as exc:
        output.fail(str(exc), ExitStatus.USAGE)
    except GitError as exc:
        output.fail(str(exc), ExitStatus.ERROR)
    except KeyboardInterrupt:
        output.fail("Interrupted.", ExitStatus.INTERRUPTED)
    except Exception as exc:  # a bug: still one sentence, never a traceback
        output.fail(
            f"The doctor stopped on an internal error ({type(exc).__name__}: {exc}).",
            ExitStatus.ERROR,
        )
    if output_format is OutputFormat.JSON:
        output.print_json(to_json(report))
    else:
        render_text(report, output.console)
    output.err_console.print(_verdict(report), markup=False)
    raise typer.Exit(ExitStatus.FINDINGS if report.has_problems else ExitStatus.SUCCESS)


def _verdict(report: Report) -> str:
    """The one sentence on stderr that goes with exit status 0 or 3."""
    counts = Counter(f.severity.value for f in report.findings)
    problems = counts["critical"] + counts["warning"]
    if not problems:
        return f"No problems at warning or above ({counts['info']} informational finding(s))."
    return (
        f"{problems} problem(s) at warning or above: {counts['critical']} critical, "
        f"{counts['warning']} warning."
    )


class _ProgressBar:
    """A live count of commits read, drawn only on a terminal and only for large histories.

    Counting the commits first would cost as much as reading them, so the bar has no total:
    it appears once the history proves large and shows how far the reading has got.
    """

    def __init__(self, *, enabled: bool) -> None:
        self.enabled = enabled
        self._progress: Progress | None = None
        self._task: TaskID | None = None

    def __enter__(self) -> _ProgressBar:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._progress is not None:
            self._progress.stop()

    def advance(self, done: int) -> None:
        if not self.enabled or done < LARGE_REPOSITORY:
            return
        if self._progress is None:
            self._progress = Progress(
                SpinnerColumn(),
                TextColumn("reading history: {task.completed:,.0f} commits"),
                TimeElapsedColumn(),
                console=output.console,
                transient=True,
            )
            self._task = self._progress.add_task("history", total=None)
            self._progress.start()
        if self._task is not None:
            self._progress.update(self._task, completed=done)


def _progress_bar(*, enabled: bool) -> _ProgressBar:
    return _ProgressBar(enabled=enabled)
