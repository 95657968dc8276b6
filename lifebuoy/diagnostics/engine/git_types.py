"""What reading a repository gives back: git's answers as values, and the parsing of its text
output. No process is started here (``repo.py`` runs git); everything is plain data."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import NamedTuple

_new_tuple = tuple.__new__
FIELD = "\x1f"


class GitError(Exception):
    """A git command failed; the message is one sentence."""


class UnreadableRepositoryError(GitError):
    """The path is not a git repository that can be read."""


class RawCommit(NamedTuple):
    sha: str
    parents: tuple[str, ...]
    author_name: str
    author_email: str
    author_time: int  # seconds since the epoch: the author date, already UTC
    subject: str
    body: str
    files: tuple[str, ...]


@dataclass(frozen=True)
class GitResult:
    returncode: int
    stdout: bytes
    stderr: str

    @property
    def text(self) -> str:
        return self.stdout.decode("utf-8", "replace")

    @property
    def first_error_line(self) -> str:
        lines = [line.strip() for line in self.stderr.splitlines() if line.strip()]
        return lines[0] if lines else f"git exited with status {self.returncode}"


@dataclass(frozen=True)
class Upstream:
    branch: str
    upstream: str
    behind: int
    ahead: int
    gone: bool


@dataclass(frozen=True)
class Refs:
    """Branches, the branch HEAD points to and upstreams, from one ``for-each-ref``."""

    head_branch: str | None  # None when HEAD is detached or points to an unborn branch
    branches: dict[str, str]  # local, then remote-tracking branches: name -> commit
    upstreams: list[Upstream]
    times: dict[str, int] = field(default_factory=dict)  # name -> author time of its tip
    local: frozenset[str] = frozenset()  # the names of local branches


class TreeEntry(NamedTuple):
    path: str
    oid: str
    size: int | None  # None when the object is missing


class GitObject(NamedTuple):
    oid: str
    kind: str  # blob, tree, commit
    data: bytes


@dataclass(frozen=True)
class Divergence:
    behind: int  # commits only the base has
    ahead: int  # commits only the branch has
    related: bool  # the two share history (a merge-base exists)
    ahead_shas: tuple[str, ...] | None  # the branch's own commits, None when more than kept


def track_count(track: str, word: str) -> int:
    marker = track.find(word)
    if marker < 0:
        return 0
    digits = "".join(
        ch for ch in track[marker + len(word) :].lstrip().split(",")[0] if ch.isdigit()
    )
    return int(digits or 0)


def parse_log_record(record: str) -> RawCommit:
    fields = record.split(FIELD, 7)
    if len(fields) < 8:
        fields += [""] * (8 - len(fields))
    sha, parents, name, email, stamp, subject, body, files = fields
    values = (
        sha,
        tuple(parents.split()),
        name,
        email,
        int(stamp) if stamp.isdigit() else 0,
        subject,
        body.strip(),
        tuple(filter(None, files.split("\n"))),
    )
    return _new_tuple(RawCommit, values)  # the C constructor: this runs once per commit


def divergence_from_lines(lines: list[str], keep: int) -> Divergence:
    """``rev-list --left-right --boundary`` output: counts, whether a boundary (shared history)
    exists, and the branch's own commits when there are at most ``keep`` of them."""
    behind = ahead = 0
    boundary = False
    mine: list[str] = []
    for line in lines:
        mark = line[:1]
        if mark == "<":
            behind += 1
        elif mark == ">":
            ahead += 1
            if len(mine) <= keep:
                mine.append(line[1:].strip())
        elif mark == "-":
            boundary = True
    related = boundary or (behind == 0 and ahead == 0)
    return Divergence(behind, ahead, related, tuple(mine) if len(mine) <= keep else None)
