"""``/api/surveys/…``: survey answers and follow-ups, for support leads."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from django.utils import timezone
from ninja import Query, Router

from lifebuoy.accounts.api_auth import AuthedRequest
from lifebuoy.core.errors import ValidationFailed
from lifebuoy.core.periods import iso_week

from . import selectors
from .models import FollowUpTask
from .schemas import FollowUpDoneIn, SurveyFollowUpOut, SurveyResponsePage, SurveyResponseQuery
from .services.followups import follow_up_done

router = Router(tags=["surveys"])


def _span(week: str, since: datetime | None, until: datetime | None) -> tuple[Any, Any]:
    if not week.strip():
        return since, until
    try:
        period = iso_week(week)
    except ValueError as exc:
        raise ValidationFailed.for_fields({"week": str(exc)}) from None
    return period.start, period.end


@router.get("/responses", response=SurveyResponsePage)
def survey_response_list_api(
    request: AuthedRequest, query: Query[SurveyResponseQuery]
) -> dict[str, Any]:
    """Answered surveys, newest first, answered in an ISO ``week`` or in ``[since, until)``."""
    start, end = _span(query.week, query.since, query.until)
    answers = selectors.survey_responses_for_user(
        user=request.auth, kind=query.kind, since=start, until=end
    )
    page = answers[query.offset : query.offset + query.limit]
    return {"count": answers.count(), "results": list(page)}


@router.get("/follow-ups", response=list[SurveyFollowUpOut])
def follow_up_list_api(
    request: AuthedRequest, status: Literal["open", "done"] | None = None
) -> list[FollowUpTask]:
    return list(selectors.follow_up_list_for_user(user=request.auth, status=status)[:200])


@router.post("/follow-ups/{task_id}/done", response=SurveyFollowUpOut)
def follow_up_done_api(
    request: AuthedRequest, task_id: int, payload: FollowUpDoneIn
) -> FollowUpTask:
    task = selectors.follow_up_get_for_user(user=request.auth, task_id=task_id)
    return follow_up_done(task=task, actor=request.auth, note=payload.note, now=timezone.now())
