"""Small git repositories for the demo's monitored deployments, built on this machine.

A repository is written by one ``git fast-import`` (a few milliseconds for a hundred commits,
where a ``git commit`` per entry would start hundreds of processes). Every author, committer
and date is in the import stream, dated back from the demo's ``now``: the same history for the
same seed and ``now`` gives the same commit ids. Nothing from the environment (user config,
``GIT_AUTHOR_*``) reaches git.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

GIT_TIMEOUT = 30.0


class RepositoryBuildError(Exception):
    """git could not build a demo repository."""


@dataclass(frozen=True)
class Person:
    name: str
    email: str
    utc_offset: str = "+0000"  # how the person's dates are written; the instant is the same


@dataclass(frozen=True)
class DemoCommit:
    """One commit, ``minutes`` before the demo's ``now``. ``files`` maps paths to their new
    content. ``rebased_minutes`` puts the committer date later than the author date (as a
    heartbeat daemon's ``git pull --rebase`` does)."""

    minutes: float
    subject: str
    author: Person
    files: dict[str, str] = field(default_factory=dict)
    body: str = ""
    rebased_minutes: float = 0


def _instant(moment: datetime, offset: str) -> str:
    return f"{int(moment.timestamp())} {offset}"


def _data(text: str) -> bytes:
    payload = text.encode()
    return b"data %d\n%s\n" % (len(payload), payload)


def import_stream(
    commits: list[DemoCommit], *, now: datetime, ref: str = "refs/heads/main"
) -> bytes:
    """The ``git fast-import`` stream of ``commits`` on ``ref``, one after another."""
    parts: list[bytes] = []
    for number, entry in enumerate(commits, start=1):
        authored = now - timedelta(minutes=entry.minutes)
        committed = authored + timedelta(minutes=entry.rebased_minutes)
        who = f"{entry.author.name} <{entry.author.email}>"
        message = entry.subject + (f"\n\n{entry.body}" if entry.body else "") + "\n"
        parts.append(f"commit {ref}\nmark :{number}\n".encode())
        offset = entry.author.utc_offset
        parts.append(f"author {who} {_instant(authored, offset)}\n".encode())
        parts.append(f"committer {who} {_instant(committed, offset)}\n".encode())
        parts.append(_data(message))
        if number > 1:
            parts.append(f"from :{number - 1}\n".encode())
        for path, content in sorted(entry.files.items()):
            parts.append(f"M 100644 inline {path}\n".encode())
            parts.append(_data(content))
        parts.append(b"\n")
    return b"".join(parts)


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL=os.devnull, LC_ALL="C")
    return env


def _git(args: list[str], *, cwd: Path, stdin: bytes = b"") -> str:
    try:
        result = subprocess.run(  # noqa: S603  # argument list, no shell
            ["git", *args],  # noqa: S607  # git from PATH
            cwd=cwd,
            env=_environment(),
            input=stdin,
            capture_output=True,
            timeout=GIT_TIMEOUT,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise RepositoryBuildError(f"git {args[0]} could not run ({exc}).") from exc
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip().splitlines()
        raise RepositoryBuildError(f"git {args[0]} failed: {(reason or ['no message'])[-1]}")
    return result.stdout.decode()


def repository_build(path: Path, commits: list[DemoCommit], *, now: datetime) -> str:
    """Write a bare repository at ``path`` (replacing one already there) with ``commits`` on
    ``main``; the id of its last commit. It is built beside ``path`` and moved into place, so
    a reader never sees a half-written repository."""
    path.parent.mkdir(parents=True, exist_ok=True)
    building = Path(tempfile.mkdtemp(prefix=f".{path.name}-", dir=path.parent))
    try:
        _git(["init", "--quiet", "--bare", "--initial-branch=main", "."], cwd=building)
        _git(
            ["fast-import", "--quiet", "--date-format=raw"],
            cwd=building,
            stdin=import_stream(commits, now=now),
        )
        head = _git(["rev-parse", "refs/heads/main"], cwd=building).strip()
        if path.exists():
            shutil.rmtree(path)
        building.rename(path)
    finally:
        shutil.rmtree(building, ignore_errors=True)
    return head
