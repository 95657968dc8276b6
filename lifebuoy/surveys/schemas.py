from __future__ import annotations

from datetime import datetime
from typing import Literal

from ninja import Field, Schema

from lifebuoy.core.schemas import UtcDatetime


class SurveyResponseOut(Schema):
    id: int
    kind: str
    rating: int
    comment: str
    answered_at: datetime
    sent_at: datetime
    ticket_id: int | None
    period: str = Field(..., alias="period_label")
    organization_id: int
    organization: str
    contact_id: int
    contact_email: str

    @staticmethod
    def resolve_organization(obj: object) -> str:
        return str(getattr(obj, "organization").name)  # noqa: B009  # a Survey

    @staticmethod
    def resolve_contact_email(obj: object) -> str:
        return str(getattr(obj, "contact").email)  # noqa: B009  # a Survey


class SurveyResponsePage(Schema):
    count: int
    results: list[SurveyResponseOut]


class SurveyFollowUpOut(Schema):
    id: int
    status: str
    created_at: datetime
    done_at: datetime | None
    note: str
    survey: SurveyResponseOut


class FollowUpDoneIn(Schema):
    note: str = Field("", max_length=2000)


OFFSET_MAX = 1_000_000  # far past any real list, and far below what the database can hold


class SurveyResponseQuery(Schema):
    kind: Literal["csat", "nps"] | None = None
    week: str = Field("", description="An ISO week, e.g. 2026-W47; overrides since/until.")
    since: UtcDatetime | None = None
    until: UtcDatetime | None = None
    limit: int = Field(50, ge=1, le=200)
    offset: int = Field(0, ge=0, le=OFFSET_MAX)
