"""The search box's language, parsed once and handed to whichever engine runs.

The syntax is PostgreSQL's ``websearch_to_tsquery``: words must all match, ``"two words"``
is a phrase, ``or`` between two terms lets either match, ``-word`` (or ``-"a phrase"``)
excludes. The parsed query renders back to that syntax for PostgreSQL and to an FTS5
expression for SQLite, so both engines receive the same question. A query with nothing to
look for (empty, only stop words, only exclusions) matches nothing on either engine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.parsing import parse_id

QUERY_MAX = 200
TERMS_MAX = 8

# Words too common to say anything; PostgreSQL's English configuration drops them as well,
# so the SQLite engine drops them too and a search for "the" finds nothing on both.
STOP_WORDS = frozenset(
    """
    a about above after again against all am an and any are as at be because been before
    being below between both but by can did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into
    is it its itself just me more most my myself no nor not now of off on once only or
    other our ours ourselves out over own same she should so some such than that the their
    theirs them themselves then there these they this those through to too under until up
    very was we were what when where which while who whom why will with you your yours
    yourself yourselves
    """.split()  # noqa: SIM905 - a list this long reads better as text
)

_TOKEN = re.compile(r'-?"[^"]*"?|\S+')
_WORD = re.compile(r"\w+")


@dataclass(frozen=True)
class Term:
    """One thing to look for: a word (``text`` as typed, e.g. an email address) or a phrase."""

    text: str
    words: tuple[str, ...]  # its words, lower-cased, as SQLite's tokenizer splits them
    phrase: bool = False


@dataclass(frozen=True)
class SearchQuery:
    """Every group must match (a group matches when any of its terms does); no excluded term
    may. ``number`` is the ticket number the text names (``#123`` or ``123``), if it does."""

    groups: tuple[tuple[Term, ...], ...]
    excluded: tuple[Term, ...] = ()
    number: int | None = None

    @property
    def is_empty(self) -> bool:
        return not self.groups

    def websearch(self) -> str:
        """The query in ``websearch_to_tsquery`` syntax."""
        parts = [" or ".join(_web(term) for term in group) for group in self.groups]
        parts += [f"-{_web(term)}" for term in self.excluded]
        return " ".join(parts)

    def websearch_any(self) -> str:
        """Any of the query's terms, in ``websearch_to_tsquery`` syntax (to find and mark the
        passage of a message holding some of them)."""
        return " or ".join(_web(term) for group in self.groups for term in group)

    def fts5(self, columns: tuple[str, ...] = ()) -> str:
        """The query as an FTS5 expression, limited to ``columns`` when given."""
        expression = " AND ".join(
            "(" + " OR ".join(_fts(term) for term in group) + ")" for group in self.groups
        )
        for term in self.excluded:
            expression = f"({expression}) NOT {_fts(term)}"
        if columns:
            expression = "{" + " ".join(columns) + "} : (" + expression + ")"
        return expression


def _web(term: Term) -> str:
    return f'"{term.text}"' if term.phrase else term.text


def _fts(term: Term) -> str:
    return '"' + " ".join(term.words) + '"'


def _term(raw: str) -> Term | None:
    phrase = raw.startswith('"')
    text = raw.strip('"').strip()
    words = tuple(w.lower() for w in _WORD.findall(text))
    if not words or (not phrase and len(words) == 1 and words[0] in STOP_WORDS):
        return None
    return Term(text=text if phrase else text.replace('"', ""), words=words, phrase=phrase)


def search_query_parse(text: str) -> SearchQuery:
    """Parse the search box's text; raises ValidationFailed (field ``q``) when it is too long
    or asks for too many things at once."""
    if len(text) > QUERY_MAX:
        raise ValidationFailed.for_fields({"q": f"Keep the search under {QUERY_MAX} characters."})
    text = text.replace("\x00", " ")  # no stored text holds one, and PostgreSQL refuses them
    groups: list[list[Term]] = []
    excluded: list[Term] = []
    join_next = False
    count = 0
    for raw in _TOKEN.findall(text):
        if raw.lower() == "or":
            join_next = bool(groups)
            continue
        negated = raw.startswith("-") and len(raw) > 1
        term = _term(raw[1:] if negated else raw)
        if term is None:
            continue
        count += 1
        if negated:
            excluded.append(term)
        elif join_next:
            groups[-1].append(term)
        else:
            groups.append([term])
        join_next = False
    if count > TERMS_MAX:
        raise ValidationFailed.for_fields({"q": f"Search for at most {TERMS_MAX} words."})
    number = parse_id(text.strip().removeprefix("#"))
    return SearchQuery(
        groups=tuple(tuple(g) for g in groups), excluded=tuple(excluded), number=number
    )


def words_of(text: str) -> list[str]:
    """The lower-cased words of ``text``, as the engines' tokenizers split them."""
    return [w.lower() for w in _WORD.findall(text)]
