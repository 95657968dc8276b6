"""Which agent made a commit, and how we know.

The author field does not identify agents in real deployments, so the order is:
subject prefix (after stripping leading emoji) -> body signature -> heartbeat (machine
liveness only, its payload is never attributed) -> channel-file ownership -> author map.
Heartbeats are recognised before the file-based rules because daemons sweep other agents'
files into their commits; those files say nothing about who was alive.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from lifebuoy.diagnostics.engine.git_types import RawCommit
from lifebuoy.diagnostics.engine.paths import PathClassifier
from lifebuoy.diagnostics.engine.profiles import Profile

SUBJECT_PREFIX = "subject_prefix"
BODY_SIGNATURE = "body_signature"
CHANNEL_FILE = "channel_file"
AUTHOR_MAP = "author_map"
HEARTBEAT = "heartbeat"
MACHINE_PREFIX = "machine_prefix"
UNATTRIBUTED = "none"

_LEADING_NOISE = re.compile(r"^[^\w\[(]+")
# A machine label in brackets that opens a subject: "[PC2]", "[PC2→HUB]", "[T1 -> PC3]".
_MACHINE_BRACKET = re.compile(
    r"(?i)^\[\s*(?P<machine>(?:T|PC|CP)\d+|Computer\s+\d+)\s*(?:(?:→|->|=>)[^\]]*)?\]\s*"
)
# A machine token inside an agent's prefix: "C3 T1:", "Cloud C2 PC1:".
_MACHINE_TOKEN = re.compile(r"(?i)(?<![\w])((?:T|PC|CP)\d+)(?![\w])")
_PREFIX_LENGTH = 48
_SUBJECT_CACHE = 20_000


class _Subject(NamedTuple):
    role: str | None
    trinity: str | None
    text: str
    machine: str | None
    beat: Attribution | None  # the whole answer for a heartbeat subject
    fixed: Attribution | None = None  # the whole answer when the subject names the trinity


class Attribution(NamedTuple):
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
        self._subjects: dict[str, _Subject] = {}
        self._by_files: dict[tuple[str, ...], str] = {}

    def attribute(self, commit: RawCommit) -> Attribution:
        read = self._subjects.get(commit.subject)
        if read is None:
            read = self._read_subject(commit.subject)
            if len(self._subjects) >= _SUBJECT_CACHE:
                self._subjects.clear()
            self._subjects[commit.subject] = read
        if read.fixed is not None:
            return read.fixed
        if read.role is not None:
            trinity = self._trinity_from_files(commit)
            return Attribution(f"{trinity}/{read.role}", SUBJECT_PREFIX, read.text, read.machine)
        if commit.body:
            for pattern in self.profile.body_patterns:
                found = pattern.search(commit.body)
                if found is not None:
                    named = found.groupdict().get("trinity")
                    signed = self._named_trinity(named, found.group(0))
                    agent = f"{signed or self._trinity_from_files(commit)}/{found['role'].upper()}"
                    return Attribution(agent, BODY_SIGNATURE, found.group(0).strip(), read.machine)
        if read.beat is not None:
            return read.beat
        return self._from_files_or_author(commit, read.machine)

    def _read_subject(self, raw: str) -> _Subject:
        """Everything the subject alone says; cached, since subjects repeat a lot.

        A leading machine label in brackets names the machine and is set aside, so the agent
        named after it is still read (``[PC2] C3: validated``). Patterns for a role right
        after an emoji (``📋 C2 session complete``) apply only when the subject began with
        one: without the symbol, such a subject reads as prose.
        """
        subject = strip_leading_symbols(raw)
        after_symbol = _has_emoji(raw[: len(raw) - len(subject)])
        bracket = _MACHINE_BRACKET.match(subject)
        labelled = " ".join(bracket["machine"].split()) if bracket is not None else None
        if bracket is not None:
            rest = subject[bracket.end() :]
            subject = strip_leading_symbols(rest)
            after_symbol = after_symbol or _has_emoji(rest[: len(rest) - len(subject)])
        patterns = self.profile.subject_patterns
        if after_symbol:
            patterns = patterns + self.profile.after_symbol_patterns
        for pattern in patterns:
            match = pattern.match(subject)
            if match is not None:
                groups = match.groupdict()
                trinity = self._named_trinity(groups.get("trinity"), subject)
                role, text = match["role"].upper(), match.group(0).strip()
                machine = groups.get("machine") or labelled or _machine_in(text)
                fixed = Attribution(f"{trinity}/{role}", SUBJECT_PREFIX, text, machine)
                return _Subject(role, trinity, text, machine, None, fixed if trinity else None)
        machine = labelled or self._machine(subject)
        for pattern in self.profile.heartbeat_patterns:
            beat = pattern.match(subject)
            if beat is not None:
                found = Attribution(None, HEARTBEAT, beat.group(0), beat["machine"])
                return _Subject(None, None, beat.group(0), machine, found)
        return _Subject(None, None, "", machine, None)

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

    def _named_trinity(self, named: str | None, text: str) -> str | None:
        """A trinity named by a pattern group, or by a word before the subject's colon."""
        if named:
            found = self._trinity_names.get(named.upper())
            if found:
                return found
        prefix = text.split(":", 1)[0][:_PREFIX_LENGTH]
        word = self._trinity_word.search(prefix)
        return self._trinity_names[word.group(1).upper()] if word is not None else None

    def _trinity_from_files(self, commit: RawCommit) -> str:
        found = self._by_files.get(commit.files)
        if found is None:
            found = self._trinity_of_files(commit)
            if len(self._by_files) >= _SUBJECT_CACHE:
                self._by_files.clear()
            self._by_files[commit.files] = found
        return found

    def _trinity_of_files(self, commit: RawCommit) -> str:
        if len(self.profile.trinities) > 1:
            seen = set()
            for path in commit.files:
                info = self.paths.classify(path)
                if info is not None:
                    owner = info.owner.partition("/")[0] if info.owner else None
                    seen.add(owner or self.paths.root_trinity(path))
            seen.discard(None)
            if len(seen) == 1:
                return str(seen.pop())
        return self.profile.default_trinity


def _has_emoji(text: str) -> bool:
    """Symbols stripped from a subject's start include an emoji (any non-ASCII symbol)."""
    return any(ord(ch) > 127 for ch in text)


def _machine_in(prefix: str) -> str | None:
    """A machine token in an agent's prefix (``C3 T1:``), upper-cased."""
    found = _MACHINE_TOKEN.search(prefix.split(":", 1)[0])
    return found.group(1).upper() if found is not None else None
