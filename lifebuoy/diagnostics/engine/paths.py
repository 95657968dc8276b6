"""What a path in the repository means under a profile: channel, status file, hub file ..."""

from __future__ import annotations

import re
from dataclasses import dataclass

from lifebuoy.diagnostics.engine.profiles import Profile

_CACHE_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class PathInfo:
    path: str
    trinity: str  # the trinity whose root holds the file, else the profile's default
    kind: str | None = None  # channel kind: task, report, validation_request, ...
    sender: str | None = None  # agent id that should write a channel file
    addressee: str | None = None  # agent id a channel file is addressed to
    owner: str | None = None  # agent id owning the file (channel sender or an owned path)
    is_status: bool = False
    is_heartbeat_file: bool = False
    is_consolidation: bool = False
    is_hub_input: bool = False
    pair: tuple[str, str] | None = None  # (sender role, addressee role) of a channel
    touch_only: bool = False  # only the time of the last write matters (status, heartbeat)
    is_channel: bool = False
    is_claim: bool = False  # a claimed work order (strict protocol)


def channel_kind(profile: Profile, sender_role: str, addressee_role: str) -> str:
    duties = {role: duty for duty, role in profile.duties.items()}
    pair = (duties.get(sender_role), duties.get(addressee_role))
    return {
        ("coordinator", "builder"): "task",
        ("builder", "coordinator"): "report",
        ("coordinator", "validator"): "validation_request",
        ("validator", "coordinator"): "validation_report",
    }.get(pair, "direct")  # type: ignore[arg-type]  # a pair of optional duties is a valid key


class PathClassifier:
    """Classifies paths once and remembers the answer (the memory is bounded)."""

    def __init__(self, profile: Profile) -> None:
        self.profile = profile
        self._roots = sorted(
            ((t.root, t.id) for t in profile.trinities if t.root), key=lambda r: -len(r[0])
        )
        patterns = [profile.channel.pattern]
        for group in (
            profile.status_files,
            profile.heartbeat_files,
            profile.consolidation_files,
            profile.hub_inputs,
            profile.work_claims,
        ):
            patterns.extend(p.pattern for p in group)
        patterns.extend(o.pattern.pattern for o in profile.owned)
        self._any = re.compile(
            "|".join(f"(?:{_without_flags(p)})" for p in patterns), re.IGNORECASE
        )
        self._cache: dict[str, PathInfo | None] = {}

    def trinity_of(self, path: str) -> str:
        return self.root_trinity(path) or self.profile.default_trinity

    def root_trinity(self, path: str) -> str | None:
        """The trinity whose root folder holds ``path``, if any."""
        for root, trinity in self._roots:
            if path.startswith(root):
                return trinity
        return None

    def classify(self, path: str) -> PathInfo | None:
        """``None`` for files that play no part in coordination."""
        try:
            return self._cache[path]
        except KeyError:
            pass
        info = self._classify(path) if self._any.search(path) else None
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[path] = info
        return info

    def _classify(self, path: str) -> PathInfo | None:
        profile = self.profile
        trinity = self.trinity_of(path)
        kind = sender = addressee = owner = None
        pair = None
        channel = profile.channel.search(path)
        if channel is not None:
            from_role, to_role = f"C{channel['from']}", f"C{channel['to']}"
            pair = (from_role, to_role)
            sender, addressee = f"{trinity}/{from_role}", f"{trinity}/{to_role}"
            kind = channel_kind(profile, from_role, to_role)
            owner = sender
        for owned in profile.owned:
            if owner is None and owned.pattern.search(path):
                owner = owned.agent
        consolidation = any(p.search(path) for p in profile.consolidation_files)
        hub_input = any(p.search(path) for p in profile.hub_inputs)
        info = PathInfo(
            path=path,
            trinity=trinity,
            kind=kind,
            sender=sender,
            addressee=addressee,
            owner=owner,
            is_status=any(p.search(path) for p in profile.status_files),
            is_heartbeat_file=any(p.search(path) for p in profile.heartbeat_files),
            is_consolidation=consolidation,
            is_hub_input=hub_input,
            pair=pair,
            touch_only=kind is None and not consolidation and not hub_input,
            is_channel=kind is not None,
            is_claim=any(p.search(path) for p in profile.work_claims),
        )
        useful = (
            info.is_channel
            or owner
            or info.is_status
            or info.is_heartbeat_file
            or info.is_consolidation
            or info.is_hub_input
            or info.is_claim
        )
        return info if useful else None


def _without_flags(pattern: str) -> str:
    """Inline flags like ``(?i)`` must lead a whole pattern, so drop them when combining."""
    return re.sub(r"^\(\?[aiLmsux]+\)", "", pattern)
