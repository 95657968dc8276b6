"""The histories of the demo's two Dual Trinity repositories, in the shape real ones have.

Cloud agents commit as one shared bot identity and the terminal trinity under its
workstation's owner, so agents are named only in subject prefixes (``CLOUD-C2:``,
``TERMINAL-C1:``); messages carry ``**From:**``/``**To:**`` headers; a heartbeat daemon commits
``daemon: PC1 heartbeat``; status tables make claims that git can contradict.

One deployment works as the playbook says. The other has the playbook's common problems
planted, each one a doctor check finds: the cloud builder went silent while its coordinator
keeps assigning work and the status table still calls it online; a heartbeat daemon stopped
(its last heartbeats rebased, so only their author dates tell); the terminal validator has
not validated for more than a day; the last consolidation came two hours after its inputs;
and the cloud validator writes to the builder directly, which the playbook forbids.

Times are minutes before the demo's ``now``, each moved by up to a minute and a half drawn
from the seed, so every seed gives one history and its checks land the same way.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta

from .repositories import DemoCommit, Person

CLOUD = ".consciousness/trinity"
TERMINAL = ".consciousness/trinity_terminal"
HUB = ".consciousness/hub"
HEARTBEATS = ".trinity/heartbeats"
# The cloud sessions' shared identity: the author field names no agent.
AGENT = Person("Cloud Agent", "agent@cloud-sessions.example")
ROLES = {"C1": "Coordinator", "C2": "Builder", "C3": "Validator"}
STAMP = "{stamp}"


class Story:
    """Commits in the making; ``{stamp}`` in a file becomes the commit's own time."""

    def __init__(self, *, rng: random.Random, now: datetime, workstation: Person) -> None:
        self.rng = rng
        self.now = now
        self.workstation = workstation
        self.commits: list[DemoCommit] = []

    def add(
        self,
        minutes: float,
        subject: str,
        files: dict[str, str] | None = None,
        *,
        terminal: bool = False,
        rebased_minutes: float = 0,
        body: str = "",
    ) -> None:
        minutes += self.rng.randrange(90) / 60
        at = self.now - timedelta(minutes=minutes)
        stamp = f"{at:%Y-%m-%d %H:%M} UTC"
        self.commits.append(
            DemoCommit(
                minutes=minutes,
                subject=subject,
                author=self.workstation if terminal else AGENT,
                files={p: c.replace(STAMP, stamp) for p, c in (files or {}).items()},
                body=body,
                rebased_minutes=rebased_minutes,
            )
        )

    def heartbeats(self, machine: str, *, minutes: list[float], rebased_to: float = 0) -> None:
        """The daemon's commits; with ``rebased_to``, all committed together that many minutes
        ago (after a ``git pull --rebase``)."""
        for m in minutes:
            beat = {"machine": machine, "status": "online", "timestamp": STAMP}
            self.add(
                m,
                f"daemon: {machine} heartbeat",
                {f"{HEARTBEATS}/{machine}.json": json.dumps(beat, indent=2) + "\n"},
                terminal=True,
                rebased_minutes=m - rebased_to if rebased_to else 0,
            )

    def history(self) -> list[DemoCommit]:
        """Oldest first (the order the import writes them)."""
        return sorted(self.commits, key=lambda c: -c.minutes)


def message(sender: str, to: str, kind: str, status: str, text: str) -> str:
    return (
        f"# {sender} → {to}: {kind}\n\n**From:** {sender}\n**To:** {to}\n"
        f"**Status:** {status}\n**Timestamp:** {STAMP}\n\n{text}\n"
    )


def validation(sender: str, verdict: str, score: int, text: str) -> str:
    return message(
        sender, "C1", "VALIDATION REPORT", verdict, f"**Quality Score:** {score}/10\n\n{text}"
    )


def status_table(title: str, rows: list[tuple[str, str, str]]) -> str:
    lines = [
        f"# {title} status",
        "",
        f"**Last Updated:** {STAMP}",
        "",
        "| Agent | Role | Status | Current Task |",
        "|-------|------|--------|--------------|",
    ]
    lines += [f"| {agent} | {ROLES[agent]} | {state} | {task} |" for agent, state, task in rows]
    return "\n".join(lines) + "\n"


def _setup(story: Story, minutes: float, name: str) -> None:
    story.add(
        minutes,
        "TERMINAL-C1: set up the Dual Trinity",
        {
            "README.md": f"# {name}\n\nA Dual Trinity: a cloud trinity and a terminal trinity "
            "coordinating through this repository, consolidated by the terminal C1.\n",
            "C1_ACTIVATION_INSTRUCTIONS.md": "# C1 activation\n\nRead the channels addressed "
            "to you, assign work to C2, ask C3 to validate it, and keep the status table "
            "current. C2 and C3 report to you only.\n",
            f"{HUB}/master_consolidated.md": "# Master consolidation\n\n**Timestamp:** Pending\n",
        },
        terminal=True,
    )


def _side(trinity: str) -> tuple[str, str, bool]:
    """The trinity's folder, its commit prefix, and whether the terminal commits for it."""
    return (TERMINAL, "TERMINAL", True) if trinity == "terminal" else (CLOUD, "CLOUD", False)


def _task(story: Story, trinity: str, minutes: float, work: str) -> None:
    """The trinity's C1 gives its C2 ``work``."""
    root, prefix, terminal = _side(trinity)
    story.add(
        minutes,
        f"{prefix}-C1: task for C2 — {work}",
        {f"{root}/c1_to_c2.md": message("C1", "C2", "TASK", "ASSIGNED", f"Please {work}.")},
        terminal=terminal,
    )


def _status(story: Story, trinity: str, minutes: float, rows: list[tuple[str, str, str]]) -> None:
    """The trinity's C1 writes its status table."""
    root, prefix, terminal = _side(trinity)
    title = f"{trinity.capitalize()} trinity"
    story.add(
        minutes,
        f"{prefix}-C1: status",
        {f"{root}/trinity_status.md": status_table(title, rows)},
        terminal=terminal,
    )


def _cycle(
    story: Story, trinity: str, minutes: tuple[float, float, float, float | None], work: str
) -> None:
    """Task, report, validation request and validation, at the given minutes (None: the
    validator never answered)."""
    root, prefix, terminal = _side(trinity)
    task, report, request, verdict = minutes
    _task(story, trinity, task, work)
    story.add(
        report,
        f"{prefix}-C2: report — {work}",
        {f"{root}/c2_to_c1.md": message("C2", "C1", "REPORT", "COMPLETE", f"Done: {work}.")},
        terminal=terminal,
    )
    story.add(
        request,
        f"{prefix}-C1: validation request — {work}",
        {f"{root}/c1_to_c3.md": message("C1", "C3", "VALIDATION REQUEST", "PENDING", work)},
        terminal=terminal,
    )
    if verdict is not None:
        story.add(
            verdict,
            f"{prefix}-C3: validation — {work}",
            {f"{root}/c3_to_c1.md": validation("C3", "✅ APPROVED", 9, f"Checked: {work}.")},
            terminal=terminal,
        )


def _hub(story: Story, inputs: tuple[float, float], consolidated: float, topic: str) -> None:
    cloud, terminal = inputs
    story.add(
        cloud,
        f"CLOUD-C1: hub input — {topic}",
        {
            f"{HUB}/from_cloud/cloud_output.md": f"# Cloud output\n\n{topic}: cloud part, validated.\n"
        },
    )
    story.add(
        terminal,
        f"TERMINAL-C1: hub input — {topic}",
        {
            f"{HUB}/from_terminal/terminal_output.md": f"# Terminal output\n\n{topic}: terminal "
            "part, validated.\n"
        },
        terminal=True,
    )
    story.add(
        consolidated,
        f"TERMINAL-C1: consolidate — {topic}",
        {
            f"{HUB}/master_consolidated.md": f"# Master consolidation\n\n**Timestamp:** {STAMP}"
            f"\n\n## {topic}\n\nThe cloud and terminal outputs, merged and validated by both "
            "C3s.\n"
        },
        terminal=True,
    )


def healthy_history(*, rng: random.Random, now: datetime, slug: str) -> list[DemoCommit]:
    """A trinity that works: every agent active within the hour or two, validations within the
    day, consolidations minutes after their inputs, status tables that match git."""
    story = Story(
        rng=rng, now=now, workstation=Person("Ops workstation", f"ops@{slug}.example", "+0000")
    )
    _setup(story, 1560, "Reconciliation trinity")
    _cycle(story, "cloud", (1500, 1450, 1440, 1400), "match the card ledger to settlements")
    _cycle(story, "terminal", (1495, 1445, 1435, 1395), "load the settlement files")
    _hub(story, (1380, 1375), 1365, "Daily reconciliation")
    _cycle(story, "cloud", (300, 220, 210, 100), "flag unmatched refunds")
    _cycle(story, "terminal", (295, 215, 205, 95), "rerun the ledger import")
    _hub(story, (80, 75), 65, "Refund exceptions")
    _task(story, "cloud", 40, "explain the refund outliers")
    _task(story, "terminal", 35, "archive last month's files")
    story.add(30, "CLOUD-C2: picked up the refund outliers")
    story.add(25, "TERMINAL-C2: picked up the archive task", terminal=True)
    # A commit only its body attributes, as some sessions write them.
    story.add(20, f"Auto-commit: {now:%Y-%m-%d}", body="EXECUTED BY CLOUD-C3")
    story.add(18, "TERMINAL-C3: ready for the next validation", terminal=True)
    _status(
        story,
        "cloud",
        12,
        [
            ("C1", "🟢 ONLINE", "coordinating"),
            ("C2", "🟢 ONLINE", "refund outliers"),
            ("C3", "🟡 STANDBY", "-"),
        ],
    )
    _status(
        story,
        "terminal",
        10,
        [
            ("C1", "🟢 ONLINE", "coordinating"),
            ("C2", "🟢 ONLINE", "archive"),
            ("C3", "🟡 STANDBY", "-"),
        ],
    )
    story.heartbeats("PC1", minutes=[52, 42, 32, 22, 12, 2])
    return story.history()


def troubled_history(*, rng: random.Random, now: datetime, slug: str) -> list[DemoCommit]:
    """A trinity with the playbook's common problems planted (see the module's docstring)."""
    story = Story(
        rng=rng, now=now, workstation=Person("Forecast workstation", f"ops@{slug}.example", "+0100")
    )
    _setup(story, 2900, "Forecasting trinity")
    _cycle(story, "cloud", (2000, 1950, 1940, 1900), "backfill the weather features")
    _cycle(story, "terminal", (1995, 1945, 1935, 1890), "train the baseline model")
    _hub(story, (1880, 1875), 1860, "Baseline forecast")
    # The cloud builder's last words, seven hours ago; its validator answered.
    _cycle(story, "cloud", (520, 430, 420, 300), "add the holiday calendar")
    # The terminal validator is asked, and never answers.
    _cycle(story, "terminal", (510, 200, 190, None), "tune the forecast horizon")
    # Inputs ready for two hours before the consolidation.
    _hub(story, (260, 240), 80, "Holiday-aware forecast")
    _task(story, "cloud", 180, "publish the forecast API")
    # The validator writes to the builder directly: C1 is meant to mediate everything.
    story.add(
        45,
        "CLOUD-C3: review notes for the API",
        {
            f"{CLOUD}/review_notes_api.md": "# Review notes\n\n**From:** C3 (validator)\n"
            f"**To:** C2 (builder)\n**Timestamp:** {STAMP}\n\nThe API needs rate limits before "
            "you publish it; skip C1, this is quicker.\n"
        },
    )
    story.add(
        50,
        "TERMINAL-C2: report — forecast horizon notes",
        {
            f"{TERMINAL}/c2_to_c1.md": message(
                "C2", "C1", "REPORT", "COMPLETE", "Horizon notes added."
            )
        },
        terminal=True,
    )
    # The status table still calls the silent builder online.
    _status(
        story,
        "cloud",
        15,
        [
            ("C1", "🟢 ONLINE", "coordinating"),
            ("C2", "🟢 ONLINE", "forecast API"),
            ("C3", "🟢 ONLINE", "reviewing"),
        ],
    )
    story.add(10, "TERMINAL-C1: nudge C3 about the horizon validation", terminal=True)
    story.heartbeats("PC1", minutes=[50, 40, 30, 20, 10, 2])
    # PC2's daemon stopped; its queued heartbeats were rebased together, so their committer
    # dates look recent and only the author dates tell.
    story.heartbeats("PC2", minutes=[115, 105, 95, 85, 75, 65, 55], rebased_to=5)
    return story.history()
