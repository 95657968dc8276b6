"""Recording an answer: exactly once, only before the link expires, and a low rating opens the
leads' follow-up task in the same transaction."""

from __future__ import annotations

import re
from datetime import datetime

from django.db import transaction

from lifebuoy.core.errors import InvalidState, LifebuoyError, ValidationFailed
from lifebuoy.surveys.models import CSAT_LOW, NPS_DETRACTOR, Survey, SurveyKind
from lifebuoy.surveys.services.followups import follow_up_open

COMMENT_MAX = 2000
# Control characters other than tab and newline have no place in a comment.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


class SurveyExpired(LifebuoyError):
    http_status = 410


def is_low(kind: str, rating: int) -> bool:
    """CSAT 1-2 and NPS detractors (0-6) get a follow-up."""
    return rating <= (CSAT_LOW if kind == SurveyKind.CSAT else NPS_DETRACTOR)


def clean_comment(text: str) -> str:
    """Plain text, stored as written (templates escape it): newlines normalized, control
    characters dropped, surrounding blanks trimmed."""
    return _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n")).strip()


def survey_check_open(*, survey: Survey, now: datetime) -> None:
    """Raise if the survey cannot take an answer any more: answered (409) or expired (410)."""
    if survey.is_answered:
        raise InvalidState("survey_answered", "This survey has already been answered. Thank you!")
    if survey.expires_at <= now:
        raise SurveyExpired("survey_expired", "This survey link has expired.")


def _validate(survey: Survey, rating: int | None, comment: str) -> None:
    errors: dict[str, str] = {}
    scale = survey.scale
    if rating is None:
        errors["rating"] = f"Choose a rating from {scale.start} to {scale.stop - 1}."
    elif rating not in scale:
        errors["rating"] = f"The rating must be from {scale.start} to {scale.stop - 1}."
    if len(comment) > COMMENT_MAX:
        errors["comment"] = f"Keep the comment under {COMMENT_MAX} characters."
    if errors:
        raise ValidationFailed.for_fields(errors)


@transaction.atomic
def survey_answer(*, survey: Survey, rating: int | None, comment: str, now: datetime) -> Survey:
    """Record the answer of the person holding the survey's link. A second answer, however
    close in time, is refused: the answer is a conditional update of an unanswered row."""
    survey_check_open(survey=survey, now=now)
    comment = clean_comment(comment)
    _validate(survey, rating, comment)
    won = Survey.objects.filter(id=survey.id, answered_at__isnull=True, expires_at__gt=now).update(
        rating=rating, comment=comment, answered_at=now
    )
    if won != 1:
        survey.refresh_from_db()
        survey_check_open(survey=survey, now=now)
    assert rating is not None  # noqa: S101  # validated above
    survey.rating, survey.comment, survey.answered_at = rating, comment, now
    if is_low(survey.kind, rating):
        follow_up_open(survey=survey, now=now)
    return survey
