"""Generate a synthetic Dual Trinity repository with ``git fast-import``.

    python bench/doctor/generate.py /tmp/dt-20k --commits 20000

Six agents (Cloud and Terminal C1/C2/C3) write their channel files, status tables and hub
files with the many subject spellings seen in real deployments; two heartbeat daemons commit
about every minute, some of them rebased (committer date later than author date). History is
streamed straight into fast-import, so 200,000 commits take well under a minute.
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

START = int(datetime(2026, 1, 1, tzinfo=UTC).timestamp())
BOT = b"Model Vendor Bot <bot@vendor.example>"  # the shared identity agents commit as
OWNER = b"Dana Example <dana@example.com>"
TRINITIES = {"cloud": ".consciousness/trinity", "terminal": ".consciousness/trinity_terminal"}
SPELLINGS = {
    "cloud": [
        "CLOUD-{r}: {w}",
        "{r}: {w}",
        "[{r}] {w}",
        "🏆 {r} Deep Scan: {w}",
        "{r} BOOT: {w}",
        "CP1 {r} Cloud: {w}",
    ],
    "terminal": [
        "TERMINAL-{r}: {w}",
        "Terminal {r}: {w}",
        "{r}_ARCHITECT: {w}",
        "{r} MECHANIC: {w}",
    ],
}
WORDS = [
    "sync",
    "report ready",
    "task assigned",
    "validated build",
    "update status",
    "consolidate outputs",
    "review notes",
    "fix parser",
    "wire API",
    "docs",
]
CHANNELS = {"C1": ["c1_to_c2.md", "c1_to_c3.md"], "C2": ["c2_to_c1.md"], "C3": ["c3_to_c1.md"]}
SOURCE_FILES = [f"src/module_{n:03d}.py" for n in range(300)]


def message(sender: str, addressee: str, kind: str, ts: int, serial: int) -> bytes:
    stamp = datetime.fromtimestamp(ts, tz=UTC).isoformat()
    return (
        f"# {sender} → {addressee}: {kind}\n\n**From:** {sender}\n**To:** {addressee}\n"
        f"**Status:** ✅ APPROVED\n**Timestamp:** {stamp}\n\nMessage {serial}.\n"
    ).encode()


def status_table(ts: int) -> bytes:
    rows = "".join(f"| {r} | agent | 🟢 ONLINE | task {ts % 97} |\n" for r in ("C1", "C2", "C3"))
    return ("| Agent | Role | Status | Current Task |\n|---|---|---|---|\n" + rows).encode()


def data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


def commit_block(
    author: bytes, ts: int, *, committed: int, subject: str, body: str, files: dict[str, bytes]
) -> bytes:
    text = subject + (f"\n\n{body}" if body else "")
    parts = [
        b"commit refs/heads/main\n",
        b"author %s %d +0000\n" % (author, ts),
        b"committer %s %d +0000\n" % (author, committed),
        data(text.encode()),
    ]
    for path, content in files.items():
        parts.append(b"M 100644 inline %s\n" % path.encode())
        parts.append(data(content))
    return b"".join(parts)


def agent_commit(rng: random.Random, serial: int, ts: int) -> tuple[str, str, dict[str, bytes]]:
    trinity = rng.choice(list(TRINITIES))
    role = rng.choice(["C1", "C2", "C3"])
    root = TRINITIES[trinity]
    subject = rng.choice(SPELLINGS[trinity]).format(r=role, w=rng.choice(WORDS))
    body = ""
    if rng.random() < 0.05:
        subject, body = f"Auto-commit: {ts}", f"EXECUTED BY {trinity.upper()}-{role}"
    channel = rng.choice(CHANNELS[role])
    addressee = "C" + channel[-4]
    files = {f"{root}/{channel}": message(role, addressee, "MESSAGE", ts, serial)}
    if rng.random() < 0.3:
        files[rng.choice(SOURCE_FILES)] = f"# revision {serial}\n".encode()
    if rng.random() < 0.05:
        files[f"{root}/trinity_status.md"] = status_table(ts)
    if role == "C1" and rng.random() < 0.2:
        side = "from_cloud" if trinity == "cloud" else "from_terminal"
        files[f".consciousness/hub/{side}/summary.md"] = f"summary {serial}\n".encode()
    if role == "C1" and trinity == "terminal" and rng.random() < 0.05:
        files[".consciousness/hub/master_consolidated.md"] = (
            f"Consolidated {serial}\n" * 20
        ).encode()
    return subject, body, files


def stream(commits: int, seed: int) -> Iterator[bytes]:
    rng = random.Random(seed)
    ts = START
    base = dict.fromkeys(SOURCE_FILES, b"print('hello')\n")
    yield commit_block(OWNER, ts, committed=ts, subject="Initial import", body="", files=base)
    for serial in range(1, commits):
        ts += rng.randint(20, 70)
        if rng.random() < 0.6:
            machine = rng.choice(["PC1", "PC2"])
            beat = json.dumps({"machine": machine, "status": "online", "ts": ts}).encode()
            committed = ts + (rng.randint(600, 7200) if rng.random() < 0.02 else 0)
            files = {f".trinity/heartbeats/{machine}.json": beat}
            subject = f"daemon: {machine} heartbeat"
            yield commit_block(
                OWNER, ts, committed=committed, subject=subject, body="", files=files
            )
        else:
            subject, body, files = agent_commit(rng, serial, ts)
            yield commit_block(BOT, ts, committed=ts, subject=subject, body=body, files=files)


def generate(path: Path, commits: int, seed: int = 7) -> int:
    """Create the repository; returns the author time of the last commit."""
    path.mkdir(parents=True, exist_ok=False)
    subprocess.run(["git", "init", "-q", "-b", "main", str(path)], check=True)
    importer = subprocess.Popen(
        ["git", "-C", str(path), "fast-import", "--quiet"], stdin=subprocess.PIPE
    )
    assert importer.stdin is not None
    last = START
    for block in stream(commits, seed):
        importer.stdin.write(block)
        last = int(block.split(b"author ", 1)[1].split(b"> ", 1)[1].split(b" ", 1)[0])
    importer.stdin.close()
    if importer.wait() != 0:
        raise SystemExit("git fast-import failed")
    subprocess.run(["git", "-C", str(path), "reset", "-q", "--hard", "main"], check=True)
    return last


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("path", type=Path)
    parser.add_argument("--commits", type=int, default=20_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    last = generate(args.path, args.commits, args.seed)
    print(
        f"{args.commits} commits in {args.path}; last author time "
        f"{datetime.fromtimestamp(last, tz=UTC).isoformat()}"
    )
    sys.exit(0)


if __name__ == "__main__":
    main()
