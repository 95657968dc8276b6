"""How well suggestions answer customers' questions: labelled questions in ``questions.yaml``,
asked through ``kb_suggest`` exactly as the portal asks while a customer types, and scored as
hit@1 (the right article first), hit@3 (among the three shown) and the mean reciprocal rank.

Customer questions are asked without an organization (customer-facing articles only, and no
organization's learned words); ``reader: staff`` questions as an agent, who also sees the
internal support guides.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import yaml

from lifebuoy.accounts.models import Role, User
from lifebuoy.kb.selectors import kb_suggest

QUESTIONS_FILE: Final = Path(__file__).resolve().parent / "questions.yaml"
DEPTH: Final = 10  # ranks below this count as not found (reciprocal rank 0)
READERS: Final = ("customer", "staff")


@dataclass(frozen=True)
class Question:
    text: str
    article: str  # the article that answers it, "KB-1001"
    reader: str = "customer"


@dataclass(frozen=True)
class Answer:
    question: Question
    ranked: tuple[str, ...]  # article IDs in the order suggested, best first

    @property
    def rank(self) -> int | None:
        """1 when the right article came first; None when it was not among the first DEPTH."""
        try:
            return self.ranked.index(self.question.article) + 1
        except ValueError:
            return None


@dataclass(frozen=True)
class Report:
    answers: tuple[Answer, ...]

    def _share(self, within: int) -> float:
        hits = sum(1 for a in self.answers if a.rank is not None and a.rank <= within)
        return hits / len(self.answers) if self.answers else 0.0

    @property
    def hit_at_1(self) -> float:
        return self._share(1)

    @property
    def hit_at_3(self) -> float:
        return self._share(3)

    @property
    def mrr(self) -> float:
        if not self.answers:
            return 0.0
        return sum(1 / a.rank for a in self.answers if a.rank is not None) / len(self.answers)

    @property
    def misses(self) -> list[Answer]:
        """Questions whose article was not suggested first, worst first."""
        missed = [a for a in self.answers if a.rank != 1]
        return sorted(missed, key=lambda a: (-(a.rank or DEPTH + 1), a.question.article))


def load_questions(path: Path = QUESTIONS_FILE) -> list[Question]:
    """The labelled questions in ``path``; a malformed entry raises ValueError naming it."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    questions = []
    for number, entry in enumerate(data.get("questions") or [], start=1):
        if not isinstance(entry, dict) or not entry.get("text") or not entry.get("article"):
            raise ValueError(f"Question {number} in {path.name} needs a text and an article.")
        reader = str(entry.get("reader", "customer"))
        if reader not in READERS:
            raise ValueError(f"Question {number} in {path.name}: reader must be customer or staff.")
        questions.append(
            Question(text=str(entry["text"]), article=str(entry["article"]), reader=reader)
        )
    return questions


def _reader(kind: str) -> User | None:
    # An agent who is never saved: suggestions only ask whether the reader is support staff.
    return User(role=Role.AGENT, is_active=True) if kind == "staff" else None


def kb_evaluate(*, questions: Sequence[Question]) -> Report:
    """Ask every question as its reader would and record where its article ranked."""
    readers = {kind: _reader(kind) for kind in READERS}
    answers = []
    for question in questions:
        suggested = kb_suggest(
            user=readers[question.reader], subject=question.text, description="", limit=DEPTH
        )
        answers.append(Answer(question, tuple(a.article_id for a in suggested)))
    return Report(answers=tuple(answers))
