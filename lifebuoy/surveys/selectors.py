"""Reads for satisfaction surveys.

Gates: ``survey_get_by_token`` for the anonymous person holding a survey link (the link is the
credential), ``survey_responses_for_user`` and ``follow_up_get_for_user`` for the support leads
who review answers. Agents see one ticket's answer on its desk page through
``survey_for_ticket``; customers never see answers, their own included, after submitting.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime, timedelta

from django.db.models import Exists, OuterRef, QuerySet

from lifebuoy.accounts.models import Role, User
from lifebuoy.core.errors import NotFound, PermissionDenied
from lifebuoy.tickets.models import OUT_OF_SCOPE, Channel, Status, Ticket

from .models import FollowUpStatus, FollowUpTask, Survey, SurveyKind
from .periods import NpsPeriod

LEAD_ROLES = frozenset({Role.LEAD, Role.ADMIN})
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,100}$")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def is_lead(user: User) -> bool:
    return user.is_active and user.role in LEAD_ROLES


def survey_get_by_token(*, token: str) -> Survey:
    """The survey a link names. A malformed, tampered or unknown token is the same 404."""
    survey = None
    if _TOKEN.match(token):
        survey = (
            Survey.objects.select_related("ticket", "contact", "organization")
            .filter(token_hash=token_hash(token))
            .first()
        )
    if survey is None:
        raise NotFound("survey_not_found", "This survey link is not valid.")
    return survey


def survey_for_ticket(*, ticket_id: int) -> Survey | None:
    """The ticket's CSAT survey, for staff on the desk (callers are staff-only pages)."""
    return (
        Survey.objects.filter(kind=SurveyKind.CSAT, ticket_id=ticket_id)
        .select_related("follow_up")
        .first()
    )


def _surveyable_requesters(prefix: str = "") -> dict[str, object]:
    """Customers we may email: active, a customer account, not a reserved (.invalid) address,
    and who did not turn surveys off on their profile."""
    return {
        f"{prefix}role": Role.CUSTOMER,
        f"{prefix}is_active": True,
        f"{prefix}email_surveys": True,
    }


def csat_due(*, now: datetime, delay: timedelta, window: timedelta) -> QuerySet[Ticket]:
    """Tickets whose latest resolution is at least ``delay`` old (and at most ``delay + window``,
    so a desk that turns surveys on does not survey its history) and that have no CSAT survey
    yet. Out-of-scope categories, monitoring tickets and non-customer requesters are left out."""
    return (
        Ticket.objects.filter(
            status__in=(Status.RESOLVED, Status.CLOSED),
            resolved_at__lte=now - delay,
            resolved_at__gt=now - delay - window,
            **_surveyable_requesters("requester__"),
        )
        .exclude(category__in=OUT_OF_SCOPE)
        .exclude(channel=Channel.MONITORING)
        .exclude(requester__email__endswith=".invalid")
        .exclude(Exists(Survey.objects.filter(kind=SurveyKind.CSAT, ticket_id=OuterRef("pk"))))
        .select_related("requester", "organization")
        .order_by("resolved_at", "id")
    )


def nps_due(*, period: NpsPeriod) -> QuerySet[User]:
    """Customers who opened a ticket (not a monitoring one) in ``period`` and were not sent
    that period's NPS survey yet."""
    span = period.as_period()
    active = Ticket.objects.filter(
        requester_id=OuterRef("pk"), created_at__gte=span.start, created_at__lt=span.end
    ).exclude(channel=Channel.MONITORING)
    surveyed = Survey.objects.filter(
        kind=SurveyKind.NPS, contact_id=OuterRef("pk"), period_start=period.start
    )
    return (
        User.objects.filter(organization__isnull=False, **_surveyable_requesters())
        .exclude(email__endswith=".invalid")
        .filter(Exists(active))
        .exclude(Exists(surveyed))
        .select_related("organization")
        .order_by("id")
    )


def _require_lead(user: User) -> None:
    if not is_lead(user):
        raise PermissionDenied("not_allowed", "Survey answers are for support leads.")


def survey_responses_for_user(
    *, user: User, kind: str | None, since: datetime | None, until: datetime | None
) -> QuerySet[Survey]:
    """Answered surveys, newest first, optionally of one kind and answered in ``[since, until)``."""
    _require_lead(user)
    answers = Survey.objects.filter(answered_at__isnull=False)
    if kind:
        answers = answers.filter(kind=kind)
    if since is not None:
        answers = answers.filter(answered_at__gte=since)
    if until is not None:
        answers = answers.filter(answered_at__lt=until)
    return answers.select_related("contact", "organization", "ticket").order_by(
        "-answered_at", "-id"
    )


def follow_up_list_for_user(*, user: User, status: str | None) -> QuerySet[FollowUpTask]:
    _require_lead(user)
    tasks = FollowUpTask.objects.select_related(
        "survey__contact", "survey__organization", "survey__ticket", "done_by"
    )
    if status in FollowUpStatus.values:
        tasks = tasks.filter(status=status)
    return tasks.order_by("status", "-created_at", "-id")


def follow_up_get_for_user(*, user: User, task_id: int) -> FollowUpTask:
    task = follow_up_list_for_user(user=user, status=None).filter(id=task_id).first()
    if task is None:
        raise NotFound("follow_up_not_found", f"Follow-up {task_id} was not found.")
    return task


def lead_recipients() -> QuerySet[User]:
    """Who hears about a low rating: the active support leads, else the admins."""
    leads = User.objects.filter(role=Role.LEAD, is_active=True)
    if leads.exists():
        return leads.order_by("id")
    return User.objects.filter(role=Role.ADMIN, is_active=True).order_by("id")
