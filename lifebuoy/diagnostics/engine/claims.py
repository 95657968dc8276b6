"""What status and heartbeat files claim: who is online or not, how many, and as of when.

Read from markdown status tables (a trinity's status page, hub pages, dashboards), from
``**Last Updated:**``-style lines, and from JSON self-reports: a daemon's heartbeat file, a
per-agent status file, or a hub report such as ``TRINITY_HUB.json`` with per-agent status,
last heartbeat and the number of instances online. The claims are compared with git by the
``status_contradictions`` check; nothing here judges them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lifebuoy.diagnostics.engine.machines import machine_name
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.timeutil import parse_instant

ONLINE = "online"
OFFLINE = "offline"
AGENT = "agent"
MACHINE = "machine"

# "Not active" is a claim of absence: the negative forms are looked for first.
_SAYS_OFFLINE = re.compile(
    r"(?i)\b(?:offline|not\s+(?:yet\s+)?(?:activated|active|responsive|responding|online|running)"
    r"|never\s+activated|awaiting\s+activation|unresponsive|inactive|shut\s*down|dead)\b"
)
_SAYS_ONLINE = re.compile(r"(?i)🟢|\b(?:online|active|alive|running|operational)\b")
_ONLINE_WORDS = {"online", "active", "alive", "running", "up", "ok", "healthy", "operational"}
_OFFLINE_WORDS = {
    "offline",
    "inactive",
    "down",
    "dead",
    "not_activated",
    "not activated",
    "not_responsive",
    "not responsive",
    "unresponsive",
    "stopped",
}
_ROLE = re.compile(r"(?<![\w-])(C[1-3])(?![0-9])", re.IGNORECASE)
_MACHINE = re.compile(r"(?i)^\s*((?:T|PC|CP)\d+|Computer\s+\d+)\s*$")
_INSTANT = re.compile(
    r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:\s*(?:Z|UTC|[+-]\d{2}:?\d{2}))?"
)
_STAMP_LINE = re.compile(
    r"(?i)^\W*(?:last[\s_-]*updated?|updated(?:[\s_-]*at)?|timestamp|generated|as\s+of|"
    r"last[\s_-]*(?:heartbeat|seen|sync))\W*:"
)
_TIME_KEYS = (
    "last_heartbeat",
    "heartbeat",
    "last_seen",
    "last_update",
    "last_updated",
    "updated_at",
    "timestamp",
    "time",
)
_STATUS_KEYS = ("status", "state")
_AGENT_KEYS = ("agent", "role", "id", "name")
_INSTANCE_KEYS = (
    "instances_online",
    "online_instances",
    "agents_online",
    "online_agents",
    "active_instances",
)


@dataclass(frozen=True)
class Claim:
    """One thing a file says. ``who`` is an agent id or a machine name; ``state`` is
    ``online``, ``offline`` or ``None`` (a time only); ``stamp`` the time it is claimed as of,
    in the file's own words, with ``at`` parsed from it."""

    kind: str  # agent | machine
    who: str
    state: str | None
    text: str
    line: int | None = None
    stamp: str | None = None
    at: datetime | None = None


@dataclass(frozen=True)
class FileClaims:
    path: str
    claims: tuple[Claim, ...]
    stamp: tuple[str, datetime, int | None] | None = None  # the file's own "as of" time
    instances: tuple[int, str] | None = None  # claimed number online, as written

    def stamps(self) -> list[tuple[str, datetime, int | None]]:
        """Every time the file claims something as of: its own and its claims'."""
        found = [self.stamp] if self.stamp is not None else []
        found += [(c.stamp, c.at, c.line) for c in self.claims if c.stamp and c.at]
        return found


def read_claims(
    profile: Profile, path: str, text: str, trinity: str, *, heartbeat: bool = False
) -> FileClaims:
    """``heartbeat``: the file is a machine's heartbeat, so its own status is the machine's."""
    if path.lower().endswith(".json"):
        return _json_claims(profile, path, text, trinity, heartbeat)
    return _markdown_claims(profile, path, text, trinity)


def instant(text: str) -> tuple[str, datetime] | None:
    """The first date and time (to the minute at least) in ``text``."""
    found = _INSTANT.search(text)
    if found is None:
        return None
    raw = found.group(0)
    cleaned = re.sub(r"\s*UTC$", "Z", raw.strip()).replace(" ", "T", 1)
    try:
        return raw, parse_instant(
            re.sub(r"T(\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s+", r"T\1", cleaned)
        )
    except ValueError:
        return None


def state_of(text: str) -> str | None:
    if _SAYS_OFFLINE.search(text):
        return OFFLINE
    if _SAYS_ONLINE.search(text):
        return ONLINE
    return None


# -- markdown ---------------------------------------------------------------------------------


def _markdown_claims(profile: Profile, path: str, text: str, trinity: str) -> FileClaims:
    claims: list[Claim] = []
    file_stamp: tuple[str, datetime, int | None] | None = None
    columns: _Columns | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        if file_stamp is None and _STAMP_LINE.match(line):
            found = instant(line)
            if found is not None:
                file_stamp = (found[0], found[1], number)
        stripped = line.strip()
        if not stripped.startswith("|"):
            columns = None
            continue
        cells = [c.strip() for c in stripped.strip("|").split("|")]
        if len(cells) < 2:
            continue
        if columns is None and not _MACHINE.match(cells[0]) and not _ROLE.search(cells[0]):
            columns = _Columns.of(cells)
            continue
        claim = _row_claim(profile, cells, columns, trinity, line=stripped, number=number)
        if claim is not None:
            claims.append(claim)
    if file_stamp is not None:
        raw, at, _ = file_stamp
        claims = [c if c.at else _with_stamp(c, raw, at) for c in claims]
    return FileClaims(path, tuple(claims), file_stamp)


@dataclass(frozen=True)
class _Columns:
    """Which columns of a table hold the status and the times, from its header row."""

    status: int | None
    times: tuple[int, ...]

    @classmethod
    def of(cls, header: list[str]) -> _Columns:
        lowered = [c.lower() for c in header]
        status = next((i for i, c in enumerate(lowered) if "status" in c or "state" in c), None)
        times = tuple(
            i
            for i, c in enumerate(lowered)
            if any(w in c for w in ("last", "seen", "heartbeat", "updated", "time", "since"))
        )
        return cls(status, times)


def _row_claim(
    profile: Profile,
    cells: list[str],
    columns: _Columns | None,
    trinity: str,
    *,
    line: str,
    number: int,
) -> Claim | None:
    machine = _MACHINE.match(cells[0])
    role = _ROLE.search(cells[0]) if machine is None else None
    if machine is None and role is None and len(cells) > 2 and _trinity_in(profile, cells[0]):
        role = _ROLE.search(cells[1])  # | Cloud | C2 | ... |
    if machine is None and role is None:
        return None
    if columns is not None and columns.status is not None and columns.status < len(cells):
        state = state_of(cells[columns.status])
    else:
        state = next((s for c in cells[1:] if (s := state_of(c)) is not None), None)
    times = [cells[i] for i in columns.times if i < len(cells)] if columns else cells[1:]
    stamp = next((found for c in times if (found := instant(c)) is not None), None)
    if state is None and stamp is None:
        return None
    raw, at = stamp if stamp is not None else (None, None)
    if machine is not None:
        name = " ".join(machine.group(1).split())
        return Claim(MACHINE, name, state, line, number, raw, at)
    if role is None:
        return None
    named = _trinity_in(profile, " ".join(cells[:2])) or trinity
    return Claim(AGENT, f"{named}/{role.group(1).upper()}", state, line, number, raw, at)


def _with_stamp(claim: Claim, raw: str, at: datetime) -> Claim:
    return Claim(claim.kind, claim.who, claim.state, claim.text, claim.line, raw, at)


def _trinity_in(profile: Profile, text: str) -> str | None:
    """A trinity named in ``text`` by its id, label or one of its tokens, as a whole word."""
    if len(profile.trinities) == 1:
        return None
    for trinity in profile.trinities:
        names = {trinity.id, trinity.label, *trinity.tokens}
        for name in names:
            if name and re.search(rf"(?i)(?<![A-Za-z]){re.escape(name)}(?![A-Za-z])", text):
                return trinity.id
    return None


def path_trinity(profile: Profile, path: str, default: str) -> str:
    """The trinity a file speaks for: named in its path (``hub/from_cloud/status.md``), else
    the trinity whose folder holds it."""
    return _trinity_in(profile, path.replace("_", " ").replace("/", " ")) or default


# -- JSON -------------------------------------------------------------------------------------


def _json_claims(
    profile: Profile, path: str, text: str, trinity: str, heartbeat: bool
) -> FileClaims:
    try:
        data: Any = json.loads(text)
    except ValueError:
        return FileClaims(path, ())
    if not isinstance(data, dict):
        return FileClaims(path, ())
    claims: list[Claim] = []
    instances = None
    for node, context in _nodes(data, "", depth=0):
        stamp = _time_of(node)
        if instances is None:
            instances = _instances(node)
        agent = _agent_of(profile, node, context, trinity)
        if agent is None:
            continue
        state = _json_state(node)
        if state is None and stamp is None:
            continue
        raw, at = stamp if stamp is not None else (None, None)
        shown = f"{agent.partition('/')[2]}: {_shown(node)}"
        claims.append(Claim(AGENT, agent, state, shown, None, raw, at))
    if heartbeat or (not claims and ("status" in data or _time_of(data))):
        state = _json_state(data)
        stamp = _time_of(data)
        raw, at = stamp if stamp is not None else (None, None)
        machine = Claim(MACHINE, machine_name(data, path), state, _shown(data), None, raw, at)
        claims.insert(0, machine)
    top = _time_of(data)
    own = (top[0], top[1], None) if top is not None else None
    return FileClaims(path, tuple(claims), own, instances)


def _nodes(data: Any, context: str, depth: int) -> Iterator[tuple[dict[str, Any], str]]:
    """Every mapping in the document with the keys that lead to it (for an agent named only
    by its key: ``{"agents": {"C2": {...}}}``)."""
    if depth > 6:
        return
    if isinstance(data, dict):
        yield data, context
        for key, value in data.items():
            yield from _nodes(value, f"{context} {key}", depth + 1)
    elif isinstance(data, list):
        for item in data:
            yield from _nodes(item, context, depth + 1)


def _agent_of(profile: Profile, node: dict[str, Any], context: str, trinity: str) -> str | None:
    if _json_state(node) is None and _time_of(node) is None:
        return None
    named = next(
        (str(node[k]) for k in _AGENT_KEYS if isinstance(node.get(k), str) and node[k]), None
    )
    last_key = context.rsplit(" ", 1)[-1] if context else ""
    for text in (named, last_key):
        role = _ROLE.search(text) if text else None
        if role is not None:
            where = _trinity_in(profile, f"{context} {text}") or trinity
            return f"{where}/{role.group(1).upper()}"
    return None


def _json_state(node: dict[str, Any]) -> str | None:
    for key in _STATUS_KEYS:
        value = node.get(key)
        if isinstance(value, str):
            word = value.strip().lower()
            if word in _OFFLINE_WORDS:
                return OFFLINE
            if word in _ONLINE_WORDS:
                return ONLINE
            return state_of(value)
        if isinstance(value, bool):
            return ONLINE if value else OFFLINE
    for key in ("online", "active", "alive"):
        if isinstance(node.get(key), bool):
            return ONLINE if node[key] else OFFLINE
    return None


def _time_of(node: dict[str, Any]) -> tuple[str, datetime] | None:
    for key in _TIME_KEYS:
        value = node.get(key)
        if isinstance(value, str):
            found = instant(value)
            if found is not None:
                return value, found[1]
    return None


def _instances(node: dict[str, Any]) -> tuple[int, str] | None:
    for key in _INSTANCE_KEYS:
        value = node.get(key)
        if isinstance(value, bool):
            continue
        if isinstance(value, int):
            return value, f"{key}: {value}"
        if isinstance(value, list):
            return len(value), f"{key}: {json.dumps(value)[:80]}"
    return None


def _shown(node: dict[str, Any]) -> str:
    parts = [f"{k}: {node[k]}" for k in (*_STATUS_KEYS, *_TIME_KEYS) if k in node]
    return ", ".join(parts)[:160] or json.dumps(node)[:160]
