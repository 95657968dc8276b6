"""Random Dual Trinity histories written with ``git fast-import``, for equivalence tests.

Each history mixes what makes incremental reading hard: heartbeats rebased in batches
(committer date hours after the author date), agent commits that arrive late (author date
before commits already in the history), several commits in the same second, two agents
writing one file minutes apart, placeholders and real consolidations, markers that come and
go, direct C2/C3 channels, C2/C3 headers in the channels to C1 (overwritten later, so only
the history shows them), work orders claimed in a work queue and completed, conflict and
consolidation words, unattributed commits.
"""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

from lifebuoy.diagnostics.engine.tests.gitrepo import CLOUD, HUB, TERMINAL, git

BOT = b"Model Vendor Bot <bot@vendor.example>"
OWNER = b"Dana Example <dana@example.com>"
ROOTS = {"cloud": CLOUD, "terminal": TERMINAL}
SPELLINGS = ["{T}-{r}: {w}", "{r}: {w}", "[{r}] {w}", "🏆 {r} Deep Scan: {w}", "{r} BOOT: {w}"]
WORDS = ["sync", "report ready", "validated build", "consolidate notes", "fix conflict", "docs"]
CHANNELS = {
    "C1": ["c1_to_c2.md", "c1_to_c3.md"],
    "C2": ["c2_to_c1.md", "c2_to_c3.md"],
    "C3": ["c3_to_c1.md", "c3_to_c2.md"],
}


QUEUE = ".consciousness/trinity/coordination/work_queue"


def init_bare(path: Path) -> Path:
    path.mkdir(parents=True)
    git(path, "init", "-q", "--bare", "-b", "main")
    return path


def _data(payload: bytes) -> bytes:
    return b"data %d\n%s\n" % (len(payload), payload)


class History:
    """Appends random commits to ``refs/heads/main`` of a bare repository."""

    def __init__(self, path: Path, seed: int, start: int) -> None:
        self.path = path
        self.rng = random.Random(seed)  # noqa: S311  # test data, not secrets
        self.ts = start
        self.serial = 0

    def tip(self) -> str:
        return git(self.path, "rev-parse", "refs/heads/main").strip()

    def append(self, count: int, *, merge: bool = False, reset_to: str | None = None) -> int:
        """``count`` commits on main (from ``reset_to`` when given: a force-push); with
        ``merge`` the last one merges a side branch. Returns the latest author time."""
        blocks = []
        parent = reset_to or (self.tip() if self._has_commits() else None)
        if merge:
            side = self._agent_commit()
            blocks.append(self._block("refs/heads/side", parent, *side, BOT, self.ts, self.ts))
        for n in range(count):
            frm = parent if n == 0 else None
            subject, body, files, author, ts, committed = self._next()
            merge_ref = "refs/heads/side" if merge and n == count - 1 else None
            blocks.append(
                self._block(
                    "refs/heads/main",
                    frm,
                    subject,
                    body,
                    files,
                    author,
                    ts,
                    committed,
                    merge_ref=merge_ref,
                )
            )
        subprocess.run(
            ["git", "-C", str(self.path), "fast-import", "--quiet", "--force"],
            input=b"".join(blocks),
            check=True,
        )
        return self.ts

    def _has_commits(self) -> bool:
        found = subprocess.run(
            ["git", "-C", str(self.path), "rev-parse", "--verify", "-q", "refs/heads/main"],
            capture_output=True,
            check=False,
        )
        return found.returncode == 0

    def _block(
        self,
        ref: str,
        parent: str | None,
        subject: str,
        body: str,
        files: dict[str, bytes | None],
        author: bytes,
        ts: int,
        committed: int,
        *,
        merge_ref: str | None = None,
    ) -> bytes:
        text = subject + (f"\n\n{body}" if body else "")
        parts = [
            f"commit {ref}\n".encode(),
            b"author %s %d +0000\n" % (author, ts),
            b"committer %s %d +0000\n" % (author, committed),
            _data(text.encode()),
        ]
        if parent:
            parts.append(f"from {parent}\n".encode())
        if merge_ref:
            parts.append(f"merge {merge_ref}\n".encode())
        for name, content in files.items():
            if content is None:
                parts.append(b"D %s\n" % name.encode())
            else:
                parts.append(b"M 100644 inline %s\n" % name.encode())
                parts.append(_data(content))
        return b"".join(parts)

    def _next(self) -> tuple[str, str, dict[str, bytes | None], bytes, int, int]:
        rng = self.rng
        self.serial += 1
        self.ts += rng.choice([0, 0, 1, 30, 60, 120, 300, 900])
        ts = self.ts
        roll = rng.random()
        if roll < 0.4:
            machine = rng.choice(["PC1", "PC2"])
            committed = ts + (rng.randint(600, 7200) if rng.random() < 0.2 else 0)
            payload = f'{{"machine": "{machine}", "status": "online", "ts": {ts}}}'.encode()
            files: dict[str, bytes | None] = {f".trinity/heartbeats/{machine}.json": payload}
            if rng.random() < 0.2:  # the daemon sweeps an agent's file into its commit
                files[f"{CLOUD}/c2_to_c1.md"] = f"swept {self.serial}\n".encode()
            return f"daemon: {machine} heartbeat", "", files, OWNER, ts, committed
        subject, body, files = self._agent_commit()
        if rng.random() < 0.1:  # pushed late: authored well before commits already there
            ts -= rng.randint(60, 3 * 3600)
        return subject, body, files, BOT, ts, self.ts

    def _agent_commit(self) -> tuple[str, str, dict[str, bytes | None]]:
        rng = self.rng
        trinity = rng.choice(list(ROOTS))
        role = rng.choice(["C1", "C2", "C3"])
        root = ROOTS[trinity]
        subject = rng.choice(SPELLINGS).format(T=trinity.upper(), r=role, w=rng.choice(WORDS))
        body = ""
        roll = rng.random()
        if roll < 0.05:
            subject, body = f"Auto-commit: {self.serial}", f"EXECUTED BY {trinity.upper()}-{role}"
        elif roll < 0.08:
            subject = f"Auto-commit: {self.serial}"  # nobody can be named
        elif roll < 0.1:
            subject = "PC1: sync"
        channel = rng.choice(CHANNELS[role])
        to = "C" + channel[-4]
        if role in ("C2", "C3") and to == "C1" and rng.random() < 0.08:
            to = "C3" if role == "C2" else "C2"  # a direct message in an allowed channel
        message = f"# {role} → {to}: MESSAGE\n\n**From:** {role}\n**To:** {to}\n\n{self.serial}\n"
        files: dict[str, bytes | None] = {f"{root}/{channel}": message.encode()}
        extra = rng.random()
        if extra < 0.15:
            files["notes/plan.md"] = f"plan {self.serial}\n".encode()  # shared: collisions
        elif extra < 0.2:
            files[f"{root}/trinity_status.md"] = (
                "| Agent | Role | Status |\n|---|---|---|\n| C1 | c | 🟢 ONLINE |\n"
                "| C2 | b | 🟢 ONLINE |\n| C3 | v | 🟢 ONLINE |\n"
            ).encode()
        elif extra < 0.25:
            side = "from_cloud" if trinity == "cloud" else "from_terminal"
            files[f"{HUB}/{side}/summary.md"] = f"summary {self.serial}\n".encode()
        elif extra < 0.3:
            real = rng.random() < 0.6
            text = f"Consolidated {self.serial}\n" * 5 if real else "Timestamp: Pending\n"
            files[f"{HUB}/master_consolidated.md"] = text.encode()
        elif extra < 0.33:
            files["src/conflicted.py"] = b"a\n<<<<<<< HEAD\nb\n=======\nc\n>>>>>>> x\n"
        elif extra < 0.36:
            files["src/conflicted.py"] = b"resolved\n========\n"
        elif extra < 0.38:
            files[f"{root}/notes_{self.serial % 4}.md"] = f"note {self.serial}\n".encode()
        elif extra < 0.44:
            order = f"{QUEUE}/active/wo_{self.serial % 3}.json"
            if rng.random() < 0.3:  # completed (fast-import ignores deleting a missing file)
                files[order] = None
            else:  # claimed, or a claim heartbeat
                files[order] = f'{{"status": "IN_PROGRESS", "beat": {self.serial}}}'.encode()
        return subject, body, files
