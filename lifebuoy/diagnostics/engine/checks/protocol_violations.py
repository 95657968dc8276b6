"""Agents addressing each other outside the allowed pairs (by default C2 <-> C3 directly).

Found three ways: channel files whose names pair forbidden agents (``c2_to_c3.md``), From/To
headers inside documents and JSON messages at the branch tips, because direct traffic rarely
uses a channel file, and the same headers in earlier versions of the channel files (the latest
writes kept in ``events.channel_messages``, read in the run's one ``cat-file --batch``), because
a message overwritten since leaves no trace at the tip.
"""

from __future__ import annotations

from lifebuoy.diagnostics.engine import evidence
from lifebuoy.diagnostics.engine.findings import Category, Evidence, Finding, Severity
from lifebuoy.diagnostics.engine.headers import message_pairs
from lifebuoy.diagnostics.engine.snapshot import RepoSnapshot

ID = "protocol_violations"
CATEGORY = Category.GIT_CONFLICTS
SEVERITY = Severity.CRITICAL


def run(snapshot: RepoSnapshot) -> list[Finding]:
    allowed = snapshot.profile.allowed_pairs
    findings = _by_channel_name(snapshot)
    for path, text in sorted(snapshot.tip_files.contents.items()):
        if not any(p.search(path) for p in snapshot.profile.documents):
            continue
        found = [
            (pair, ev)
            for pair, ev in message_pairs(path, text)
            if pair[0] != pair[1] and pair not in allowed
        ]
        if found:
            pairs = sorted({f"{a}->{b}" for (a, b), _ in found})
            summary = (
                f"{path} carries messages between agents that must not talk directly "
                f"({', '.join(pairs)})."
            )
            proof = tuple(ev for _, ev in found[: evidence.MAX_EVIDENCE])
            findings.append(Finding(ID, CATEGORY, SEVERITY, summary, proof))
    findings.extend(_in_history(snapshot))
    return findings


def _in_history(snapshot: RepoSnapshot) -> list[Finding]:
    """Forbidden messages in earlier versions of channel files, each reported once (at the
    oldest kept version carrying it) and only when the tip no longer shows it."""
    headers = snapshot.history_headers
    if not headers:
        return []
    documents = snapshot.profile.documents
    tips = {
        path: text
        for path, text in snapshot.tip_files.contents.items()
        if any(p.search(path) for p in documents)
    }  # what the tip check above reads
    first: dict[tuple[str, str, str, str], Evidence] = {}
    for write in snapshot.history.events.channel_messages:  # oldest first
        hits = headers.get(f"{write.commit.sha}:{write.path}", ())
        for hit in hits:
            key = (write.path, hit.sender, hit.addressee, hit.text)
            if key in first or hit.text in tips.get(write.path, ""):
                continue
            first[key] = Evidence(
                kind="line" if hit.line else "commit",
                text=f"{hit.text} ({write.commit.subject})",
                commit=write.commit.sha,
                file=write.path,
                line=hit.line or None,
                at=write.commit.at,
            )
    if not first:
        return []
    pairs = sorted({f"{a}->{b}" for _, a, b, _ in first})
    files = sorted({path for path, *_ in first})
    summary = (
        f"Earlier versions of {', '.join(files)} carried {len(first)} message(s) between "
        f"agents that must not talk directly ({', '.join(pairs)})."
    )
    proof = tuple(first.values())[-evidence.MAX_EVIDENCE :]
    return [Finding(ID, CATEGORY, SEVERITY, summary, proof)]


def _by_channel_name(snapshot: RepoSnapshot) -> list[Finding]:
    direct = snapshot.history.events.direct_messages.items()
    if not direct:
        return []
    files = sorted({w.path for w in direct})
    summary = (
        f"{snapshot.history.events.direct_messages.total} commit(s) wrote channel files "
        f"between agents that must not talk directly: {', '.join(files)}."
    )
    proof = tuple(evidence.write(w, snapshot) for w in direct[-evidence.MAX_EVIDENCE :])
    return [Finding(ID, CATEGORY, SEVERITY, summary, proof)]
