"""Build real git repositories in a temporary directory, with full control over dates."""

from __future__ import annotations

import os
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from lifebuoy.diagnostics.engine.findings import Finding
from lifebuoy.diagnostics.engine.incremental import diagnose_with_state
from lifebuoy.diagnostics.engine.profiles import load_profile
from lifebuoy.diagnostics.engine.report import to_json
from lifebuoy.diagnostics.engine.runner import Report, diagnose
from lifebuoy.diagnostics.engine.state import state_decode, state_encode
from lifebuoy.diagnostics.engine.status import AgentStatus, agent_statuses

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
BOT = ("Model Vendor Bot", "bot@vendor.example")  # the shared identity agents commit as
CLOUD = ".consciousness/trinity"
TERMINAL = ".consciousness/trinity_terminal"
HUB = ".consciousness/hub"


def ago(**delta: float) -> datetime:
    return NOW - timedelta(**delta)


def git(cwd: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        ["git", *args],
        cwd=cwd,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout


def _git_date(moment: datetime) -> str:
    offset = moment.strftime("%z") or "+0000"
    return f"{int(moment.timestamp())} {offset}"


class RepoBuilder:
    def __init__(self, path: Path, *, bare: bool = False) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        git(path, "init", "-q", "-b", "main", *(["--bare"] if bare else []))
        git(path, "config", "user.name", "Test")
        git(path, "config", "user.email", "test@example.com")
        git(path, "config", "commit.gpgsign", "false")

    def commit(
        self,
        subject: str,
        files: dict[str, str | None] | None = None,
        *,
        at: datetime = NOW,
        body: str = "",
        author: tuple[str, str] = BOT,
        committed_at: datetime | None = None,
    ) -> str:
        for name, content in (files or {}).items():
            target = self.path / name
            if content is None:
                target.unlink()
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(content, encoding="utf-8")
        git(self.path, "add", "-A")
        message = subject + (f"\n\n{body}" if body else "")
        env = {
            "GIT_AUTHOR_NAME": author[0],
            "GIT_AUTHOR_EMAIL": author[1],
            "GIT_AUTHOR_DATE": _git_date(at),
            "GIT_COMMITTER_DATE": _git_date(committed_at or at),
        }
        git(self.path, "commit", "-q", "--allow-empty", "-m", message, env=env)
        return git(self.path, "rev-parse", "HEAD").strip()

    def git(self, *args: str) -> str:
        return git(self.path, *args)

    def diagnose(self, **kwargs: Any) -> Report:
        return run_doctor(self.path, **kwargs)

    def head(self) -> str:
        return self.git("rev-parse", "HEAD").strip()

    def diagnose_both(
        self,
        since: str,
        *,
        now: datetime = NOW,
        profile: str | None = None,
        incremental: bool = True,
        **kwargs: Any,
    ) -> Report:
        """A full run's report, once a monitoring poll gave the same answer: the poll goes on
        from the state a run kept when ``main`` was at ``since``, through its stored form."""
        loaded = load_profile(profile)
        tip = self.head()
        self.git("update-ref", "refs/heads/main", since)
        try:
            first = diagnose_with_state(self.path, now=now, profile=loaded, state=None, **kwargs)
        finally:
            self.git("update-ref", "refs/heads/main", tip)
        # a run over several branches keeps no state: the poll then runs in full as well
        state = state_decode(state_encode(first.state)) if first.state is not None else None
        poll = diagnose_with_state(self.path, now=now, profile=loaded, state=state, **kwargs)
        full = diagnose(self.path, now=now, profile=loaded, **kwargs)
        assert poll.incremental == incremental, poll.reason
        assert to_json(poll.report) == to_json(full)
        return full


def run_doctor(
    path: Path, *, now: datetime = NOW, profile: str | None = None, **kwargs: Any
) -> Report:
    return diagnose(path, now=now, profile=load_profile(profile), **kwargs)


def checks(report: Report, check: str) -> list[Finding]:
    return [f for f in report.findings if f.check == check]


def agent(report: Report, agent_id: str) -> AgentStatus:
    return next(s for s in agent_statuses(report.snapshot) if s.agent == agent_id)
