"""What a check reports: findings with evidence, solutions and a knowledge-base slot."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    CRITICAL = "critical"

    @property
    def rank(self) -> int:
        return _RANKS[self]


_RANKS = {Severity.INFO: 0, Severity.WARNING: 1, Severity.CRITICAL: 2}


class Category(StrEnum):
    """The five issue categories of the support playbook."""

    AGENT_NOT_RESPONDING = "agent_not_responding"
    SLOW_CONSOLIDATION = "slow_consolidation"
    QUALITY_ISSUES = "quality_issues"
    GIT_CONFLICTS = "git_conflicts"
    COST_OVERRUNS = "cost_overruns"


@dataclass(frozen=True)
class Evidence:
    """One piece of proof: a commit, a file, a line in a file, or a plain note."""

    kind: str  # "commit" | "file" | "line" | "note"
    text: str
    commit: str | None = None
    file: str | None = None
    line: int | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class Solution:
    title: str
    root_cause: str
    steps: tuple[str, ...]
    expected_time: str


@dataclass(frozen=True)
class Finding:
    check: str
    category: Category
    severity: Severity
    summary: str
    evidence: tuple[Evidence, ...] = ()
    solutions: tuple[Solution, ...] = field(default=())
    kb_article: str | None = None


def commit_evidence(sha: str, subject: str, at: datetime | None = None) -> Evidence:
    return Evidence(kind="commit", text=subject, commit=sha, at=at)


def file_evidence(path: str, text: str, commit: str | None = None) -> Evidence:
    return Evidence(kind="file", text=text, file=path, commit=commit)


def line_evidence(path: str, line: int, text: str, commit: str | None = None) -> Evidence:
    return Evidence(kind="line", text=text, file=path, line=line, commit=commit)


def note(text: str) -> Evidence:
    return Evidence(kind="note", text=text)
