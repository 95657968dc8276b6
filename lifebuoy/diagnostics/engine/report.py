"""A report as stable JSON (see docs/doctor-json.md) or as text for a terminal (rich)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from lifebuoy.diagnostics.engine.findings import Evidence, Finding, Severity
from lifebuoy.diagnostics.engine.runner import Report
from lifebuoy.diagnostics.engine.snapshot import CommitRef
from lifebuoy.diagnostics.engine.status import (
    AgentStatus,
    MachineStatus,
    agent_statuses,
    machine_statuses,
)
from lifebuoy.diagnostics.engine.timeutil import human_duration, human_size, iso

SCHEMA_VERSION = 1
_STYLE = {Severity.CRITICAL: "bold red", Severity.WARNING: "yellow", Severity.INFO: "cyan"}
_STATUS_STYLE = {"online": "green", "offline": "red", "never_seen": "dim"}


def to_json(report: Report) -> dict[str, Any]:
    snapshot = report.snapshot
    history = snapshot.history
    counts = Counter(f.severity.value for f in report.findings)
    return {
        "schema_version": SCHEMA_VERSION,
        "now": iso(snapshot.now),
        "repository": {
            "path": snapshot.path,
            "bare": snapshot.is_bare,
            "shallow": snapshot.is_shallow,
            "work_tree": snapshot.has_work_tree,
            "refs": [{"name": n, "commit": c} for n, c in snapshot.tips.items()],
            "git_size_bytes": snapshot.git_size,
        },
        "profile": {"name": snapshot.profile.name, "source": snapshot.profile.source},
        "history": {
            "commits_read": history.commits_read,
            "commits_after_now": history.commits_after_now,
            "heartbeat_commits": history.heartbeat_commits,
            "unattributed_commits": history.unattributed_commits,
            "attribution_methods": dict(sorted(history.methods.items())),
        },
        "summary": {
            "worst": report.worst.value if report.worst else None,
            "critical": counts["critical"],
            "warning": counts["warning"],
            "info": counts["info"],
        },
        "agents": [_agent(s) for s in agent_statuses(snapshot)],
        "machines": [_machine(m) for m in machine_statuses(snapshot)],
        "findings": [_finding(f) for f in report.findings],
        "not_read": [{"what": n.what, "reason": n.reason} for n in snapshot.not_read],
    }


def _commit(ref: CommitRef | None) -> dict[str, Any] | None:
    if ref is None:
        return None
    return {"sha": ref.sha, "author_date": iso(ref.at), "subject": ref.subject}


def _seconds(status: AgentStatus | MachineStatus) -> int | None:
    return int(status.age.total_seconds()) if status.age is not None else None


def _agent(status: AgentStatus) -> dict[str, Any]:
    return {
        "id": status.agent,
        "label": status.label,
        "trinity": status.trinity,
        "role": status.role,
        "role_name": status.role_name,
        "status": status.status,
        "last_seen": iso(status.last.at) if status.last else None,
        "age_seconds": _seconds(status),
        "commit": _commit(status.last),
        "method": status.method,
        "commits": status.commits,
    }


def _machine(status: MachineStatus) -> dict[str, Any]:
    return {
        "name": status.machine,
        "status": status.status,
        "last_seen": iso(status.last.at) if status.last else None,
        "age_seconds": _seconds(status),
        "last_heartbeat": _commit(status.last_heartbeat),
        "heartbeats": status.heartbeats,
        "commits": status.commits,
    }


def _evidence(item: Evidence) -> dict[str, Any]:
    return {
        "kind": item.kind,
        "text": item.text,
        "commit": item.commit,
        "file": item.file,
        "line": item.line,
        "at": iso(item.at),
    }


def _finding(finding: Finding) -> dict[str, Any]:
    return {
        "check": finding.check,
        "category": finding.category.value,
        "severity": finding.severity.value,
        "summary": finding.summary,
        "evidence": [_evidence(e) for e in finding.evidence],
        "solutions": [
            {
                "title": s.title,
                "root_cause": s.root_cause,
                "steps": list(s.steps),
                "expected_time": s.expected_time,
            }
            for s in finding.solutions
        ],
        "kb_article": finding.kb_article,
    }


# -- text ------------------------------------------------------------------------------------


def render_text(report: Report, console: Console, *, solutions: bool = True) -> None:
    snapshot = report.snapshot
    history = snapshot.history
    refs = ", ".join(snapshot.tips) or "no commits"
    kind = "bare repository" if snapshot.is_bare else "repository"
    size = human_size(snapshot.git_size) if snapshot.git_size is not None else "unknown size"
    console.print(
        Text.assemble(
            ("Lifebuoy doctor", "bold"),
            f"  {kind} {snapshot.path} ({refs}), profile {snapshot.profile.name}, "
            f"as of {iso(snapshot.now)}\n",
            f"{history.commits_read} commits read ({history.heartbeat_commits} heartbeats, "
            f"{history.unattributed_commits} unattributed, {history.commits_after_now} after the "
            f"reference time ignored); .git {size}",
        )
    )
    console.print(_agents_table(report))
    machines = machine_statuses(snapshot)
    if machines:
        console.print(_machines_table(machines))
    for finding in report.findings:
        console.print(_finding_panel(finding))
    if solutions:
        _print_solutions(report, console)
    if snapshot.not_read:
        console.print(Text("Could not read:", style="bold"))
        for item in snapshot.not_read:
            console.print(Text(f"  - {item.what}: {item.reason}"))
    console.print(_verdict(report))


def _agents_table(report: Report) -> Table:
    table = Table(title="Agents", title_justify="left", expand=False)
    for column in ("agent", "role", "status", "last seen", "proof", "method", "commits"):
        table.add_column(column)
    for status in agent_statuses(report.snapshot):
        age = f"{human_duration(status.age)} ago" if status.age is not None else "never"
        proof = f"{status.last.short} {status.last.subject[:40]}" if status.last else ""
        table.add_row(
            status.label,
            status.role_name,
            Text(status.status, style=_STATUS_STYLE.get(status.status, "")),
            age,
            proof,
            status.method or "",
            str(status.commits),
        )
    return table


def _machines_table(machines: list[MachineStatus]) -> Table:
    table = Table(title="Machines", title_justify="left", expand=False)
    for column in ("machine", "status", "last seen", "heartbeats", "commits"):
        table.add_column(column)
    for m in machines:
        age = f"{human_duration(m.age)} ago" if m.age is not None else "never"
        table.add_row(
            m.machine,
            Text(m.status, style=_STATUS_STYLE.get(m.status, "")),
            age,
            str(m.heartbeats),
            str(m.commits),
        )
    return table


def _print_solutions(report: Report, console: Console) -> None:
    """Each check's remedies once, for checks with something at warning or above."""
    shown: set[str] = set()
    for finding in report.findings:
        if finding.check in shown or finding.severity.rank < Severity.WARNING.rank:
            continue
        shown.add(finding.check)
        lines: list[Text] = []
        for solution in finding.solutions:
            lines.append(Text(f"➜ {solution.title} ({solution.expected_time})", style="green"))
            lines.append(Text(f"  cause: {solution.root_cause}"))
            lines.extend(Text(f"  {n}. {step}") for n, step in enumerate(solution.steps, 1))
        if finding.kb_article:
            lines.append(Text(f"  knowledge base: {finding.kb_article}"))
        if lines:
            title = f"What to do · {finding.check}"
            console.print(Panel(Group(*lines), title=title, title_align="left"))


def _finding_panel(finding: Finding) -> Panel:
    lines: list[Text] = [Text(finding.summary)]
    for item in finding.evidence:
        where = " ".join(
            part
            for part in (
                item.commit[:10] if item.commit else "",
                f"{item.file}:{item.line}" if item.file and item.line else item.file or "",
            )
            if part
        )
        lines.append(Text(f"  • {where + ' ' if where else ''}{item.text}", style="dim"))
    title = f"{finding.severity.value.upper()} · {finding.category.value} · {finding.check}"
    return Panel(
        Group(*lines), title=title, title_align="left", border_style=_STYLE[finding.severity]
    )


def _verdict(report: Report) -> Text:
    counts = Counter(f.severity for f in report.findings)
    text = (
        f"{counts[Severity.CRITICAL]} critical, {counts[Severity.WARNING]} warning, "
        f"{counts[Severity.INFO]} info."
    )
    style = _STYLE[report.worst] if report.worst else "green"
    return Text(text, style=f"bold {style}")
