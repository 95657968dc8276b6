"""The only place that runs git. Read-only by construction.

Every call goes through ``Repo._argv``: an argument list (never a shell), a whitelist of
read-only subcommands, ``GIT_OPTIONAL_LOCKS=0`` so reads never refresh the index, no pager,
no prompts, and a timeout. Nothing here fetches, pulls, writes refs or runs maintenance.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
import weakref
from collections.abc import Generator, Iterator, Sequence
from pathlib import Path

from lifebuoy.diagnostics.engine.git_types import (
    Divergence,
    GitError,
    GitObject,
    GitResult,
    RawCommit,
    Refs,
    TreeEntry,
    UnreadableRepositoryError,
    Upstream,
    divergence_from_lines,
    parse_log_record,
    track_count,
)

READ_ONLY = frozenset(
    {
        "rev-parse",
        "log",
        "rev-list",
        "ls-tree",
        "ls-files",
        "cat-file",
        "for-each-ref",
        "grep",
        "symbolic-ref",
        "count-objects",
    }
)
TIMEOUT_SECONDS = 120.0
LOG_TIMEOUT_SECONDS = 3600.0
_READ_BYTES = 1 << 16  # small reads keep allocations below malloc's mmap threshold
_POLL_SECONDS = 0.001
_RECORD = b"\x1e"
_LOG_FORMAT = "--format=%x1e%H%x1f%P%x1f%an%x1f%ae%x1f%at%x1f%s%x1f%b%x1f"
_CONFIG = (
    "-c",
    "core.quotePath=false",
    "-c",
    "core.fsmonitor=false",
    "-c",
    "color.ui=false",
    "-c",
    "log.showSignature=false",
    "-c",
    "grep.lineNumber=true",
)


def git_environment() -> dict[str, str]:
    """The caller's environment without GIT_* overrides, plus our read-only settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GIT_")}
    env.update(
        GIT_OPTIONAL_LOCKS="0",
        GIT_TERMINAL_PROMPT="0",
        GIT_PAGER="cat",
        PAGER="cat",
        LC_ALL="C",
        GIT_NO_REPLACE_OBJECTS="1",
    )
    return env


class PendingGit:
    """A git process started by ``Repo.start``."""

    def __init__(
        self, process: subprocess.Popen[bytes], command: str, stdin: bytes | None, timeout: float
    ) -> None:
        self._process = process
        self._command = command
        self._stdin = stdin
        self._deadline = time.monotonic() + timeout
        self._timeout = timeout
        self._done = False

    def result(self, *, check: bool = True) -> GitResult:
        """Wait for git (within the timeout given at start); raises ``GitError`` on a timeout
        and, with ``check``, on a non-zero status."""
        if self._done:
            raise GitError(f"git {self._command} was already read or stopped.")
        remaining = max(self._deadline - time.monotonic(), 0.001)
        self._done = True
        try:
            stdout, stderr = self._process.communicate(self._stdin, timeout=remaining)
        except subprocess.TimeoutExpired as exc:
            self._process.kill()
            self._process.communicate()
            raise GitError(
                f"git {self._command} took longer than {self._timeout:.0f} seconds."
            ) from exc
        result = GitResult(self._process.returncode, stdout, stderr.decode("utf-8", "replace"))
        if check and result.returncode != 0:
            raise GitError(f"git {self._command} failed: {result.first_error_line}")
        return result

    def cancel(self) -> None:
        """Stop git if it is still running (its result is no longer wanted)."""
        if self._done:
            return
        self._done = True
        if self._process.poll() is None:
            self._process.kill()
        self._process.communicate()

    def __enter__(self) -> PendingGit:
        return self

    def __exit__(self, *exc: object) -> None:
        self.cancel()  # a no-op once the result was read; else git is stopped, never orphaned


class Repo:
    """A repository opened for reading. ``open`` raises UnreadableRepositoryError."""

    def __init__(self, path: Path, git_dir: Path, work_tree: Path | None, shallow: bool) -> None:
        self.path = path
        self.git_dir = git_dir
        self.work_tree = work_tree
        self.is_shallow = shallow
        self.log_error: str | None = None
        self._refs: PendingGit | None = None  # started by ``open``, read by ``refs``
        self._refs_read: Refs | None = None

    @property
    def is_bare(self) -> bool:
        return self.work_tree is None

    @property
    def is_partial(self) -> bool:
        """A partial clone (objects left to a promisor remote): a blob may be absent without
        the repository being damaged. Read from its config file, without running git."""
        try:
            config = (self.git_dir / "config").read_text(encoding="utf-8", errors="replace")
        except OSError:
            return True  # unknown: assume the worst
        lowered = config.lower()
        return "promisor" in lowered or "partialclone" in lowered

    @classmethod
    def open(cls, path: Path) -> Repo:
        if not path.exists():
            raise UnreadableRepositoryError(f"{path} does not exist.")
        probe = cls(path, path, None, False)
        # The refs are listed by a second git running alongside (nearly every caller wants
        # them next); any subdirectory of the repository lists the same refs.
        refs = probe._start_refs()
        try:
            result = probe.run(
                "rev-parse",
                "--path-format=absolute",
                "--git-common-dir",
                "--is-bare-repository",
                "--is-shallow-repository",
                "--show-toplevel",
                check=False,
            )
        except GitError:
            refs.cancel()
            raise
        lines = result.text.splitlines()
        if result.returncode != 0 and len(lines) < 3:
            refs.cancel()
            reason = result.first_error_line.removeprefix("fatal: ")
            raise UnreadableRepositoryError(f"{path} cannot be read as a git repository: {reason}.")
        bare = lines[1].strip() == "true"
        work_tree = Path(lines[3]) if len(lines) > 3 and not bare else None
        # Run from the top of the work tree, so paths never depend on a subdirectory.
        repo = cls(work_tree or path, Path(lines[0]), work_tree, lines[2].strip() == "true")
        repo._refs = refs
        weakref.finalize(repo, refs.cancel)  # reaped even if nobody asks for the refs
        return repo

    # -- running git -------------------------------------------------------------------------

    def _argv(self, args: Sequence[str]) -> list[str]:
        if not args or args[0] not in READ_ONLY:
            raise GitError(f"Refusing to run git {args[0] if args else ''}: not read-only.")
        return ["git", "--no-pager", "-C", str(self.path), *_CONFIG, *args]

    def run(
        self,
        *args: str,
        check: bool = True,
        stdin: bytes | None = None,
        timeout: float = TIMEOUT_SECONDS,
    ) -> GitResult:
        return self.start(*args, stdin=stdin, timeout=timeout).result(check=check)

    def start(
        self, *args: str, stdin: bytes | None = None, timeout: float = TIMEOUT_SECONDS
    ) -> PendingGit:
        """Start git and return at once; ``result()`` waits for it. The caller does other
        work meanwhile (git runs on another core)."""
        argv = self._argv(args)
        try:
            process = subprocess.Popen(
                argv,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                env=git_environment(),
            )
        except OSError as exc:
            raise GitError(f"git could not be started ({exc.strerror}).") from exc
        return PendingGit(process, args[0], stdin, timeout)

    # -- history -----------------------------------------------------------------------------

    def iter_log(
        self, revs: Sequence[str], *, left_right: bool = False
    ) -> Generator[RawCommit, None, None]:
        """Stream commits reachable from ``revs`` with their changed paths, newest first.

        Output is read in chunks, so memory does not grow with the history. If git stops
        early (a missing object, a timeout) the commits read so far are still yielded and
        ``self.log_error`` holds one sentence on what went wrong. With ``left_right`` (for a
        symmetric difference ``A...B``) each sha is prefixed with ``<`` or ``>``.
        """
        self.log_error = None
        log_format = _LOG_FORMAT.replace("%H", "%m%H") if left_right else _LOG_FORMAT
        options = ["--left-right"] if left_right else []
        argv = self._argv(
            [
                "log",
                *options,
                "--no-renames",
                "--name-only",
                "--no-color",
                log_format,
                *revs,
                "--",
            ]
        )
        with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile() as spool:
            process = subprocess.Popen(argv, stdout=spool, stderr=errors, env=git_environment())
            timed_out = threading.Event()

            def expire() -> None:
                timed_out.set()
                process.kill()

            timer = threading.Timer(LOG_TIMEOUT_SECONDS, expire)
            timer.start()
            finished = False
            try:
                yield from _records(process, spool.name)
                finished = True
            finally:
                if process.poll() is None:
                    process.kill()
                returncode = process.wait()
                timer.cancel()
                errors.seek(0)
                message = errors.read().decode("utf-8", "replace").strip()
                if timed_out.is_set():
                    self.log_error = f"git log took longer than {LOG_TIMEOUT_SECONDS:.0f} seconds."
                elif finished and returncode != 0:
                    first = message.splitlines()[0] if message else f"status {returncode}"
                    self.log_error = f"git log stopped early: {first}"

    # -- refs --------------------------------------------------------------------------------

    def _start_refs(self) -> PendingGit:
        return self.start(
            "for-each-ref",
            "--format=%(HEAD)%00%(refname)%00%(refname:short)%00%(objectname)%00%(objecttype)"
            "%00%(upstream:short)%00%(upstream:track)%00%(authordate:unix)",
            "refs/heads",
            "refs/remotes",
        )

    def refs(self) -> Refs:
        """Branches and upstreams; the first call takes the listing ``open`` started, later
        calls give the same answer."""
        if self._refs_read is not None:
            return self._refs_read
        pending, self._refs = self._refs, None
        result = (pending or self._start_refs()).result(check=False)
        head_branch = None
        branches: dict[str, str] = {}
        times: dict[str, int] = {}
        local = set()
        upstreams = []
        for line in result.text.splitlines():
            head, full, name, sha, kind, upstream, track, stamp = (
                [*line.split("\x00"), *[""] * 8]
            )[:8]
            if kind != "commit" or name.endswith("/HEAD"):
                continue
            branches[name] = sha
            times[name] = int(stamp) if stamp.isdigit() else 0
            if full.startswith("refs/heads/"):
                local.add(name)
            if head == "*":
                head_branch = name
            if upstream and full.startswith("refs/heads/"):
                upstreams.append(
                    Upstream(
                        name,
                        upstream,
                        track_count(track, "behind"),
                        track_count(track, "ahead"),
                        "gone" in track,
                    )
                )
        self._refs_read = Refs(head_branch, branches, upstreams, times, frozenset(local))
        return self._refs_read

    def start_divergence(self, base: str, branch: str) -> PendingGit:
        """Start listing the commits only one of ``base`` and ``branch`` has, and the
        boundary between them (read with ``divergence``)."""
        return self.start("rev-list", "--left-right", "--boundary", f"{base}...{branch}")

    def resolve(self, rev: str) -> str | None:
        result = self.run("rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}", check=False)
        return result.text.strip() or None if result.returncode == 0 else None

    # -- trees and files ---------------------------------------------------------------------

    def ls_tree_sizes(self, rev: str) -> list[TreeEntry]:
        """Blobs at ``rev`` with their sizes, in tree order (one ``ls-tree -l``)."""
        result = self.run("ls-tree", "-r", "-z", "-l", "--full-tree", rev, check=False)
        if result.returncode != 0:
            raise GitError(f"the tree of {rev[:12]} cannot be read: {result.first_error_line}")
        entries = []
        for item in result.text.split("\0"):
            meta, _, path = item.partition("\t")
            parts = meta.split()
            if len(parts) == 4 and parts[1] == "blob":
                size = int(parts[3]) if parts[3].isdigit() else None
                entries.append(TreeEntry(path, parts[2], size))
        return entries

    def read_objects(self, names: Sequence[str]) -> dict[str, GitObject | None]:
        """Objects named like ``<oid>`` or ``<rev>:<path>`` in one ``cat-file --batch``;
        ``None`` for a name that is missing (or names nothing)."""
        if not names:
            return {}
        data = ("\n".join(names) + "\n").encode()
        result = self.run("cat-file", "--batch", stdin=data, check=False)
        found: dict[str, GitObject | None] = {}
        view, offset = result.stdout, 0
        for name in names:
            end = view.find(b"\n", offset)
            if end < 0:
                found[name] = None
                continue
            header = view[offset:end].split()
            offset = end + 1
            if len(header) == 3 and header[2].isdigit():
                size = int(header[2])
                found[name] = GitObject(
                    header[0].decode(), header[1].decode(), view[offset : offset + size]
                )
                offset += size + 1
            else:
                found[name] = None
        return found

    def grep(self, pattern: str, revs: Sequence[str], paths: Sequence[str] = ()) -> PendingGit:
        """Start ``git grep`` for an extended regex in the given revisions (text files only),
        optionally in the given paths only (taken literally)."""
        specs = [f":(literal){p}" for p in paths]
        return self.start(
            "grep", "-I", "-n", "-E", "--no-color", "-e", pattern, *revs, "--", *specs
        )

    def unmerged_paths(self) -> list[str]:
        if self.work_tree is None:
            return []
        result = self.run("ls-files", "--unmerged", "-z", check=False)
        paths = {item.partition("\t")[2] for item in result.text.split("\0") if "\t" in item}
        return sorted(paths)

    def git_dir_size(self) -> int:
        """Bytes used by the git directory, packs included (symlinks are not followed)."""
        total = 0
        for root, _dirs, files in os.walk(self.git_dir):
            for name in files:
                try:
                    total += os.lstat(os.path.join(root, name)).st_size
                except OSError:
                    continue
        return total


def _records(process: subprocess.Popen[bytes], spool: str) -> Iterator[RawCommit]:
    """Parse records while git is still writing them.

    git writes to a temporary file outside the repository, which we read through our own
    descriptor as it grows. Compared with a pipe this saves both processes most of their
    system time (no wake-up per 64 KB), and git never waits for the parser. Memory stays
    flat: we hold one chunk at a time; the file itself lives on disk and is deleted after.
    """
    fd = os.open(spool, os.O_RDONLY)
    tail = b""
    try:
        while True:
            chunk = os.read(fd, _READ_BYTES)
            if not chunk:
                if process.poll() is None:
                    time.sleep(_POLL_SECONDS)
                    continue
                chunk = os.read(fd, _READ_BYTES)  # whatever git wrote before exiting
                if not chunk:
                    break
            data = tail + chunk
            cut = data.rfind(_RECORD)
            if cut <= 0:
                tail = data
                continue
            tail = data[cut:]
            for piece in data[:cut].decode("utf-8", "replace").split("\x1e"):
                if piece:
                    yield parse_log_record(piece)
        if tail:
            yield parse_log_record(tail.decode("utf-8", "replace").lstrip("\x1e"))
    finally:
        os.close(fd)


def divergence(pending: PendingGit, keep: int) -> Divergence:
    """Read ``Repo.start_divergence`` (``git_types.divergence_from_lines``)."""
    return divergence_from_lines(pending.result().text.splitlines(), keep)
