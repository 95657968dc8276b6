"""Lifebuoy's own mirror of a customer's repository: clone once, then fetch. Never push.

The mirror lives under ``DATA_DIR/mirrors``; the customer's repository is only ever read
through git's transport (``--no-local`` for paths, so no object files are shared by hard
links). Git runs with argument lists, a timeout and no shell; ``ext::`` and other command
transports are refused, and credentials are never prompted for.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.conf import settings

GIT_TIMEOUT = 300.0
T = TypeVar("T")
# A poll's fetch does only what a mirror needs: no FETCH_HEAD (nothing merges it), no check
# for forced updates (it walks history to print a note; the poll compares refs itself), and
# no housekeeping process on every fetch (``_housekeeping_due`` decides, as git's own
# thresholds would). The connectivity check stays: the mirror must have complete objects.
_FETCH = [
    "-c",
    "advice.fetchShowForcedUpdates=false",
    "fetch",
    "--prune",
    "--quiet",
    "--no-auto-maintenance",
    "--no-write-fetch-head",
    "--no-show-forced-updates",
    "origin",
]
GC_AUTO_PACK_LIMIT = 50  # git's gc.autoPackLimit default
GC_AUTO_LOOSE_SAMPLE = 6700 // 256  # git's gc.auto default, as sampled in objects/17
_OBJECT_ID = re.compile(r"^(?:[0-9a-f]{40}|[0-9a-f]{64})$")
_SCP_LIKE = re.compile(r"^[\w.-]+@[\w.-]+:[^\s]+$")
_REMOTE_SCHEMES = ("https://", "ssh://")
DEMO_REPOSITORIES = "demo-repos"  # under DATA_DIR


class MirrorError(Exception):
    """Git could not clone or fetch; the message is one sentence for the desk."""


@dataclass(frozen=True)
class MirrorState:
    head: str  # "" for a repository without commits
    refs_digest: str  # changes whenever any branch or tag moves


def mirrors_root() -> Path:
    return Path(settings.DATA_DIR) / "mirrors"


def mirror_location(*, deployment_id: int, repository: str = "") -> str:
    """The mirror's directory; a deployment that changes repository gets a fresh one."""
    if not repository:
        return f"deployment-{deployment_id}.git"
    tag = hashlib.sha256(repository.encode()).hexdigest()[:12]
    return f"deployment-{deployment_id}-{tag}.git"


def local_paths_allowed() -> bool:
    """Whether deployments may name a path on this server (``file://`` or absolute): only
    where the desk and the repositories share a trusted host, since staff could otherwise
    have the server's own files read."""
    return bool(getattr(settings, "LIFEBUOY_MONITORING_ALLOW_LOCAL_PATHS", False))


def demo_repositories_root() -> Path:
    """Where the demo desk builds the repositories of its monitored deployments."""
    return Path(settings.DATA_DIR) / DEMO_REPOSITORIES


def is_demo_repository(repository: str) -> bool:
    """Whether ``repository`` is an absolute path to a repository directly inside
    ``demo_repositories_root()``, after symbolic links are followed.

    The one exception to ``local_paths_allowed()``, so the demo's deployments are polled on a
    desk with default settings. It opens nothing to users: only Lifebuoy writes there (the
    demo loader, from its own fixed histories), so naming such a path reads the demo's data
    and nothing else of the server's; a path that leads out of the folder (``..``, a link)
    resolves elsewhere and is refused like any other local path.
    """
    value = repository.strip()
    if not value or not Path(value).is_absolute():
        return False
    try:
        root = demo_repositories_root().resolve()
        target = Path(value).resolve()
    except (OSError, RuntimeError):
        return False
    return target.parent == root


def check_repository(repository: str) -> str | None:
    """Why ``repository`` cannot be mirrored, or None when it can.

    Accepted: ``https://`` and ``ssh://`` URLs, scp-style ``user@host:path``; local paths
    and ``file://`` only where ``local_paths_allowed()``, and the demo's own repositories
    (``is_demo_repository``) everywhere. Plain ``http://`` and ``git://``
    are refused (nothing in transit would be protected), and so are command transports.
    """
    value = repository.strip()
    if not value or value.startswith("-") or any(c.isspace() for c in value):
        return "Give a clone URL or an absolute path, without spaces."
    if "::" in value.split("/", 1)[0]:
        return "Transports that run commands are not allowed."
    if value.startswith(_REMOTE_SCHEMES) or _SCP_LIKE.match(value):
        return None
    if value.startswith("file://") or Path(value).is_absolute():
        if local_paths_allowed() or is_demo_repository(value):
            return None
        return "Local paths are not allowed on this server; give an https:// or ssh:// URL."
    return "Give an https:// or ssh:// URL or user@host:path."


def _environment(*, local: bool) -> dict[str, str]:
    """git's environment; ``local`` lets it read a repository through the ``file`` transport
    (local paths allowed, or the demo's own repository)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_TERMINAL_PROMPT="0",
        GIT_ALLOW_PROTOCOL="https:ssh:file" if local else "https:ssh",
        GIT_CONFIG_NOSYSTEM="1",
        LC_ALL="C",
    )
    return env


def _git(args: list[str], *, cwd: Path | None = None) -> str:
    return _git_wait(_git_start(args, cwd=cwd), args)


def _git_start(
    args: list[str], *, cwd: Path | None = None, local: bool | None = None
) -> subprocess.Popen[str]:
    try:
        return subprocess.Popen(  # noqa: S603  # argument list, no shell
            ["git", "-c", "protocol.ext.allow=never", *args],  # noqa: S607  # git from PATH
            cwd=cwd,
            env=_environment(local=local_paths_allowed() if local is None else local),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
    except OSError as exc:
        raise MirrorError(f"git could not be started ({exc}).") from exc


def _git_wait(process: subprocess.Popen[str], args: list[str]) -> str:
    command = _subcommand(args)
    try:
        stdout, stderr = process.communicate(timeout=GIT_TIMEOUT)
    except subprocess.TimeoutExpired as exc:
        process.kill()
        process.communicate()
        raise MirrorError(f"git {command} took longer than {GIT_TIMEOUT:.0f} s.") from exc
    if process.returncode != 0:
        raise MirrorError(f"git {command} failed: {_reason(stderr)}")
    return stdout


def _reason(stderr: str) -> str:
    """git's first ``fatal:`` or ``error:`` line (the specific one: later lines are advice
    such as "Please make sure you have the correct access rights"), else its last line."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    specific = [line for line in lines if line.startswith(("fatal:", "error:"))]
    return (specific or lines or ["no message"])[0 if specific else -1]


def _subcommand(args: list[str]) -> str:
    """``fetch`` in ``-c name=value fetch …``: what a sentence about the failure names."""
    index = 0
    while index < len(args) and args[index].startswith("-"):
        index += 2 if args[index] == "-c" else 1
    return args[index] if index < len(args) else "(no command)"


def mirror_sync(*, repository: str, location: str) -> MirrorState:
    """Clone ``repository`` into the mirror at ``location`` if needed, else fetch into it."""
    state, _ = mirror_sync_while(repository=repository, location=location, work=_nothing)
    return state


def _nothing() -> None:
    return None


def mirror_sync_while(
    *, repository: str, location: str, work: Callable[[], T]
) -> tuple[MirrorState, T]:
    """``mirror_sync``, doing ``work`` in this process while git clones or fetches (on the
    other core): a poll prepares what it will need meanwhile. Git is always let finish, even
    when ``work`` raises, so no lock file is left behind in the mirror."""
    problem = check_repository(repository)
    if problem:
        raise MirrorError(problem)
    root = mirrors_root()
    root.mkdir(parents=True, exist_ok=True)
    path = root / location
    # One git at a time per mirror: a scheduled poll and "run doctor now" may overlap.
    with (root / f"{location}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        cloning = not (path / "HEAD").exists()
        args = (
            ["clone", "--mirror", "--no-local", "--quiet", "--", repository, str(path)]
            if cloning
            else _FETCH
        )
        local = local_paths_allowed() or is_demo_repository(repository)
        process = _git_start(args, cwd=None if cloning else path, local=local)
        try:
            done = work()
        except BaseException:
            with contextlib.suppress(MirrorError):
                _git_wait(process, args)  # let git finish; the work's error is the one raised
            raise
        _git_wait(process, args)
        if cloning:
            # Belt and braces: a mistaken push from this mirror could not reach the customer.
            _git(["config", "remote.origin.pushurl", "/dev/null/no-push"], cwd=path)
        elif _housekeeping_due(path):
            _git(["maintenance", "run", "--auto", "--quiet"], cwd=path)
        return mirror_state(path), done


def _housekeeping_due(path: Path) -> bool:
    """Whether ``git gc --auto`` would repack: too many packs, or too many loose objects
    (estimated from one of the 256 fan-out directories, the way git estimates it)."""
    try:
        packs = sum(1 for p in os.scandir(path / "objects" / "pack") if p.name.endswith(".pack"))
        sample = path / "objects" / "17"
        loose = sum(1 for _ in os.scandir(sample)) if sample.is_dir() else 0
    except OSError:
        return True
    return packs > GC_AUTO_PACK_LIMIT or loose > GC_AUTO_LOOSE_SAMPLE


def mirror_discard(*, location: str) -> None:
    """Delete a mirror that is no longer used (the deployment now names another repository)."""
    root = mirrors_root()
    path = root / location
    if not location or path.resolve().parent != root.resolve():
        return
    with (root / f"{location}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        shutil.rmtree(path, ignore_errors=True)
    (root / f"{location}.lock").unlink(missing_ok=True)


def mirror_state(path: Path) -> MirrorState:
    """HEAD and every ref, as ``git show-ref --head`` lists them (so the digest is the same
    either way), read from the ref files without starting git when they are as expected."""
    listing = _ref_listing(path)
    if listing is None:
        try:
            listing = _git(["show-ref", "--head"], cwd=path)
        except MirrorError:  # show-ref fails only when there is no ref at all
            listing = ""
    first, _, name = listing.partition("\n")[0].partition(" ")
    head = first if name == "HEAD" else ""
    return MirrorState(head=head, refs_digest=hashlib.sha256(listing.encode()).hexdigest())


def _ref_listing(path: Path) -> str | None:
    """``show-ref --head``'s output from git's files ref storage (``packed-refs`` overlaid by
    loose refs under ``refs/``), or None for anything unexpected (git is asked then)."""
    refs: dict[str, str] = {}
    try:
        packed = path / "packed-refs"
        if packed.exists():
            for line in packed.read_text(encoding="utf-8").splitlines():
                if line.startswith(("#", "^")) or not line:
                    continue
                sha, _, name = line.partition(" ")
                refs[name] = sha
        symbolic: dict[str, str] = {}
        for directory, _dirs, files in os.walk(path / "refs"):
            for file in files:
                if file.endswith(".lock"):
                    return None  # a ref is being changed: let git read it
                ref = os.path.join(directory, file)
                name = Path(ref).relative_to(path).as_posix()
                value = Path(ref).read_text(encoding="utf-8").strip()
                if value.startswith("ref: "):
                    symbolic[name] = value[5:]
                else:
                    refs[name] = value
        head = (path / "HEAD").read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    for name, target in symbolic.items():
        if target not in refs:
            return None
        refs[name] = refs[target]
    if not all(_OBJECT_ID.match(sha) for sha in refs.values()):
        return None
    head_sha = refs.get(head[5:]) if head.startswith("ref: ") else head
    lines = [f"{head_sha} HEAD"] if head_sha and _OBJECT_ID.match(head_sha) else []
    lines += [f"{refs[name]} {name}" for name in sorted(refs)]
    return "".join(f"{line}\n" for line in lines)


def count_new_commits(*, location: str, head: str, since: str) -> int:
    """Commits reachable from ``head`` and not from ``since`` (all of them without ``since``)."""
    if not head:
        return 0
    path = mirrors_root() / location
    revs = [head] + ([f"^{since}"] if since else [])
    try:
        return int(_git(["rev-list", "--count", *revs, "--"], cwd=path).strip() or 0)
    except MirrorError:  # ``since`` was rewritten away by a force-push
        return int(_git(["rev-list", "--count", head, "--"], cwd=path).strip() or 0)
