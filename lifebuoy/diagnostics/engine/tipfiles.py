"""Read what the branch tips say: coordination documents and conflict markers."""

from __future__ import annotations

import re

from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.repo import GitError, Repo
from lifebuoy.diagnostics.engine.snapshot import MarkerHit, NotRead, TipFiles

# A conflict marker: exactly seven '<', '=' or '>' at the start of a line, then a space or
# the end of the line. Rules of eight or more '=' are not markers.
MARKER_ERE = "^(<{7}|={7}|>{7})( |$)"
MARKER = re.compile(r"^(?:<{7}|={7}|>{7})(?: |\r?$)")
MAX_DOCUMENT_BYTES = 1_000_000
MAX_DOCUMENTS = 5000
_UNREADABLE = re.compile(r"'(?P<name>[^']+)': unable to read")


def read_tip_files(
    repo: Repo, profile: Profile, tips: dict[str, str], not_read: list[NotRead]
) -> TipFiles:
    result = TipFiles()
    unique = list(dict.fromkeys(tips.values()))
    names = {sha: name for name, sha in reversed(tips.items())}
    for sha in unique:
        try:
            entries = repo.ls_tree(sha)
        except GitError as exc:
            not_read.append(NotRead(f"files at {names[sha]}", str(exc)))
            continue
        _read_documents(
            repo,
            profile=profile,
            branch=names[sha],
            entries=entries,
            result=result,
            not_read=not_read,
        )
    _grep_markers(repo, unique, names, result, not_read)
    return result


def _is_document(profile: Profile, path: str) -> bool:
    return any(p.search(path) for p in profile.documents) or any(
        p.search(path) for p in (*profile.status_files, *profile.heartbeat_files)
    )


def _read_documents(
    repo: Repo,
    *,
    profile: Profile,
    branch: str,
    entries: list[tuple[str, str]],
    result: TipFiles,
    not_read: list[NotRead],
) -> None:
    wanted = [
        (p, oid) for p, oid in entries if p not in result.contents and _is_document(profile, p)
    ]
    if len(wanted) > MAX_DOCUMENTS:
        not_read.append(
            NotRead(
                f"{len(wanted) - MAX_DOCUMENTS} coordination documents on {branch}",
                f"only the first {MAX_DOCUMENTS} are read",
            )
        )
        wanted = wanted[:MAX_DOCUMENTS]
    sizes = repo.object_sizes([oid for _, oid in wanted])
    readable = []
    for path, oid in wanted:
        size = sizes.get(oid)
        if size is None:
            not_read.append(
                NotRead(f"{path} on {branch}", "its content is missing from the repository")
            )
        elif size > MAX_DOCUMENT_BYTES:
            not_read.append(NotRead(f"{path} on {branch}", "larger than 1 MB, skipped"))
        else:
            readable.append((path, oid))
    blobs = repo.read_blobs([oid for _, oid in readable])
    for path, oid in readable:
        blob = blobs.get(oid)
        if blob is not None and b"\0" not in blob[:8000]:
            result.contents[path] = blob.decode("utf-8", "replace")
    result.files_scanned += len(readable)


def _grep_markers(
    repo: Repo, revs: list[str], names: dict[str, str], result: TipFiles, not_read: list[NotRead]
) -> None:
    if not revs:
        return
    found = repo.grep(MARKER_ERE, revs)
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


def _split_hit(rest: str) -> tuple[str | None, int, str]:
    """``path:line:text`` where the path itself may contain colons."""
    match = re.match(r"^(?P<path>.*?):(?P<line>\d+):(?P<text>.*)$", rest)
    if match is None:
        return None, 0, ""
    return match["path"], int(match["line"]), match["text"]
