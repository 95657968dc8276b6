"""Read what the branch tips say: coordination documents and conflict markers.

A full read lists each tip's tree once (``ls-tree -l``, which gives sizes too), reads the
documents in one ``cat-file --batch`` and greps the tip for markers. ``update_tip_files``
does the same for a tip that moved by a linear run of commits, from the previous read: it
reads the documents again by blob id in one ``cat-file --batch`` and greps only the paths the
new commits changed. The grep runs while the documents are read and parsed.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from contextlib import nullcontext

from lifebuoy.diagnostics.engine.git_types import GitError, GitObject
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.repo import PendingGit, Repo
from lifebuoy.diagnostics.engine.snapshot import MarkerHit, NotRead, TipFiles

# A conflict marker: exactly seven '<', '=' or '>' at the start of a line, then a space or
# the end of the line. Rules of eight or more '=' are not markers.
MARKER_ERE = "^(<{7}|={7}|>{7})( |$)"
MARKER = re.compile(r"^(?:<{7}|={7}|>{7})(?: |\r?$)")
MAX_DOCUMENT_BYTES = 1_000_000
MAX_DOCUMENTS = 5000
MAX_GREP_PATHS = 1000  # more changed paths than this: grep the whole tip instead
_UNREADABLE = re.compile(r"'(?P<name>[^']+)': unable to read")
_BINARY_PROBE = 8000
_MAY_HOLD_MARKER = re.compile(rb"(?m)^(?:<{7}|={7}|>{7})")
_AS_GREP = re.compile(r"(?:<{7}|={7}|>{7})(?: |\Z)")  # MARKER_ERE on a line without its newline

Objects = dict[str, GitObject | None]


def read_tip_files(
    repo: Repo,
    profile: Profile,
    tips: dict[str, str],
    not_read: list[NotRead],
    extra: Sequence[str] = (),
) -> tuple[TipFiles, Objects]:
    """The documents and markers at every tip; ``extra`` object names are read along with the
    first tip's documents (one ``cat-file`` call for a single tip)."""
    result = TipFiles()
    extras: Objects = {}
    unique = list(dict.fromkeys(tips.values()))
    names = {sha: name for name, sha in reversed(tips.items())}
    before = len(not_read)
    grep = _start_grep(repo, unique)
    with grep or nullcontext():
        for index, sha in enumerate(unique):
            try:
                entries = repo.ls_tree_sizes(sha)
            except GitError as exc:
                not_read.append(NotRead(f"files at {names[sha]}", str(exc)))
                continue
            wanted = [
                (e.path, e.oid, e.size)
                for e in entries
                if e.path not in result.contents and _is_document(profile, e.path)
            ]
            objects = _read_documents(
                repo,
                branch=names[sha],
                wanted=wanted,
                result=result,
                not_read=not_read,
                extra=extra if index == 0 else (),
                record=index == 0,
            )
            if index == 0:
                extras = {name: objects.get(name) for name in extra}
        if not unique and extra:
            extras = repo.read_objects(extra)
        _collect_markers(grep, names, result, not_read)
    result.clean = len(not_read) == before and len(unique) == 1
    return result, extras


def update_tip_files(
    repo: Repo,
    profile: Profile,
    *,
    branch: str,
    sha: str,
    previous: TipFiles,
    changed: Collection[str],
    not_read: list[NotRead],
    extra: Sequence[str] = (),
) -> tuple[TipFiles, Objects] | None:
    """The tip ``sha`` read from ``previous`` (a clean read of an ancestor) plus the paths
    the commits in between changed. ``None`` when a full read is needed instead."""
    if not previous.clean:
        return None
    kept = [m for m in previous.markers if m.path not in changed]
    if len(changed) > MAX_GREP_PATHS:
        kept, paths = [], []
    else:
        paths = sorted(changed)
    # A few changed paths are searched in the documents' own cat-file batch (one process
    # less); many, or a partial clone (where git grep tells a missing blob), with git grep.
    in_batch = bool(paths) and not repo.is_partial
    grep = _start_grep(repo, [sha], paths) if changed and not in_batch else None
    with grep or nullcontext():  # stopped unless read: on an error, or a full read instead
        scan = [f"{sha}:{p}" for p in paths] if in_batch else []
        read = _update_documents(
            repo,
            profile,
            branch=branch,
            sha=sha,
            previous=previous,
            changed=changed,
            not_read=not_read,
            extra=[*extra, *scan],
        )
        if read is None:
            return None
        result, objects = read
        before = len(not_read)
        if in_batch:
            result.markers = _markers_in(objects, sha, branch, paths)
        else:
            _collect_markers(grep, {sha: branch}, result, not_read)
    result.markers = sorted(
        [MarkerHit(branch, m.path, m.line, m.text) for m in kept] + result.markers,
        key=lambda m: (m.path, m.line),
    )
    result.clean = result.clean and len(not_read) == before
    return result, {name: objects.get(name) for name in extra}


def _update_documents(
    repo: Repo,
    profile: Profile,
    *,
    branch: str,
    sha: str,
    previous: TipFiles,
    changed: Collection[str],
    not_read: list[NotRead],
    extra: Sequence[str],
) -> tuple[TipFiles, Objects] | None:
    documents = {p: oid for p, oid in previous.documents.items() if p not in changed}
    candidates = sorted(p for p in changed if _is_document(profile, p))
    names = list(dict.fromkeys([*documents.values(), *(f"{sha}:{p}" for p in candidates), *extra]))
    objects = repo.read_objects(names)
    result = TipFiles()
    before = len(not_read)
    for path in candidates:
        found = objects.get(f"{sha}:{path}")
        if found is None or found.kind != "blob":
            continue  # deleted (or no longer a file)
        if len(found.data) > MAX_DOCUMENT_BYTES:
            not_read.append(NotRead(f"{path} on {branch}", "larger than 1 MB, skipped"))
            continue
        documents[path] = found.oid
        objects[found.oid] = found
    if len(documents) > MAX_DOCUMENTS:
        del not_read[before:]
        return None
    for path in sorted(documents):
        _add_document(result, path, objects.get(documents[path]))
    result.documents = documents
    result.files_scanned = len(documents)
    result.clean = len(not_read) == before
    return result, objects


def _is_document(profile: Profile, path: str) -> bool:
    return any(p.search(path) for p in profile.documents) or any(
        p.search(path)
        for p in (*profile.status_files, *profile.heartbeat_files, *profile.work_queue)
    )


def _read_documents(
    repo: Repo,
    *,
    branch: str,
    wanted: list[tuple[str, str, int | None]],
    result: TipFiles,
    not_read: list[NotRead],
    extra: Sequence[str],
    record: bool,
) -> Objects:
    if len(wanted) > MAX_DOCUMENTS:
        not_read.append(
            NotRead(
                f"{len(wanted) - MAX_DOCUMENTS} coordination documents on {branch}",
                f"only the first {MAX_DOCUMENTS} are read",
            )
        )
        wanted = wanted[:MAX_DOCUMENTS]
    readable = []
    for path, oid, size in wanted:
        if size is None:
            not_read.append(
                NotRead(f"{path} on {branch}", "its content is missing from the repository")
            )
        elif size > MAX_DOCUMENT_BYTES:
            not_read.append(NotRead(f"{path} on {branch}", "larger than 1 MB, skipped"))
        else:
            readable.append((path, oid))
    objects = repo.read_objects([*dict.fromkeys(oid for _, oid in readable), *extra])
    for path, oid in readable:
        _add_document(result, path, objects.get(oid))
        if record:
            result.documents[path] = oid
    result.files_scanned += len(readable)
    return objects


def _add_document(result: TipFiles, path: str, found: GitObject | None) -> None:
    if found is not None and b"\0" not in found.data[:_BINARY_PROBE]:
        result.contents[path] = found.data.decode("utf-8", "replace")


def _start_grep(repo: Repo, revs: list[str], paths: Sequence[str] = ()) -> PendingGit | None:
    """Start looking for markers; git searches while the documents are read and parsed."""
    return repo.grep(MARKER_ERE, revs, paths) if revs else None


def _collect_markers(
    grep: PendingGit | None,
    names: dict[str, str],
    result: TipFiles,
    not_read: list[NotRead],
) -> None:
    if grep is None:
        return
    found = grep.result(check=False)
    if found.returncode not in (0, 1):
        not_read.append(NotRead("conflict markers", f"git grep failed: {found.first_error_line}"))
        return
    for line in found.text.splitlines():
        rev, _, rest = line.partition(":")
        path, number, text = _split_hit(rest)
        if path is not None and MARKER.match(text):
            result.markers.append(MarkerHit(names.get(rev, rev), path, number, text.rstrip()))
    for match in _UNREADABLE.finditer(found.stderr):
        rev, _, path = match["name"].partition(":")
        not_read.append(
            NotRead(
                f"{path} on {names.get(rev, rev[:12])}",
                "its content is missing, so it was not searched for markers",
            )
        )


def _markers_in(objects: Objects, sha: str, branch: str, paths: list[str]) -> list[MarkerHit]:
    """What ``git grep -I`` finds at ``sha`` in ``paths``, from blobs already read: text
    files only (no NUL in the first 8,000 bytes, git's own test), lines split on newlines."""
    hits = []
    for path in paths:
        found = objects.get(f"{sha}:{path}")
        if found is None or found.kind != "blob":
            continue  # deleted at the tip, or not a file
        data = found.data
        if b"\0" in data[:_BINARY_PROBE] or not _MAY_HOLD_MARKER.search(data):
            continue
        lines = data.decode("utf-8", "replace").split("\n")
        for number, line in enumerate(lines, start=1):
            if _AS_GREP.match(line) and MARKER.match(line):
                hits.append(MarkerHit(branch, path, number, line.rstrip()))
    return hits


def _split_hit(rest: str) -> tuple[str | None, int, str]:
    """``path:line:text`` where the path itself may contain colons."""
    match = re.match(r"^(?P<path>.*?):(?P<line>\d+):(?P<text>.*)$", rest)
    if match is None:
        return None, 0, ""
    return match["path"], int(match["line"]), match["text"]
