"""Which agent made a commit, and how we know.

The author field does not identify agents in real deployments, so the order is:
subject prefix (after stripping leading emoji) -> body signature -> heartbeat (machine
liveness only, its payload is never attributed) -> channel-file ownership -> author map.
Heartbeats are recognised before the file-based rules because daemons sweep other agents'
files into their commits; those files say nothing about who was alive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.profiles import Profile
from lifebuoy.diagnostics.engine.repo import RawCommit

SUBJECT_PREFIX = "subject_prefix"
BODY_SIGNATURE = "body_signature"
CHANNEL_FILE = "channel_file"
AUTHOR_MAP = "author_map"
HEARTBEAT = "heartbeat"
MACHINE_PREFIX = "machine_prefix"
UNATTRIBUTED = "none"

_LEADING_NOISE = re.compile(r"^[^\w\[(]+")
_PREFIX_LENGTH = 48


@dataclass(frozen=True, slots=True)
class Attribution:
    agent: str | None
    method: str
    detail: str = ""
    machine: str | None = None

    @property
    def is_heartbeat(self) -> bool:
        return self.method == HEARTBEAT


def strip_leading_symbols(subject: str) -> str:
    """``"🏆 C3 Deep Scan: x"`` -> ``"C3 Deep Scan: x"``."""
    return _LEADING_NOISE.sub("", subject)


class Attributor:
    def __init__(self, profile: Profile, paths: PathClassifier) -> None:
        self.profile = profile
        self.paths = paths
        names: dict[str, str] = {}
        for trinity in profile.trinities:
            names[trinity.label.upper()] = trinity.id
            names[trinity.id.upper()] = trinity.id
            for token in trinity.tokens:
                names[token] = trinity.id
        self._trinity_names = names
        words = "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))
        self._trinity_word = re.compile(rf"(?<![\w-])({words})(?![\w])", re.IGNORECASE)

    def attribute(self, commit: RawCommit) -> Attribution:
        subject = strip_leading_symbols(commit.subject)
        for pattern in self.profile.subject_patterns:
            match = pattern.match(subject)
            if match is not None:
                return self._from_match(match, subject, commit, SUBJECT_PREFIX)
        machine = self._machine(subject)
        if commit.body:
            for pattern in self.profile.body_patterns:
                found = pattern.search(commit.body)
                if found is not None:
                    return self._from_match(found, found.group(0), commit, BODY_SIGNATURE, machine)
        for pattern in self.profile.heartbeat_patterns:
            beat = pattern.match(subject)
            if beat is not None:
                return Attribution(None, HEARTBEAT, beat.group(0), beat["machine"])
        return self._from_files_or_author(commit, machine)

    def _from_files_or_author(self, commit: RawCommit, machine: str | None) -> Attribution:
        owners = set()
        for path in commit.files:
            info = self.paths.classify(path)
            if info is not None and info.owner is not None:
                owners.add(info.owner)
        if len(owners) == 1:
            owner = owners.pop()
            return Attribution(owner, CHANNEL_FILE, f"only {owner}'s files", machine)
        author_map = self.profile.author_map
        for key in (commit.author_email.lower(), commit.author_name.lower()):
            if key and key in author_map:
                return Attribution(author_map[key], AUTHOR_MAP, key, machine)
        return Attribution(None, MACHINE_PREFIX if machine else UNATTRIBUTED, "", machine)

    def _machine(self, subject: str) -> str | None:
        for pattern in self.profile.machine_patterns:
            match = pattern.match(subject)
            if match is not None:
                return " ".join(match["machine"].split())
        return None

    def _from_match(
        self,
        match: re.Match[str],
        text: str,
        commit: RawCommit,
        method: str,
        machine: str | None = None,
    ) -> Attribution:
        groups = match.groupdict()
        role = match["role"].upper()
        trinity = self._trinity(groups.get("trinity"), text, commit)
        return Attribution(
            f"{trinity}/{role}", method, match.group(0).strip(), groups.get("machine") or machine
        )

    def _trinity(self, named: str | None, text: str, commit: RawCommit) -> str:
        if named:
            found = self._trinity_names.get(named.upper())
            if found:
                return found
        prefix = text.split(":", 1)[0][:_PREFIX_LENGTH]
        word = self._trinity_word.search(prefix)
        if word is not None:
            return self._trinity_names[word.group(1).upper()]
        if len(self.profile.trinities) > 1:
            seen = {self.paths.trinity_of(p) for p in commit.files if self.paths.classify(p)}
            if len(seen) == 1:
                return seen.pop()
        return self.profile.default_trinity
