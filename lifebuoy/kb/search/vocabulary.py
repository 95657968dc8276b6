"""The domain vocabulary: customers' words widened with the articles' words for the same thing.

A customer writes "our builder hasn't pushed anything"; the articles say "C2" and "not
responding". Each ``VocabularyEntry`` maps a phrase to such words. Phrases are matched on the
text as written, small words included ("hasn't pushed", "went off", "can't find"), and any
usual form of their words matches: "bill" also matches "bills" and "billed", "stop" "stopped".
``Vocabulary.widen`` adds an entry's words as alternatives of the query word group of the
phrase's first meaningful word, so the engines match either (an alternative, not an extra
required word: searching with every word required still works). A phrase made only of stop
words ("not working" has "working"; "went down" has "went") adds a group of its own, which
only suggestions use.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any, Final

from django.db import connection

from lifebuoy.kb.models import Article, VocabularyEntry

from .terms import TermGroup
from .text import STOP_WORDS, WORD_RE, words

MAX_EXTRA: Final = 8  # words one phrase may add, so a long entry cannot flood a query
MAX_PHRASE: Final = 6  # words in a phrase
_VOWELS: Final = frozenset("aeiou")
_APOSTROPHES: Final = re.compile(r"['’]")


def tokens(text: str) -> list[str]:
    """Every word of ``text`` in order, stop words included; "hasn't" is "hasnt"."""
    return WORD_RE.findall(_APOSTROPHES.sub("", text.lower()))


def forms(word: str) -> set[str]:
    """The usual English forms of ``word``: plural, past tense, -ing (a doubled final consonant
    too: stop, stopped, stopping). Over-generating is harmless: only real words get typed."""
    found = {word, f"{word}s", f"{word}es", f"{word}ed", f"{word}ing"}
    if word.endswith("e"):
        found |= {f"{word}d", f"{word[:-1]}ing"}
    if word.endswith("y") and len(word) > 2 and word[-2] not in _VOWELS:
        found |= {f"{word[:-1]}ies", f"{word[:-1]}ied"}
    if len(word) >= 3 and word[-1] not in _VOWELS and word[-2] in _VOWELS:
        found |= {f"{word}{word[-1]}ed", f"{word}{word[-1]}ing"}
    return found


@dataclass(frozen=True)
class Vocabulary:
    """Phrases (as word sequences) and the words each adds; ``stamp`` identifies the version."""

    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    stamp: Any = None
    _by_form: dict[str, list[int]] = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self) -> None:
        for index, (phrase, _) in enumerate(self.entries):
            for form in forms(phrase[0]):
                self._by_form.setdefault(form, []).append(index)

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str, str]], stamp: Any = None) -> Vocabulary:
        """Entries from ``(phrase, means)`` texts. A phrase needs a word that is not a stop word
        or several words; what it means is read like a query (no stop words)."""
        entries = []
        for phrase, means in pairs:
            phrase_words = tuple(tokens(phrase))[:MAX_PHRASE]
            meaningful = len(phrase_words) > 1 or not set(phrase_words) <= STOP_WORDS
            extra = tuple(dict.fromkeys(words(means)))[:MAX_EXTRA]
            if phrase_words and meaningful and extra:
                entries.append((phrase_words, extra))
        return cls(entries=tuple(entries), stamp=stamp)

    def matches(self, text: str) -> list[tuple[tuple[str, ...], tuple[str, ...]]]:
        """The phrases found in ``text`` as ``(words as written, words they add)``."""
        written = tokens(text)
        found = []
        for at, word in enumerate(written):
            for index in self._by_form.get(word, ()):
                phrase, means = self.entries[index]
                span = tuple(written[at : at + len(phrase)])
                if len(span) == len(phrase) and all(
                    w in forms(p) for w, p in zip(span, phrase, strict=True)
                ):
                    found.append((span, means))
        return found

    def widen(self, text: str, groups: list[TermGroup], *, add_groups: bool) -> list[TermGroup]:
        """``groups`` (one per distinct word of ``text`` the search kept) with each phrase's words
        as alternatives of its first kept word's group; for a phrase without one, a group of its
        own when ``add_groups`` (every group need not match), else nothing."""
        extra: dict[str, list[str]] = {g.word: [] for g in groups}
        own: dict[str, list[str]] = {}
        for span, means in self.matches(text):
            anchor = next((w for w in span if w in extra), None)
            target = extra[anchor] if anchor is not None else own.setdefault(" ".join(span), [])
            target.extend(w for w in means if w not in target)
        widened = [
            replace(
                g,
                alternatives=g.alternatives
                + tuple(w for w in extra[g.word] if w not in g.alternatives),
            )
            for g in groups
        ]
        if add_groups:
            widened += [TermGroup(word=span, alternatives=tuple(ws)) for span, ws in own.items()]
        return widened


_current: dict[str, Vocabulary] = {}


def search_stamps() -> tuple[tuple[Any, Any], tuple[Any, Any]]:
    """In one query, what identifies the articles' version (newest change, newest article: both
    read from an index, so cheap at 50,000 articles) and the vocabulary's (newest change, size).
    """
    articles, entries = Article._meta.db_table, VocabularyEntry._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT (SELECT updated_at FROM {articles} ORDER BY updated_at DESC LIMIT 1), "  # noqa: S608
            f"(SELECT MAX(id) FROM {articles}), "
            f"(SELECT MAX(updated_at) FROM {entries}), (SELECT COUNT(*) FROM {entries})"
        )
        row = cursor.fetchone()
    return (row[0], row[1]), (row[2], row[3])


def vocabulary_current(stamp: tuple[Any, Any] | None = None) -> Vocabulary:
    """The active entries, read again (per process) only after an entry was added, changed or
    deleted: one small query otherwise, or none given ``stamp`` (from ``search_stamps``)."""
    if stamp is None:
        stamp = search_stamps()[1]
    cached = _current.get("active")
    if cached is not None and cached.stamp == stamp:
        return cached
    pairs = VocabularyEntry.objects.filter(is_active=True).values_list("phrase", "means")
    _current["active"] = vocabulary = Vocabulary.from_pairs(pairs, stamp=stamp)
    return vocabulary
