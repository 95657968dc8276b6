"""Text handling shared by every search backend: words, stop words and the indexed document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

WORD_RE: Final = re.compile(r"[a-z0-9]+")
MAX_TERM: Final = 40

# Words that carry no meaning for retrieval. Ranking engines weigh them down anyway, but on
# 50,000 articles each one would also make the engine score nearly every document.
_STOP_WORDS_TEXT: Final = """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don
    down during each few for from further had hadn has hasn have haven having he her here hers
    herself him himself his how i if in into is isn it its itself just let me more most mustn my
    myself no nor not now of off on once only or other ought our ours ourselves out over own
    same shan she should shouldn so some such than that the their theirs them themselves then
    there these they this those through to too under until up very was wasn we were weren what
    when where which while who whom why will with won would wouldn you your yours yourself
    yourselves s t ll re ve d m also get got gets getting like im ive youre thats whats dont
    doesnt didnt isnt wasnt cant wont hasnt havent hadnt arent werent please thanks thank hi
    hello anyone anything something someone us one really even still just since ago keep keeps
    kept need needs know way ok okay yes
"""
STOP_WORDS: Final = frozenset(_STOP_WORDS_TEXT.split())


def words(text: str) -> list[str]:
    """Lower-cased words in order, without stop words, each at most ``MAX_TERM`` long."""
    return [w for w in WORD_RE.findall(text.lower()) if w not in STOP_WORDS and len(w) <= MAX_TERM]


def vocabulary(*texts: str) -> set[str]:
    """The distinct indexable words of ``texts``: what typo correction may suggest."""
    found: set[str] = set()
    for text in texts:
        found.update(w for w in words(text) if not w.isdigit() and len(w) >= 3)
    return found


@dataclass(frozen=True)
class Document:
    """An article as the index sees it: three fields weighted differently when ranking."""

    article_id: int
    title: str  # the title and the tags
    summary: str  # what the customer experiences: issue and symptoms
    body: str  # root cause, solution, prevention

    def vocabulary(self) -> set[str]:
        return vocabulary(self.title, self.summary, self.body)


def document_for(
    *,
    article_id: int,
    title: str,
    tags: list[str],
    issue: str,
    symptoms: list[str],
    root_cause: str,
    solution: str,
    prevention: str,
) -> Document:
    tag_words = " ".join(tag.replace("-", " ") for tag in tags)
    return Document(
        article_id=article_id,
        title=f"{title}\n{tag_words}",
        summary="\n".join([issue, *symptoms]),
        body="\n".join([root_cause, solution, prevention]),
    )
