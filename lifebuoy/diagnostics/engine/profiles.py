"""Protocol profiles: how one deployment lays out its files and names its agents.

Built-in profiles live in ``profiles/*.yaml``; a customer may pass a YAML file of their own,
usually ``extends: dual-trinity`` plus the keys that differ. Loading validates everything and
raises ``ProfileError`` with one readable sentence.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

import yaml

from lifebuoy.diagnostics.engine.timeutil import parse_duration, parse_size

PROFILE_DIR = Path(__file__).with_name("profiles")
DEFAULT_PROFILE = "dual-trinity"
DUTIES = ("coordinator", "builder", "validator")
SCOPES = ("branch", "all-branches")
_TOP_KEYS = {
    "extends",
    "name",
    "description",
    "scope",
    "trinities",
    "default_trinity",
    "roles",
    "allowed_pairs",
    "paths",
    "placeholders",
    "words",
    "attribution",
    "thresholds",
    "strict_protocol",
}
_PATH_KEYS = {
    "channel",
    "status",
    "heartbeat",
    "consolidation",
    "hub_input",
    "owned",
    "documents",
    "work_claims",
    "work_queue",
    "reports",
}
_WORD_KEYS = {"consolidation", "conflict", "validation", "report", "completion"}
_ATTRIBUTION_KEYS = {"subject", "after_symbol", "body", "machine", "heartbeat", "author_map"}
_DURATIONS = (
    "agent_offline",
    "machine_offline",
    "c3_validation_within",
    "report_validation_grace",
    "consolidation_slow",
    "task_slow",
    "edit_collision_window",
    "work_order_pickup",
    "branch_stale",
)
# The strict coordination protocol's limits, by the names PROTOCOL.md gives them.
STRICT_DEFAULTS = {
    "c1_offline_emergency": "30m",  # C1 offline long enough for C1_OFFLINE_EMERGENCY
    "claim_heartbeat_stale": "10m",  # a claimed work order is auto-released to PENDING
    "heartbeat_timeout_cloud": "2m",
    "heartbeat_timeout_local": "10m",
}
_PAIR = re.compile(r"^\s*(C[1-3])\s*->\s*(C[1-3])\s*$")

Pattern = re.Pattern[str]
_NEVER = re.compile(r"(?!)")  # a word list left out matches nothing


class ProfileError(ValueError):
    """A profile that cannot be used; the message is one sentence for the user."""


@dataclass(frozen=True)
class Trinity:
    id: str
    label: str
    root: str
    tokens: tuple[str, ...]


@dataclass(frozen=True)
class OwnedPath:
    pattern: Pattern
    agent: str


@dataclass(frozen=True)
class Thresholds:
    agent_offline: timedelta
    machine_offline: timedelta
    c3_validation_within: timedelta
    report_validation_grace: timedelta
    consolidation_slow: timedelta
    task_slow: timedelta
    edit_collision_window: timedelta
    work_order_pickup: timedelta
    branch_stale: timedelta
    git_size: int
    task_size_words: int
    monthly_budget: float | None
    cost_spike_factor: float


@dataclass(frozen=True)
class StrictProtocol:
    """Limits of the strict coordination protocol, for deployments that follow it."""

    c1_offline_emergency: timedelta
    claim_heartbeat_stale: timedelta
    heartbeat_timeout_cloud: timedelta
    heartbeat_timeout_local: timedelta
    cloud_trinities: frozenset[str]  # trinities run in the cloud; the rest are local


@dataclass(frozen=True)
class Profile:
    name: str
    description: str
    source: str
    scope: str
    trinities: tuple[Trinity, ...]
    default_trinity: str
    role_names: Mapping[str, str]
    duties: Mapping[str, str]  # duty -> role, e.g. "validator" -> "C3"
    allowed_pairs: frozenset[tuple[str, str]]
    channel: Pattern
    status_files: tuple[Pattern, ...]
    heartbeat_files: tuple[Pattern, ...]
    consolidation_files: tuple[Pattern, ...]
    hub_inputs: tuple[Pattern, ...]
    work_claims: tuple[Pattern, ...]  # claimed (in progress) work orders
    owned: tuple[OwnedPath, ...]
    documents: tuple[Pattern, ...]
    work_queue: tuple[Pattern, ...]  # open work orders (pending, active) of a work queue
    report_files: tuple[Pattern, ...]  # files written to report to the coordinator
    placeholders: tuple[Pattern, ...]
    consolidation_words: Pattern
    conflict_words: Pattern
    validation_words: Pattern
    report_words: Pattern
    completion_words: Pattern
    subject_patterns: tuple[Pattern, ...]
    after_symbol_patterns: tuple[Pattern, ...]  # tried only when the subject began with an emoji
    body_patterns: tuple[Pattern, ...]
    machine_patterns: tuple[Pattern, ...]
    heartbeat_patterns: tuple[Pattern, ...]
    author_map: Mapping[str, str]
    thresholds: Thresholds
    strict: StrictProtocol | None = None  # None: the strict protocol does not apply

    @property
    def agents(self) -> tuple[str, ...]:
        return tuple(f"{t.id}/{role}" for t in self.trinities for role in self.role_names)

    @property
    def coordinator(self) -> str:
        return self.duties["coordinator"]

    @property
    def builder(self) -> str:
        return self.duties["builder"]

    @property
    def validator(self) -> str:
        return self.duties["validator"]

    def agent_label(self, agent: str) -> str:
        trinity_id, _, role = agent.partition("/")
        if len(self.trinities) == 1:
            return role
        label = next((t.label for t in self.trinities if t.id == trinity_id), trinity_id)
        return f"{label} {role}"


def builtin_names() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.yaml"))


def load_profile(name_or_file: str | None = None) -> Profile:
    """A built-in profile by name, or a customer's YAML file by path."""
    reference = name_or_file or DEFAULT_PROFILE
    raw, source = _load_raw(reference, seen=())
    return _build(raw, source)


def _load_raw(reference: str, seen: tuple[str, ...]) -> tuple[dict[str, Any], str]:
    if reference in seen:
        raise ProfileError(f"Profile '{reference}' extends itself in a loop.")
    path, source = _locate(reference)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ProfileError(f"Profile file '{reference}' cannot be read ({exc}).") from exc
    except yaml.YAMLError as exc:
        raise ProfileError(f"Profile '{reference}' is not valid YAML ({_one_line(exc)}).") from exc
    if not isinstance(data, dict):
        raise ProfileError(f"Profile '{reference}' must be a YAML mapping of settings.")
    parent = data.pop("extends", None)
    if parent is None:
        return data, source
    if not isinstance(parent, str):
        raise ProfileError(f"Profile '{reference}': 'extends' must name a built-in profile.")
    base, _ = _load_raw(parent, (*seen, reference))
    return _merge(base, data), source


def _locate(reference: str) -> tuple[Path, str]:
    builtin = PROFILE_DIR / f"{reference}.yaml"
    if "/" not in reference and not reference.endswith((".yaml", ".yml")) and builtin.is_file():
        return builtin, f"built-in:{reference}"
    path = Path(reference)
    if path.is_file():
        return path, str(path)
    names = ", ".join(builtin_names())
    raise ProfileError(f"No profile named '{reference}': use one of {names} or a YAML file path.")


def _merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split())


class _Reader:
    """Typed access to the raw mapping, turning every mistake into one sentence."""

    def __init__(self, raw: Mapping[str, Any], source: str) -> None:
        self.raw = raw
        self.source = source

    def fail(self, key: str, expectation: str) -> ProfileError:
        return ProfileError(f"Profile '{self.source}': '{key}' {expectation}.")

    def get(self, dotted: str) -> Any:
        node: Any = self.raw
        for part in dotted.split("."):
            if not isinstance(node, Mapping) or part not in node:
                raise self.fail(dotted, "is missing")
            node = node[part]
        return node

    def text(self, dotted: str) -> str:
        value = self.get(dotted)
        if not isinstance(value, str) or not value.strip():
            raise self.fail(dotted, "must be a non-empty text")
        return value

    def regex(self, dotted: str, value: Any = None, groups: tuple[str, ...] = ()) -> Pattern:
        value = self.get(dotted) if value is None else value
        if not isinstance(value, str):
            raise self.fail(dotted, "must be a regular expression written as text")
        try:
            pattern = re.compile(value)
        except re.error as exc:
            raise self.fail(dotted, f"is not a valid regular expression ({exc})") from exc
        missing = [g for g in groups if g not in pattern.groupindex]
        if missing:
            raise self.fail(dotted, f"needs a named group (?P<{missing[0]}>...)")
        return pattern

    def regexes(self, dotted: str, groups: tuple[str, ...] = ()) -> tuple[Pattern, ...]:
        values = self.get(dotted)
        if not isinstance(values, list):
            raise self.fail(dotted, "must be a list of regular expressions")
        return tuple(self.regex(f"{dotted}[{i}]", v, groups) for i, v in enumerate(values))

    def known_keys(self, dotted: str, allowed: set[str]) -> None:
        node = self.raw if not dotted else self.get(dotted)
        if not isinstance(node, Mapping):
            raise self.fail(dotted, "must be a mapping")
        unknown = sorted(set(node) - allowed)
        if unknown:
            where = f"'{dotted}'" if dotted else "the top level"
            raise ProfileError(
                f"Profile '{self.source}': unknown setting '{unknown[0]}' in {where}; "
                f"expected one of {', '.join(sorted(allowed))}."
            )


def _build(raw: dict[str, Any], source: str) -> Profile:
    reader = _Reader(raw, source)
    reader.known_keys("", _TOP_KEYS)
    for section, keys in (("paths", _PATH_KEYS), ("words", _WORD_KEYS)):
        reader.known_keys(section, keys)
    reader.known_keys("attribution", _ATTRIBUTION_KEYS)
    scope = reader.text("scope")
    if scope not in SCOPES:
        raise reader.fail("scope", f"must be one of {', '.join(SCOPES)}")
    trinities = _trinities(reader)
    role_names, duties = _roles(reader)
    default_trinity = reader.text("default_trinity")
    if default_trinity not in {t.id for t in trinities}:
        raise reader.fail("default_trinity", "must be the id of one of the trinities")
    agents = {f"{t.id}/{role}" for t in trinities for role in role_names}
    return Profile(
        name=reader.text("name"),
        description=str(raw.get("description", "")),
        source=source,
        scope=scope,
        trinities=trinities,
        default_trinity=default_trinity,
        role_names=role_names,
        duties=duties,
        allowed_pairs=_pairs(reader),
        channel=reader.regex("paths.channel", groups=("from", "to")),
        status_files=reader.regexes("paths.status"),
        heartbeat_files=reader.regexes("paths.heartbeat"),
        consolidation_files=reader.regexes("paths.consolidation"),
        hub_inputs=reader.regexes("paths.hub_input"),
        work_claims=reader.regexes("paths.work_claims")
        if _has(raw, "paths", "work_claims")
        else (),
        owned=_owned(reader, agents),
        documents=reader.regexes("paths.documents"),
        work_queue=reader.regexes("paths.work_queue") if _has(raw, "paths", "work_queue") else (),
        report_files=reader.regexes("paths.reports") if _has(raw, "paths", "reports") else (),
        placeholders=reader.regexes("placeholders"),
        consolidation_words=reader.regex("words.consolidation"),
        conflict_words=reader.regex("words.conflict"),
        validation_words=reader.regex("words.validation"),
        report_words=reader.regex("words.report") if _has(raw, "words", "report") else _NEVER,
        completion_words=reader.regex("words.completion")
        if _has(raw, "words", "completion")
        else _NEVER,
        subject_patterns=reader.regexes("attribution.subject", groups=("role",)),
        after_symbol_patterns=reader.regexes("attribution.after_symbol", groups=("role",))
        if _has(raw, "attribution", "after_symbol")
        else (),
        body_patterns=reader.regexes("attribution.body", groups=("role",)),
        machine_patterns=reader.regexes("attribution.machine", groups=("machine",)),
        heartbeat_patterns=reader.regexes("attribution.heartbeat", groups=("machine",)),
        author_map=_author_map(reader, agents),
        thresholds=_thresholds(reader),
        strict=_strict(reader, {t.id for t in trinities}),
    )


def _has(raw: Mapping[str, Any], section: str, key: str) -> bool:
    node = raw.get(section)
    return isinstance(node, Mapping) and key in node


def _strict(reader: _Reader, trinities: set[str]) -> StrictProtocol | None:
    """``strict_protocol``: absent or null when it does not apply; a mapping (``{}`` for the
    defaults) when it does."""
    raw = reader.raw.get("strict_protocol")
    if raw is None:
        return None
    reader.known_keys("strict_protocol", {*STRICT_DEFAULTS, "cloud_trinities"})
    settings = {**STRICT_DEFAULTS, **raw}
    limits: dict[str, timedelta] = {}
    for key in STRICT_DEFAULTS:
        try:
            limits[key] = parse_duration(settings[key])
        except ValueError:
            raise reader.fail(
                f"strict_protocol.{key}", "must be a duration like '10m' or '2m'"
            ) from None
    cloud = settings.get("cloud_trinities", ["cloud"])
    if not isinstance(cloud, list) or not set(map(str, cloud)) <= trinities:
        raise reader.fail("strict_protocol.cloud_trinities", "must list ids of the trinities")
    return StrictProtocol(**limits, cloud_trinities=frozenset(map(str, cloud)))


def _trinities(reader: _Reader) -> tuple[Trinity, ...]:
    items = reader.get("trinities")
    if not isinstance(items, list) or not items:
        raise reader.fail("trinities", "must be a non-empty list")
    trinities = []
    for index, item in enumerate(items):
        key = f"trinities[{index}]"
        if not isinstance(item, Mapping) or not isinstance(item.get("id"), str):
            raise reader.fail(key, "must be a mapping with an 'id'")
        root = item.get("root", "")
        tokens = item.get("tokens", [])
        if not isinstance(root, str) or not isinstance(tokens, list):
            raise reader.fail(key, "needs 'root' as text and 'tokens' as a list")
        trinities.append(
            Trinity(
                id=item["id"],
                label=str(item.get("label", item["id"])),
                root=root,
                tokens=tuple(str(t).upper() for t in tokens),
            )
        )
    if len({t.id for t in trinities}) != len(trinities):
        raise reader.fail("trinities", "must have distinct ids")
    return tuple(trinities)


def _roles(reader: _Reader) -> tuple[dict[str, str], dict[str, str]]:
    roles = reader.get("roles")
    if not isinstance(roles, Mapping) or set(roles) != {"C1", "C2", "C3"}:
        raise reader.fail("roles", "must describe exactly C1, C2 and C3")
    names: dict[str, str] = {}
    duties: dict[str, str] = {}
    for role, spec in sorted(roles.items()):
        if not isinstance(spec, Mapping) or spec.get("duty") not in DUTIES:
            raise reader.fail(f"roles.{role}", f"needs a 'duty', one of {', '.join(DUTIES)}")
        names[role] = str(spec.get("name", spec["duty"]))
        duties[spec["duty"]] = role
    if set(duties) != set(DUTIES):
        raise reader.fail("roles", "must give each duty (coordinator, builder, validator) once")
    return names, duties


def _pairs(reader: _Reader) -> frozenset[tuple[str, str]]:
    values = reader.get("allowed_pairs")
    if not isinstance(values, list):
        raise reader.fail("allowed_pairs", 'must be a list like ["C1->C2"]')
    pairs = set()
    for index, value in enumerate(values):
        match = _PAIR.match(str(value))
        if match is None:
            raise reader.fail(f"allowed_pairs[{index}]", 'must look like "C1->C2"')
        pairs.add((match.group(1), match.group(2)))
    return frozenset(pairs)


def _owned(reader: _Reader, agents: set[str]) -> tuple[OwnedPath, ...]:
    items = reader.get("paths.owned")
    if not isinstance(items, list):
        raise reader.fail("paths.owned", "must be a list of {pattern, agent}")
    owned = []
    for index, item in enumerate(items):
        key = f"paths.owned[{index}]"
        if not isinstance(item, Mapping) or item.get("agent") not in agents:
            raise reader.fail(f"{key}.agent", f"must be one of {', '.join(sorted(agents))}")
        owned.append(OwnedPath(reader.regex(f"{key}.pattern", item.get("pattern")), item["agent"]))
    return tuple(owned)


def _author_map(reader: _Reader, agents: set[str]) -> dict[str, str]:
    mapping = reader.get("attribution.author_map") or {}
    if not isinstance(mapping, Mapping):
        raise reader.fail("attribution.author_map", "must map author names or e-mails to agents")
    for author, agent in mapping.items():
        if agent not in agents:
            raise reader.fail(
                f"attribution.author_map.{author}", f"must be one of {', '.join(sorted(agents))}"
            )
    return {str(k).lower(): str(v) for k, v in mapping.items()}


def _thresholds(reader: _Reader) -> Thresholds:
    reader.known_keys(
        "thresholds",
        {*_DURATIONS, "git_size", "task_size_words", "monthly_budget", "cost_spike_factor"},
    )
    durations: dict[str, timedelta] = {}
    for key in _DURATIONS:
        try:
            durations[key] = parse_duration(reader.get(f"thresholds.{key}"))
        except ValueError:
            raise reader.fail(
                f"thresholds.{key}", "must be a duration like '2h' or '30m'"
            ) from None
    try:
        git_size = parse_size(reader.get("thresholds.git_size"))
    except ValueError:
        raise reader.fail("thresholds.git_size", "must be a size like '1GB' or '500MB'") from None
    words = reader.get("thresholds.task_size_words")
    if not isinstance(words, int) or isinstance(words, bool) or words <= 0:
        raise reader.fail("thresholds.task_size_words", "must be a positive whole number")
    budget = reader.get("thresholds.monthly_budget")
    if budget is not None and (not isinstance(budget, int | float) or budget <= 0):
        raise reader.fail("thresholds.monthly_budget", "must be a positive amount or null")
    spike = reader.get("thresholds.cost_spike_factor")
    if not isinstance(spike, int | float) or spike <= 1:
        raise reader.fail("thresholds.cost_spike_factor", "must be a number above 1")
    return Thresholds(
        **durations,
        git_size=git_size,
        task_size_words=words,
        monthly_budget=None if budget is None else float(budget),
        cost_spike_factor=float(spike),
    )
