"""Typo-tolerant prefix matching, the same on every database.

Each query word becomes a group of alternatives taken from the vocabulary of indexed words:
the word itself when it is known; otherwise the known words one edit away (a typo) and the
known words it begins (a word still being typed, or cut short). The engines then match whole
words with their own stemming, so "consolidaton" and "consolid" both find "consolidation".
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from string import ascii_lowercase
from typing import Final

from lifebuoy.kb.models import SearchTerm

MIN_FUZZY_LENGTH: Final = 5  # shorter words have too many neighbours one edit away
MIN_PREFIX_LENGTH: Final = 3
MAX_ALTERNATIVES: Final = 4


@dataclass(frozen=True)
class TermGroup:
    """One query word and what it may match; an empty group matches nothing."""

    word: str
    alternatives: tuple[str, ...]


def _edits1(word: str) -> set[str]:
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = {a + b[1:] for a, b in splits if b}
    transposes = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in ascii_lowercase}
    inserts = {a + c + b for a, b in splits for c in ascii_lowercase}
    return (deletes | transposes | replaces | inserts) - {word}


def _known(candidates: Iterable[str]) -> set[str]:
    wanted = list(set(candidates))
    found: set[str] = set()
    for start in range(0, len(wanted), 900):  # below every database's parameter limit
        chunk = wanted[start : start + 900]
        found.update(SearchTerm.objects.filter(term__in=chunk).values_list("term", flat=True))
    return found


def _completions(prefix: str) -> list[str]:
    # A range rather than LIKE, so both databases walk the unique index on ``term``.
    after = prefix[:-1] + chr(ord(prefix[-1]) + 1)
    rows = (
        SearchTerm.objects.filter(term__gt=prefix, term__lt=after)
        .order_by("term")
        .values_list("term", flat=True)[:50]
    )
    # Words first, shortest first: "deploym" means "deployment" before "deployment457".
    return sorted(rows, key=lambda t: (not t.isalpha(), len(t), t))[:MAX_ALTERNATIVES]


def _literal(word: str) -> bool:
    """Numbers and words under three letters ("c2", "p1") are never in the table of indexed
    words (SearchTerm): they are matched as they are."""
    return word.isdigit() or len(word) < MIN_PREFIX_LENGTH


def expand(words: list[str], *, complete_last: bool) -> list[TermGroup]:
    """Term groups for ``words`` (already lower-cased, stop words removed, deduplicated).

    ``complete_last`` treats an unknown final word as unfinished (search as you type): it
    also matches the known words it begins, even when it is one edit from a known word.
    """
    if not words:
        return []
    known = _known(words)
    unknown = [w for w in words if w not in known and not _literal(w)]
    fuzzy_pool = [w for w in unknown if len(w) >= MIN_FUZZY_LENGTH]
    corrections = _known(e for w in fuzzy_pool for e in _edits1(w))
    groups: list[TermGroup] = []
    for index, word in enumerate(words):
        alternatives: list[str] = [word] if word in known or _literal(word) else []
        if word in fuzzy_pool:
            near = sorted(c for c in corrections if c in _edits1(word))
            alternatives += near[:MAX_ALTERNATIVES]
        is_last = index == len(words) - 1
        # A known word is complete (its longer forms share its stem); an unknown last word
        # is still being typed, and any other unknown word without a correction was cut short.
        if (
            len(word) >= MIN_PREFIX_LENGTH
            and word not in known
            and ((is_last and complete_last) or not alternatives)
        ):
            alternatives += [c for c in _completions(word) if c not in alternatives]
        groups.append(TermGroup(word=word, alternatives=tuple(alternatives)))
    return groups


def remember(vocabulary: set[str]) -> None:
    """Add new words to the vocabulary (never removes: a stale word only costs a lookup)."""
    if not vocabulary:
        return
    new = set(vocabulary) - _known(vocabulary)
    SearchTerm.objects.bulk_create(
        [SearchTerm(term=t) for t in sorted(new)], ignore_conflicts=True, batch_size=500
    )
